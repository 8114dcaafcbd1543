//===- CnnToLinalg.cpp - lower the cnn dialect to linalg on tensors -------===//
//
// Two steps (see Passes.td for the contract):
//  1. The entry ABI, rewritten by hand on each function: the arena and
//     destination memrefs become arguments, parameter reads become views of
//     the arena at their layout offsets, results are written into the
//     destinations.
//  2. The graph ops, by dialect conversion patterns: every op keeps its
//     tensor types, so no type converter is involved, and an op without a
//     pattern (dropout, the mode-agnostic batch_norm) fails to legalize.
//
//===----------------------------------------------------------------------===//
#include "conversion/Passes.h"
#include "transforms/ParamLayout.h"
#include "transforms/Passes.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;

namespace cnn {
#define GEN_PASS_DEF_CONVERTCNNTOLINALG
#include "conversion/Passes.h.inc"
} // namespace cnn

using namespace cnn;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static Value f32Constant(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(value)));
}

/// An uninitialised tensor of `type`; its dynamic dimensions (the batch)
/// are those of `like`, which has the same rank.
static Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                         Value like) {
  SmallVector<Value> dynamic;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(tensor::DimOp::create(b, loc, like, i));
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType(), dynamic);
}

static Value fill(OpBuilder &b, Location loc, double value, Value init) {
  return linalg::FillOp::create(b, loc, f32Constant(b, loc, value), init)
      .getResult(0);
}

static SmallVector<utils::IteratorType> parallel(int64_t rank) {
  return SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
}

/// The map (d0, ..., d{rank-1}) -> (d{dim}): a per-channel vector seen from
/// an iteration over a whole tensor.
static AffineMap channelMap(MLIRContext *ctx, int64_t rank, int64_t dim) {
  return AffineMap::get(rank, 0, getAffineDimExpr(dim, ctx));
}

/// `init` filled with the per-channel vector `vec` broadcast along `dim`:
/// the conv and matmul then accumulate onto their bias, one pass over the
/// output less than adding it afterwards.
static Value broadcastChannels(OpBuilder &b, Location loc, Value vec,
                               Value init, int64_t dim) {
  auto type = cast<RankedTensorType>(init.getType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps{channelMap(ctx, rank, dim),
                              AffineMap::getMultiDimIdentityMap(rank, ctx)};
  return linalg::GenericOp::create(
             b, loc, type, vec, init, maps, parallel(rank),
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, args[0]);
             })
      .getResult(0);
}

using ScalarFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// An elementwise linalg.generic over `init`'s shape. `inputs` are read with
/// `inputMaps` (identity when empty); `body` gets their elements, then the
/// init's, and returns the result element.
static Value elementwise(OpBuilder &b, Location loc, ValueRange inputs,
                         Value init, ScalarFn body,
                         ArrayRef<AffineMap> inputMaps = {}) {
  auto type = cast<RankedTensorType>(init.getType());
  int64_t rank = type.getRank();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  SmallVector<AffineMap> maps(inputMaps.begin(), inputMaps.end());
  if (maps.empty())
    maps.assign(inputs.size(), identity);
  maps.push_back(identity);
  return linalg::GenericOp::create(
             b, loc, type, inputs, init, maps, parallel(rank),
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
             })
      .getResult(0);
}

/// The per-channel factor of an eval batchnorm, γ / √(var + eps), as PyTorch
/// computes it (invstd first); γ = 1 when `scale` is null.
static Value bnScale(OpBuilder &b, Location loc, Value var, Value scale,
                     double eps) {
  auto type = cast<RankedTensorType>(var.getType());
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType());
  SmallVector<Value> inputs{var};
  if (scale)
    inputs.push_back(scale);
  return elementwise(b, loc, inputs, init,
                     [&](OpBuilder &nb, Location nloc, ValueRange args) {
                       Value sum = arith::AddFOp::create(
                           nb, nloc, args[0], f32Constant(nb, nloc, eps));
                       Value root = math::SqrtOp::create(nb, nloc, sum);
                       Value invstd = arith::DivFOp::create(
                           nb, nloc, f32Constant(nb, nloc, 1.0), root);
                       return scale ? arith::MulFOp::create(nb, nloc, invstd,
                                                            args[1])
                                          .getResult()
                                    : invstd;
                     });
}

