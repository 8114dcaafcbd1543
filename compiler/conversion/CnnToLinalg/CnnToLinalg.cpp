//===- CnnToLinalg.cpp - lower the cnn dialect to linalg on tensors -------===//
//
// The graph ops, by dialect conversion patterns (see Passes.td for the
// contract), after cnn-lower-entry-abi (EntryAbi.cpp) has rewritten the entry
// ABI: every op keeps its tensor types, so no type converter is involved, and
// an op without a pattern (dropout, the mode-agnostic batch_norm, a cnn.read
// the ABI pass did not see) fails to legalize.
//
//===----------------------------------------------------------------------===//
#include "ChannelLaneConv.h"
#include "LinalgBuilders.h"
#include "TrainOps.h"
#include "conversion/Passes.h"
#include "transforms/Passes.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
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
using namespace cnn::lowering;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

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
    ArrayRef<int64_t> padding = op.getPadding();
    Value input =
        padSpatial(rewriter, loc, adaptor.getInput(), padding, padding);
    auto type = cast<RankedTensorType>(op.getType());
    if (isChannelLaneCount(type.getDimSize(1))) {
      // The filter [F, C, KH, KW] as [KH, KW, C, F].
      Value w = adaptor.getWeight();
      auto wType = cast<RankedTensorType>(w.getType());
      ArrayRef<int64_t> ws = wType.getShape();
      Value init = tensor::EmptyOp::create(
          rewriter, loc, ArrayRef<int64_t>{ws[2], ws[3], ws[1], ws[0]},
          wType.getElementType());
      Value filter = linalg::TransposeOp::create(rewriter, loc, w, init,
                                                 ArrayRef<int64_t>{2, 3, 1, 0})
                         .getResult()[0];
      rewriter.replaceOp(op, channelLaneConv(rewriter, loc, input, filter,
                                             adaptor.getBias(), type,
                                             op.getStride()));
      return success();
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
// Repetition: a loop carrying the activation
//===----------------------------------------------------------------------===//

namespace {
/// cnn.repeat -> scf.for over the iterations; the body moves as it is (its
/// block arguments, index and carried tensor, are scf.for's).
struct RepeatLowering : OpConversionPattern<RepeatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RepeatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto loop = scf::ForOp::create(
        rewriter, loc, arith::ConstantIndexOp::create(rewriter, loc, 0),
        arith::ConstantIndexOp::create(rewriter, loc, op.getCount()),
        arith::ConstantIndexOp::create(rewriter, loc, 1),
        ValueRange{adaptor.getInput()});
    rewriter.eraseBlock(loop.getBody());
    rewriter.inlineRegionBefore(op.getBody(), loop.getRegion(),
                                loop.getRegion().end());
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

struct YieldLowering : OpConversionPattern<YieldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(YieldOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<scf::YieldOp>(op, adaptor.getValue());
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct ConvertCnnToLinalgPass
    : cnn::impl::ConvertCnnToLinalgBase<ConvertCnnToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    StringRef mode = getMode(module);
    if (mode != kEvalMode && mode != kTrainMode) {
      module.emitError("convert-cnn-to-linalg expects a module specialised "
                       "for eval or training (cnn.mode = \"eval\" or "
                       "\"train\"); run cnn-specialize-eval or cnn-train "
                       "first");
      return signalPassFailure();
    }

    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect,
                           bufferization::BufferizationDialect,
                           func::FuncDialect, linalg::LinalgDialect,
                           math::MathDialect, memref::MemRefDialect,
                           scf::SCFDialect, tensor::TensorDialect>();
    target.addIllegalDialect<CnnDialect>();
    // The layout record and the training configuration stay for the driver.
    target.addLegalOp<ParamOp, TrainConfigOp>();

    RewritePatternSet patterns(ctx);
    patterns.add<RepeatLowering, YieldLowering>(ctx);
    patterns.add<AddLowering, BatchNormEvalLowering, Conv2dLowering,
                 FlattenLowering, FoldBnBiasLowering, FoldBnWeightLowering,
                 LinearLowering, Pool2dLowering<AvgPool2dOp>,
                 Pool2dLowering<MaxPool2dOp>, UnaryLowering<ReluOp>,
                 UnaryLowering<SigmoidOp>, UnaryLowering<TanhOp>>(ctx);
    populateTrainOpLoweringPatterns(patterns);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