/// strides/dilations attribute of the linalg conv and pooling ops.
static DenseIntElementsAttr pairAttr(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({int64_t(values.size())}, b.getI64Type()), values);
}

//===----------------------------------------------------------------------===//
// Graph op patterns
//===----------------------------------------------------------------------===//

namespace {
struct Conv2dLowering : OpConversionPattern<Conv2dOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> padding = op.getPadding();
    if (padding[0] != 0 || padding[1] != 0) {
      auto type = cast<RankedTensorType>(input.getType());
      SmallVector<int64_t> shape(type.getShape());
      for (int i = 0; i < 2; ++i)
        shape[2 + i] += 2 * padding[i];
      SmallVector<OpFoldResult> pads{
          rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
          rewriter.getIndexAttr(padding[0]), rewriter.getIndexAttr(padding[1])};
      input = tensor::PadOp::create(
          rewriter, loc, type.clone(shape), input, pads, pads,
          f32Constant(rewriter, loc, 0.0));
    }
    Value init = emptyTensor(rewriter, loc, op.getType(), adaptor.getInput());
    init = adaptor.getBias()
               ? broadcastChannels(rewriter, loc, adaptor.getBias(), init, 1)
               : fill(rewriter, loc, 0.0, init);
    rewriter.replaceOpWithNewOp<linalg::Conv2DNchwFchwOp>(
        op, TypeRange{op.getType()}, ValueRange{input, adaptor.getWeight()},
        ValueRange{init}, pairAttr(rewriter, op.getStride()),
        pairAttr(rewriter, {1, 1}));
    return success();
  }
};

struct LinearLowering : OpConversionPattern<LinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value init = emptyTensor(rewriter, loc, op.getType(), adaptor.getInput());
    init = adaptor.getBias()
               ? broadcastChannels(rewriter, loc, adaptor.getBias(), init, 1)
               : fill(rewriter, loc, 0.0, init);
    // x [N, F] · Wᵀ with W [O, F]: B is read transposed, (m, n, k) -> (n, k).
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    auto maps = rewriter.getAffineMapArrayAttr(
        {AffineMap::get(3, 0, {m, k}, ctx), AffineMap::get(3, 0, {n, k}, ctx),
         AffineMap::get(3, 0, {m, n}, ctx)});
    auto matmul = linalg::MatmulOp::create(
        rewriter, loc, TypeRange{op.getType()},
        ValueRange{adaptor.getInput(), adaptor.getWeight()}, ValueRange{init});
    matmul.setIndexingMapsAttr(maps);
    rewriter.replaceOp(op, matmul.getResult(0));
    return success();
  }
};

template <typename OpTy>
struct Pool2dLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, MaxPool2dOp>;
    Location loc = op.getLoc();
    ArrayRef<int64_t> kernel = op.getKernel();
    Value init = emptyTensor(rewriter, loc, op.getType(), adaptor.getInput());
    init = fill(rewriter, loc,
                isMax ? -std::numeric_limits<double>::infinity() : 0.0, init);
    // The pooling ops take the window's shape from a tensor they never read.
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel,
                                           rewriter.getF32Type());
    SmallVector<Value> inputs{adaptor.getInput(), window};
    DenseIntElementsAttr strides = pairAttr(rewriter, op.getStride());
    DenseIntElementsAttr dilations = pairAttr(rewriter, {1, 1});
    Type type = op.getType();
    if constexpr (isMax) {
      rewriter.replaceOpWithNewOp<linalg::PoolingNchwMaxOp>(
          op, type, inputs, init, strides, dilations);
    } else {
      Value sum = linalg::PoolingNchwSumOp::create(rewriter, loc, type, inputs,
                                                   init, strides, dilations)
                      .getResult(0);
      // Scaled in place: a generic with the sum as its only operand.
      double scale = 1.0 / double(kernel[0] * kernel[1]);
      rewriter.replaceOp(
          op, elementwise(rewriter, loc, {}, sum,
                          [&](OpBuilder &b, Location l, ValueRange args) {
                            return arith::MulFOp::create(
                                b, l, args[0], f32Constant(b, l, scale));
                          }));
    }
    return success();
  }
};

/// relu, tanh, sigmoid: one linalg.generic with the scalar function.
template <typename OpTy>
struct UnaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    Value init = emptyTensor(rewriter, loc, op.getType(), input);
    rewriter.replaceOp(op, elementwise(rewriter, loc, input, init, scalar));
    return success();
  }

  static Value scalar(OpBuilder &b, Location loc, ValueRange args) {
    Value x = args[0];
    if constexpr (std::is_same_v<OpTy, ReluOp>) {
      // maximumf propagates NaN, as torch.relu does.
      return arith::MaximumFOp::create(b, loc, x, f32Constant(b, loc, 0.0));
    } else if constexpr (std::is_same_v<OpTy, TanhOp>) {
      return math::TanhOp::create(b, loc, x);
    } else {
      static_assert(std::is_same_v<OpTy, SigmoidOp>);
      // 1 / (1 + exp(−x)): exp overflows to +inf for x < −88, giving 0.
      Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
      Value d = arith::AddFOp::create(b, loc, f32Constant(b, loc, 1.0), e);
      return arith::DivFOp::create(b, loc, f32Constant(b, loc, 1.0), d);
    }
  }
};

struct AddLowering : OpConversionPattern<AddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    // A static batch on one side makes the result's static: cast the other.
    auto cast = [&](Value v) -> Value {
      return v.getType() == type ? v
                                 : tensor::CastOp::create(rewriter, loc, type, v)
                                       .getResult();
    };
    Value lhs = cast(adaptor.getLhs()), rhs = cast(adaptor.getRhs());
    Value init = emptyTensor(rewriter, loc, type, lhs);
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {lhs, rhs}, init,
                        [](OpBuilder &b, Location l, ValueRange args) {
                          return arith::AddFOp::create(b, l, args[0], args[1]);
                        }));
    return success();
  }
};

struct FlattenLowering : OpConversionPattern<FlattenOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FlattenOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    ReassociationIndices features;
    for (int64_t i = 1, e = inputType.getRank(); i < e; ++i)
      features.push_back(i);
    SmallVector<ReassociationIndices> groups{{0}, features};
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, op.getType(), adaptor.getInput(), groups);
    return success();
  }
};

/// y = x · s[c] + (β[c] − mean[c] · s[c]) with s = γ / √(var + eps): the
/// per-channel factor and shift first (C elements), then one multiply-add
/// per element, as PyTorch's CPU kernel does.
struct BatchNormEvalLowering : OpConversionPattern<BatchNormEvalOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormEvalOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double eps = op.getEps().convertToDouble();
    Value scale = bnScale(rewriter, loc, adaptor.getRunningVar(),
                          adaptor.getScale(), eps);
    Value shiftInit = tensor::EmptyOp::create(
        rewriter, loc, cast<RankedTensorType>(scale.getType()).getShape(),
        rewriter.getF32Type());
    SmallVector<Value> shiftInputs{adaptor.getRunningMean(), scale};
    if (adaptor.getShift())
      shiftInputs.push_back(adaptor.getShift());
    Value shift = elementwise(
        rewriter, loc, shiftInputs, shiftInit,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value meanScaled = arith::MulFOp::create(b, l, args[0], args[1]);
          Value beta =
              adaptor.getShift() ? args[2] : f32Constant(b, l, 0.0);
          return arith::SubFOp::create(b, l, beta, meanScaled);
        });

    Value input = adaptor.getInput();
    Value init = emptyTensor(rewriter, loc, op.getType(), input);
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineMap> maps{AffineMap::getMultiDimIdentityMap(4, ctx),
                                channelMap(ctx, 4, 1), channelMap(ctx, 4, 1)};
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {input, scale, shift}, init,
                        [](OpBuilder &b, Location l, ValueRange args) {
                          Value scaled =
                              arith::MulFOp::create(b, l, args[0], args[1]);
                          return arith::AddFOp::create(b, l, scaled, args[2]);
                        },
                        maps));
    return success();
  }
};

/// w'[o, ...] = w[o, ...] · s[o].
struct FoldBnWeightLowering : OpConversionPattern<FoldBnWeightOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FoldBnWeightOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value scale =
        bnScale(rewriter, loc, adaptor.getRunningVar(), adaptor.getScale(),
                op.getEps().convertToDouble());
    RankedTensorType type = op.getType();
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
    MLIRContext *ctx = rewriter.getContext();
    int64_t rank = type.getRank();
    SmallVector<AffineMap> maps{AffineMap::getMultiDimIdentityMap(rank, ctx),
                                channelMap(ctx, rank, 0)};
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {adaptor.getWeight(), scale}, init,
                        [](OpBuilder &b, Location l, ValueRange args) {
                          return arith::MulFOp::create(b, l, args[0], args[1]);
                        },
                        maps));
    return success();
  }
};

/// b'[o] = (b[o] − mean[o]) · s[o] + β[o].
struct FoldBnBiasLowering : OpConversionPattern<FoldBnBiasOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FoldBnBiasOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value scale =
        bnScale(rewriter, loc, adaptor.getRunningVar(), adaptor.getScale(),
                op.getEps().convertToDouble());
    RankedTensorType type = op.getType();
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
    Value bias = adaptor.getBias(), shift = adaptor.getShift();
    SmallVector<Value> inputs{adaptor.getRunningMean(), scale};
    if (bias)
      inputs.push_back(bias);
    if (shift)
      inputs.push_back(shift);
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, inputs, init,
                        [&](OpBuilder &b, Location l, ValueRange args) {
                          Value mean = args[0], s = args[1];
                          Value centred =
                              bias ? arith::SubFOp::create(b, l, args[2], mean)
                                         .getResult()
                                   : arith::NegFOp::create(b, l, mean)
                                         .getResult();
                          Value r = arith::MulFOp::create(b, l, centred, s);
                          if (shift)
                            r = arith::AddFOp::create(b, l, r,
                                                      args[bias ? 3 : 2]);
                          return r;
                        }));
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// The entry ABI
//===----------------------------------------------------------------------===//

static MemRefType bufferTypeOf(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

/// Rewrites `func` to the destination-passing ABI of Passes.td and its
/// parameter reads to views of the arena.
static LogicalResult rewriteEntry(func::FuncOp func,
                                  const llvm::StringMap<uint64_t> &offsets) {
  if (func.isExternal())
    return success();
  if (!func.getBody().hasOneBlock())
    return func.emitOpError("expects a single block to lower to the entry ABI");
  FunctionType type = func.getFunctionType();
  for (Type t : llvm::concat<const Type>(type.getInputs(), type.getResults()))
    if (!isa<RankedTensorType>(t))
      return func.emitOpError("expects ranked tensor arguments and results, "
                              "got ")
             << t;
  WalkResult calls = func.walk([](func::CallOp call) {
    call.emitOpError("is not supported by convert-cnn-to-linalg; run "
                     "-inline first");
    return WalkResult::interrupt();
  });
  if (calls.wasInterrupted())
    return failure();

  MLIRContext *ctx = func.getContext();
  Location loc = func.getLoc();
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);

  // The arena, then the inputs as buffers read through restrict tensors.
  auto arenaType =
      MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 8));
  Value arena = entry.insertArgument(0u, arenaType, loc);
  for (BlockArgument arg : entry.getArguments().drop_front()) {
    Type tensorType = arg.getType();
    arg.setType(bufferTypeOf(tensorType));
    auto tensor = bufferization::ToTensorOp::create(
        b, arg.getLoc(), tensorType, arg, /*restrict=*/true);
    arg.replaceAllUsesExcept(tensor, tensor);
  }

  // One view per parameter read, at the entry, in order of first read:
  // eval-mode code never writes parameters, so every read sees the same
  // value, and one restrict to_tensor per buffer is what restrict demands.
  llvm::DenseMap<StringAttr, Value> views;
  SmallVector<ReadOp> reads;
  func.walk([&](ReadOp read) { reads.push_back(read); });
  for (ReadOp read : reads) {
    StringAttr name = read.getParamAttr().getAttr();
    Value &tensor = views[name];
    if (!tensor) {
      auto offset = offsets.find(name.getValue());
      if (offset == offsets.end())
        return read.emitOpError("reads ")
               << read.getParamAttr() << ", which is not a cnn.param";
      Location readLoc = read.getLoc();
      Value byteShift =
          arith::ConstantIndexOp::create(b, readLoc, int64_t(offset->second));
      Value view = memref::ViewOp::create(
          b, readLoc, bufferTypeOf(read.getType()), arena, byteShift,
          ValueRange{});
      tensor = bufferization::ToTensorOp::create(b, readLoc, read.getType(),
                                                 view, /*restrict=*/true);
    }
  }
  // Only now: the builder inserts before the block's first original op,
  // which may be one of these reads.
  for (ReadOp read : reads) {
    read.replaceAllUsesWith(views[read.getParamAttr().getAttr()]);
    read.erase();
  }

  // The results, written into destinations appended to the arguments.
  auto ret = cast<func::ReturnOp>(entry.getTerminator());
  b.setInsertionPoint(ret);
  for (Value result : ret.getOperands()) {
    Value dest = entry.addArgument(bufferTypeOf(result.getType()), loc);
    bufferization::MaterializeInDestinationOp::create(
        b, ret.getLoc(), TypeRange{}, result, dest, /*restrict=*/true,
        /*writable=*/true);
  }
  func::ReturnOp::create(b, ret.getLoc());
  ret.erase();

  func.setFunctionType(
      FunctionType::get(ctx, entry.getArgumentTypes(), TypeRange{}));
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct ConvertCnnToLinalgPass
    : cnn::impl::ConvertCnnToLinalgBase<ConvertCnnToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!isEvalSpecialized(module)) {
      module.emitError("convert-cnn-to-linalg expects a module specialised "
                       "for eval (cnn.mode = \"eval\"); run "
                       "cnn-specialize-eval first");
      return signalPassFailure();
    }

    FailureOr<ParamLayout> layout = assignParamOffsets(module);
    if (failed(layout))
      return signalPassFailure();
    llvm::StringMap<uint64_t> offsets;
    for (ParamSlot slot : layout->slots)
      offsets[slot.param.getSymName()] = slot.offset;
    for (auto func : module.getOps<func::FuncOp>())
      if (failed(rewriteEntry(func, offsets)))
        return signalPassFailure();

    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect,
                           bufferization::BufferizationDialect,
                           func::FuncDialect, linalg::LinalgDialect,
                           math::MathDialect, memref::MemRefDialect,
                           tensor::TensorDialect>();
    target.addIllegalDialect<CnnDialect>();
    // The layout record and the training configuration stay for the driver.
    target.addLegalOp<ParamOp, TrainConfigOp>();

    RewritePatternSet patterns(ctx);
    patterns.add<AddLowering, BatchNormEvalLowering, Conv2dLowering,
                 FlattenLowering, FoldBnBiasLowering, FoldBnWeightLowering,
                 LinearLowering, Pool2dLowering<AvgPool2dOp>,
                 Pool2dLowering<MaxPool2dOp>, UnaryLowering<ReluOp>,
                 UnaryLowering<SigmoidOp>, UnaryLowering<TanhOp>>(ctx);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
