//===- TrainOps.cpp - lower the training ops to linalg on tensors ---------===//
//
// The ops of dialect/include/cnn/CnnTrainOps.td, each as the math of its
// description: elementwise work as linalg.generic, reductions as
// linalg.generic with reduction iterators, the data-movement gradients
// (pooling) as gathers over the gradient's positions (max_pool2d_grad over
// non-overlapping windows as strided slices instead), matmuls and the conv
// input gradient as linalg named ops.
//
// Sums over the batch (conv weight and bias gradients, batchnorm
// statistics) are laneSums: a partial sum that keeps the image's columns
// apart, which CpuTileAndFuse vectorises with the accumulator in registers
// across the batch, then a small sum of the columns.
//
// Per-channel statistics (batchnorm's mean and variance, its backward sums)
// and the penalty accumulate in f64, as PyTorch's CPU kernels do (their
// acc_type of float is double): they sum up to N·H·W values.
//
//===----------------------------------------------------------------------===//
#include "TrainOps.h"
#include "ChannelLaneConv.h"
#include "LinalgBuilders.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace cnn;
using namespace cnn::lowering;

namespace {

using utils::IteratorType;
constexpr IteratorType kPar = IteratorType::parallel;
constexpr IteratorType kRed = IteratorType::reduction;

Value f64Constant(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(value));
}
Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}
Value i32Constant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(int32_t(value)));
}

/// An index as a float of `type` (f32 or f64).
Value indexToFloat(OpBuilder &b, Location loc, Value index, FloatType type) {
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  return arith::SIToFPOp::create(b, loc, type, i64);
}

/// The batch size of `t` (dimension 0) times `perSample`, as a float.
Value countOf(OpBuilder &b, Location loc, Value t, int64_t perSample,
              FloatType type) {
  Value n = tensor::DimOp::create(b, loc, t, 0);
  Value count = arith::MulIOp::create(b, loc, n, indexConstant(b, loc, perSample));
  return indexToFloat(b, loc, count, type);
}

/// A zero-filled tensor of `shape` and `element` type, for accumulators.
Value zeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
            Type element) {
  Value init = tensor::EmptyOp::create(b, loc, shape, element);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  return linalg::FillOp::create(b, loc, zero, init).getResult(0);
}

using MultiFn = function_ref<SmallVector<Value>(OpBuilder &, Location,
                                                ValueRange)>;

/// A linalg.generic with explicit maps and iterators, one result per init;
/// `body` returns one value per init.
linalg::GenericOp generic(OpBuilder &b, Location loc, ValueRange inputs,
                          ValueRange inits, ArrayRef<AffineMap> maps,
                          ArrayRef<IteratorType> iterators, MultiFn body) {
  return linalg::GenericOp::create(
      b, loc, ValueRange(inits).getTypes(), inputs, inits, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
      });
}

AffineMap identityMap(MLIRContext *ctx, int64_t rank) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx);
}

/// A sum whose reductions include the batch, in two steps that vectorize:
/// `partial` iterates (parallel dims..., lane | reductions...) and keeps its
/// last parallel dimension, the lane (a row of the image), apart; the result
/// then sums the lanes. CpuTileAndFuse runs `partial` as steps of one sample
/// each, a register tile of its last two parallel dimensions, whose
/// accumulator stays in registers across the batch: the sum needs no
/// horizontal reduction per step and no store per term.
///
/// `inputMaps` read `inputs` over the iteration; `parallelShape` holds the
/// parallel ranges (the lane last); `resultMap` maps the parallel dims but
/// the lane (of the same iteration) to the result's dims; `term` gets the
/// inputs' elements and returns the summand, of type `element`.
Value laneSum(OpBuilder &b, Location loc, ValueRange inputs,
              ArrayRef<AffineMap> inputMaps, ArrayRef<int64_t> parallelShape,
              unsigned numReductions, AffineMap resultMap,
              ArrayRef<int64_t> resultShape, Type element, ScalarFn term) {
  MLIRContext *ctx = b.getContext();
  unsigned numParallel = parallelShape.size();
  unsigned numLoops = numParallel + numReductions;
  SmallVector<AffineMap> maps(inputMaps);
  SmallVector<AffineExpr> parallelDims;
  for (unsigned d = 0; d < numParallel; ++d)
    parallelDims.push_back(getAffineDimExpr(d, ctx));
  maps.push_back(AffineMap::get(numLoops, 0, parallelDims, ctx));
  SmallVector<IteratorType> iterators(numParallel, kPar);
  iterators.append(numReductions, kRed);
  Value partial =
      generic(b, loc, inputs, zeros(b, loc, parallelShape, element), maps,
              iterators,
              [&](OpBuilder &nb, Location l, ValueRange args) {
                Value t = term(nb, l, args.drop_back());
                return SmallVector<Value>{
                    arith::AddFOp::create(nb, l, args.back(), t)};
              })
          .getResult(0);
  SmallVector<IteratorType> laneIterators(numParallel - 1, kPar);
  laneIterators.push_back(kRed);
  return generic(b, loc, partial, zeros(b, loc, resultShape, element),
                 {identityMap(ctx, numParallel), resultMap}, laneIterators,
                 [](OpBuilder &nb, Location l, ValueRange args) {
                   return SmallVector<Value>{
                       arith::AddFOp::create(nb, l, args[1], args[0])};
                 })
      .getResult(0);
}

/// Per-channel sums over an [N, C, ...] iteration in f64: one result per
/// term of `body` (which gets the inputs' elements at each position, read
/// with `inputMaps`, and returns the f64 terms). Returns the [C] f64
/// accumulators. Over [N, C, H, W], each term is a laneSum over (c, w | n,
/// h), the f64 accumulation kept.
SmallVector<Value> channelSums(OpBuilder &b, Location loc, int64_t rank,
                               int64_t channels, ValueRange inputs,
                               ArrayRef<AffineMap> inputMaps, unsigned terms,
                               function_ref<SmallVector<Value>(
                                   OpBuilder &, Location, ValueRange)>
                                   body) {
  MLIRContext *ctx = b.getContext();
  if (rank == 4 && llvm::all_of(inputs, [](Value v) {
        auto type = cast<RankedTensorType>(v.getType());
        return type.getRank() != 4 || !type.isDynamicDim(3);
      })) {
    // (n, c, h, w) seen from the iteration (c, w | n, h).
    AffineExpr c, w, n, h;
    bindDims(ctx, c, w, n, h);
    AffineMap perm = AffineMap::get(4, 0, {n, c, h, w}, ctx);
    SmallVector<AffineMap> maps;
    for (AffineMap map : inputMaps)
      maps.push_back(map.compose(perm));
    int64_t width = 0;
    for (Value v : inputs) {
      auto type = cast<RankedTensorType>(v.getType());
      if (type.getRank() == 4)
        width = type.getDimSize(3);
    }
    SmallVector<Value> sums;
    for (unsigned i = 0; i < terms; ++i)
      sums.push_back(laneSum(
          b, loc, inputs, maps, {channels, width}, 2,
          AffineMap::get(2, 0, {c}, ctx), {channels}, b.getF64Type(),
          [&](OpBuilder &nb, Location l, ValueRange args) {
            return body(nb, l, args)[i];
          }));
    return sums;
  }
  SmallVector<Value> inits;
  for (unsigned i = 0; i < terms; ++i)
    inits.push_back(zeros(b, loc, {channels}, b.getF64Type()));
  SmallVector<AffineMap> maps(inputMaps);
  for (unsigned i = 0; i < terms; ++i)
    maps.push_back(channelMap(ctx, rank, 1));
  SmallVector<IteratorType> iterators(rank, kRed);
  iterators[1] = kPar;
  auto op = generic(b, loc, inputs, inits, maps, iterators,
                    [&](OpBuilder &nb, Location nloc, ValueRange args) {
                      SmallVector<Value> t = body(nb, nloc, args);
                      SmallVector<Value> sums;
                      for (unsigned i = 0; i < terms; ++i)
                        sums.push_back(arith::AddFOp::create(
                            nb, nloc, args[inputs.size() + i], t[i]));
                      return sums;
                    });
  return SmallVector<Value>(op.getResults());
}


//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

/// Philox-4x32-10 (Salmon et al., SC'11) on i32 values; returns x0.
Value philoxFirstWord(OpBuilder &b, Location loc, std::array<Value, 4> c,
                      std::array<Value, 2> k) {
  Value m0 = i32Constant(b, loc, int32_t(0xD2511F53u));
  Value m1 = i32Constant(b, loc, int32_t(0xCD9E8D57u));
  Value w0 = i32Constant(b, loc, int32_t(0x9E3779B9u));
  Value w1 = i32Constant(b, loc, int32_t(0xBB67AE85u));
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] = arith::AddIOp::create(b, loc, k[0], w0);
      k[1] = arith::AddIOp::create(b, loc, k[1], w1);
    }
    auto p0 = arith::MulUIExtendedOp::create(b, loc, m0, c[0]);
    auto p1 = arith::MulUIExtendedOp::create(b, loc, m1, c[2]);
    Value x0 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, p1.getHigh(), c[1]), k[0]);
    Value x2 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, p0.getHigh(), c[3]), k[1]);
    c = {x0, p1.getLow(), x2, p0.getLow()};
  }
  return c[0];
}

struct DropoutMaskLowering : OpConversionPattern<DropoutMaskOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DropoutMaskOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double p = op.getP().convertToDouble();
    RankedTensorType type = op.getType();
    int64_t e = type.getDimSize(1);
    // uniform(x0) = (x0 >> 8)·2⁻²⁴ >= p  <=>  (x0 >> 8) >= ⌈p·2²⁴⌉.
    int64_t threshold = int64_t(std::ceil(p * 16777216.0));
    float keep = 1.0f / float(1.0 - p);
    Value given = adaptor.getGiven();
    Value seed = adaptor.getSeed(), step = adaptor.getStep();
    Value site = i32Constant(rewriter, loc, op.getSite());
    Value useGiven = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::ne, adaptor.getMasksGiven(),
        i32Constant(rewriter, loc, 0));
    auto lo32 = [&](Value v) {
      return arith::TruncIOp::create(rewriter, loc, rewriter.getI32Type(), v)
          .getResult();
    };
    auto hi32 = [&](Value v) {
      Value shifted = arith::ShRUIOp::create(
          rewriter, loc, v,
          arith::ConstantOp::create(rewriter, loc,
                                    rewriter.getI64IntegerAttr(32)));
      return lo32(shifted);
    };
    Value key0 = lo32(seed), key1 = hi32(seed);
    Value step0 = lo32(step), step1 = hi32(step);
    Value init = emptyTensor(rewriter, loc, type, given);
    Value mask = elementwise(
        rewriter, loc, given, init,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value n = linalg::IndexOp::create(b, l, 0);
          Value j = linalg::IndexOp::create(b, l, 1);
          Value flat = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, n, indexConstant(b, l, e)), j);
          Value counter = arith::IndexCastUIOp::create(b, l, b.getI32Type(),
                                                       flat);
          Value x0 = philoxFirstWord(b, l, {counter, site, step0, step1},
                                     {key0, key1});
          Value bits = arith::ShRUIOp::create(b, l, x0, i32Constant(b, l, 8));
          Value kept = arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge,
                                             bits,
                                             i32Constant(b, l, threshold));
          Value generated = arith::SelectOp::create(
              b, l, kept, f32Constant(b, l, keep), f32Constant(b, l, 0.0));
          return arith::SelectOp::create(b, l, useGiven, args[0], generated)
              .getResult();
        });
    rewriter.replaceOp(op, mask);
    return success();
  }
};

struct ApplyMaskLowering : OpConversionPattern<ApplyMaskOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ApplyMaskOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value input = adaptor.getInput(), mask = adaptor.getMask();
    int64_t rank = type.getRank();
    MLIRContext *ctx = rewriter.getContext();
    AffineMap maskMap = identityMap(ctx, rank);
    if (rank == 4) {
      auto maskType = cast<RankedTensorType>(mask.getType());
      if (maskType.getDimSize(1) == type.getDimSize(1)) {
        // dropout2d: one value per (sample, channel).
        maskMap = AffineMap::get(4, 0,
                                 {getAffineDimExpr(0, ctx),
                                  getAffineDimExpr(1, ctx)},
                                 ctx);
      } else {
        // dropout on [N, C, H, W]: the mask is the sample, row-major.
        mask = tensor::ExpandShapeOp::create(
            rewriter, loc, type, mask,
            SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
      }
    }
    Value init = emptyTensor(rewriter, loc, type, input);
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {input, mask}, init,
                        [](OpBuilder &b, Location l, ValueRange args) {
                          return arith::MulFOp::create(b, l, args[0], args[1]);
                        },
                        {identityMap(ctx, rank), maskMap}));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Batchnorm
//===----------------------------------------------------------------------===//

struct BatchNormTrainLowering : OpConversionPattern<BatchNormTrainOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormTrainOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t rank = type.getRank(), channels = type.getDimSize(1);
    int64_t perSample = 1;
    for (int64_t i = 2; i < rank; ++i)
      perSample *= type.getDimSize(i);
    double eps = op.getEps().convertToDouble();
    double momentum = op.getMomentum().convertToDouble();
    FloatType f64 = rewriter.getF64Type();
    Value count = countOf(rewriter, loc, x, perSample, f64);
    AffineMap id = identityMap(ctx, rank), chan = channelMap(ctx, rank, 1);
    AffineMap id1 = identityMap(ctx, 1);

    // μ = Σx / M, then σ²_b = Σ(x − μ)² / M: two passes, as PyTorch's.
    Value sum = channelSums(rewriter, loc, rank, channels, x, {id}, 1,
                            [&](OpBuilder &b, Location l, ValueRange args) {
                              return SmallVector<Value>{
                                  arith::ExtFOp::create(b, l, f64, args[0])};
                            })[0];
    Value mean64 = elementwise(
        rewriter, loc, sum, tensor::EmptyOp::create(rewriter, loc, channels, f64),
        [&](OpBuilder &b, Location l, ValueRange args) {
          return arith::DivFOp::create(b, l, args[0], count).getResult();
        });
    Value sq = channelSums(
        rewriter, loc, rank, channels, {x, mean64}, {id, chan}, 1,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value d = arith::SubFOp::create(
              b, l, arith::ExtFOp::create(b, l, f64, args[0]), args[1]);
          return SmallVector<Value>{arith::MulFOp::create(b, l, d, d)};
        })[0];

    // Per channel: mean, invstd, new running statistics (f32 results).
    SmallVector<Value> inits;
    for (int i = 0; i < 4; ++i)
      inits.push_back(tensor::EmptyOp::create(rewriter, loc, channels,
                                              rewriter.getF32Type()));
    auto stats = generic(
        rewriter, loc,
        {mean64, sq, adaptor.getRunningMean(), adaptor.getRunningVar()}, inits,
        SmallVector<AffineMap>(8, id1), {kPar},
        [&](OpBuilder &b, Location l, ValueRange args) {
          FloatType f32 = b.getF32Type();
          Value mu = args[0];
          Value var = arith::DivFOp::create(b, l, args[1], count);
          Value invstd = arith::DivFOp::create(
              b, l, f64Constant(b, l, 1.0),
              math::SqrtOp::create(
                  b, l, arith::AddFOp::create(b, l, var, f64Constant(b, l, eps))));
          Value unbiased = arith::DivFOp::create(
              b, l, args[1],
              arith::SubFOp::create(b, l, count, f64Constant(b, l, 1.0)));
          Value m = f64Constant(b, l, momentum);
          Value keep = f64Constant(b, l, 1.0 - momentum);
          auto blend = [&](Value running, Value batch) {
            Value r = arith::ExtFOp::create(b, l, f64, running);
            return arith::AddFOp::create(
                b, l, arith::MulFOp::create(b, l, keep, r),
                arith::MulFOp::create(b, l, m, batch));
          };
          SmallVector<Value> out{mu, invstd, blend(args[2], mu),
                                 blend(args[3], unbiased)};
          for (Value &v : out)
            v = arith::TruncFOp::create(b, l, f32, v);
          return out;
        });
    Value mean = stats.getResult(0), invstd = stats.getResult(1);

    // y = x·α + β' with α = s·γ, β' = β − μ·α: PyTorch's form, so that
    // values near a following relu's kink round as PyTorch's do.
    SmallVector<Value> coeffInputs{mean, invstd};
    Value scale = adaptor.getScale(), shift = adaptor.getShift();
    if (scale)
      coeffInputs.append({scale, shift});
    auto coeffs = generic(
        rewriter, loc, coeffInputs,
        {tensor::EmptyOp::create(rewriter, loc, channels, rewriter.getF32Type()),
         tensor::EmptyOp::create(rewriter, loc, channels,
                                 rewriter.getF32Type())},
        SmallVector<AffineMap>(coeffInputs.size() + 2, id1), {kPar},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value alpha = scale ? arith::MulFOp::create(b, l, args[1], args[2])
                                    .getResult()
                              : args[1];
          Value meanAlpha = arith::MulFOp::create(b, l, args[0], alpha);
          Value beta = scale ? arith::SubFOp::create(b, l, args[3], meanAlpha)
                                   .getResult()
                             : arith::NegFOp::create(b, l, meanAlpha)
                                   .getResult();
          return SmallVector<Value>{alpha, beta};
        });
    Value y = elementwise(
        rewriter, loc, {x, coeffs.getResult(0), coeffs.getResult(1)},
        emptyTensor(rewriter, loc, type, x),
        [&](OpBuilder &b, Location l, ValueRange args) {
          return arith::AddFOp::create(
                     b, l, arith::MulFOp::create(b, l, args[0], args[1]),
                     args[2])
              .getResult();
        },
        {id, chan, chan});
    rewriter.replaceOp(op, {y, mean, invstd, stats.getResult(2),
                            stats.getResult(3)});
    return success();
  }
};

/// PyTorch's batch_norm_backward (train): with dotp = Σ(x − μ)·dy and
/// Σdy per channel, dx = (dy − (x − μ)·dotp·s²/M − Σdy/M)·s·γ,
/// dγ = dotp·s, dβ = Σdy; sums and dx in f64, as PyTorch's CPU kernel.
struct BatchNormTrainGradLowering : OpConversionPattern<BatchNormTrainGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormTrainGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput(), dy = adaptor.getOutputGrad();
    Value mean = adaptor.getBatchMean(), invstd = adaptor.getBatchInvstd();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t rank = type.getRank(), channels = type.getDimSize(1);
    int64_t perSample = 1;
    for (int64_t i = 2; i < rank; ++i)
      perSample *= type.getDimSize(i);
    FloatType f64 = rewriter.getF64Type();
    FloatType f32 = rewriter.getF32Type();
    AffineMap id = identityMap(ctx, rank), chan = channelMap(ctx, rank, 1);
    AffineMap id1 = identityMap(ctx, 1);

    SmallVector<Value> sums = channelSums(
        rewriter, loc, rank, channels, {x, dy, mean}, {id, id, chan}, 2,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value g = arith::ExtFOp::create(b, l, f64, args[1]);
          Value d = arith::SubFOp::create(
              b, l, arith::ExtFOp::create(b, l, f64, args[0]),
              arith::ExtFOp::create(b, l, f64, args[2]));
          return SmallVector<Value>{g, arith::MulFOp::create(b, l, d, g)};
        });
    Value count = countOf(rewriter, loc, x, perSample, f64);

    // Per channel: dγ, dβ (f32), and the factors of dx (f64): dx is a small
    // difference of large terms, which PyTorch forms in double too.
    SmallVector<Value> inits{
        tensor::EmptyOp::create(rewriter, loc, channels, f32),
        tensor::EmptyOp::create(rewriter, loc, channels, f32),
        tensor::EmptyOp::create(rewriter, loc, channels, f64),
        tensor::EmptyOp::create(rewriter, loc, channels, f64),
        tensor::EmptyOp::create(rewriter, loc, channels, f64)};
    SmallVector<Value> inputs{sums[0], sums[1], invstd};
    Value scale = adaptor.getScale();
    if (scale)
      inputs.push_back(scale);
    SmallVector<AffineMap> maps(inputs.size() + inits.size(), id1);
    auto factors = generic(
        rewriter, loc, inputs, inits, maps, {kPar},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value sumDy = args[0], dotp = args[1];
          Value s = arith::ExtFOp::create(b, l, f64, args[2]);
          Value gamma = scale ? arith::ExtFOp::create(b, l, f64, args[3])
                                    .getResult()
                              : f64Constant(b, l, 1.0);
          Value gradMean = arith::DivFOp::create(b, l, sumDy, count);
          Value proj = arith::DivFOp::create(
              b, l,
              arith::MulFOp::create(b, l, dotp,
                                    arith::MulFOp::create(b, l, s, s)),
              count);
          Value dGamma = arith::TruncFOp::create(
              b, l, f32, arith::MulFOp::create(b, l, dotp, s));
          Value dBeta = arith::TruncFOp::create(b, l, f32, sumDy);
          return SmallVector<Value>{dGamma, dBeta, gradMean, proj,
                                    arith::MulFOp::create(b, l, s, gamma)};
        });

    // dx = (dy − (x − μ)·proj − Σdy/M)·s·γ.
    Value dx = elementwise(
        rewriter, loc,
        {x, dy, mean, factors.getResult(2), factors.getResult(3),
         factors.getResult(4)},
        emptyTensor(rewriter, loc, type, x),
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto wide = [&](Value v) {
            return arith::ExtFOp::create(b, l, f64, v).getResult();
          };
          Value centred = arith::SubFOp::create(b, l, wide(args[0]),
                                                wide(args[2]));
          Value r = arith::SubFOp::create(
              b, l,
              arith::SubFOp::create(
                  b, l, wide(args[1]),
                  arith::MulFOp::create(b, l, centred, args[4])),
              args[3]);
          r = arith::MulFOp::create(b, l, r, args[5]);
          return arith::TruncFOp::create(b, l, f32, r).getResult();
        },
        {id, id, chan, chan, chan, chan});
    rewriter.replaceOp(op, {dx, factors.getResult(0), factors.getResult(1)});
    return success();
  }
};

struct IncrementLowering : OpConversionPattern<IncrementOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IncrementOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, adaptor.getInput(), init,
                        [&](OpBuilder &b, Location l, ValueRange args) {
                          Value one = arith::ConstantOp::create(
                              b, l, b.getIntegerAttr(type.getElementType(), 1));
                          return arith::AddIOp::create(b, l, args[0], one);
                        }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Loss and penalty
//===----------------------------------------------------------------------===//

/// Per row of the logits [N, K]: the maximum m and Σ exp(z − m).
std::pair<Value, Value> rowMaxAndSumExp(OpBuilder &b, Location loc, Value z) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(z.getType());
  auto rowType = RankedTensorType::get({type.getDimSize(0)}, b.getF32Type());
  AffineExpr n = getAffineDimExpr(0, ctx);
  AffineMap id = identityMap(ctx, 2), row = AffineMap::get(2, 0, {n}, ctx);
  Value init = emptyTensor(b, loc, rowType, z);
  Value m = generic(b, loc, z,
                    fill(b, loc, -std::numeric_limits<double>::infinity(), init),
                    {id, row}, {kPar, kRed},
                    [](OpBuilder &nb, Location l, ValueRange args) {
                      return SmallVector<Value>{
                          arith::MaximumFOp::create(nb, l, args[0], args[1])};
                    })
                .getResult(0);
  Value s = generic(b, loc, {z, m}, fill(b, loc, 0.0, init), {id, row, row},
                    {kPar, kRed},
                    [](OpBuilder &nb, Location l, ValueRange args) {
                      Value e = math::ExpOp::create(
                          nb, l, arith::SubFOp::create(nb, l, args[0], args[1]));
                      return SmallVector<Value>{
                          arith::AddFOp::create(nb, l, args[2], e)};
                    })
                .getResult(0);
  return {m, s};
}

struct CrossEntropyLowering : OpConversionPattern<CrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value z = adaptor.getLogits(), labels = adaptor.getLabels();
    auto [m, s] = rowMaxAndSumExp(rewriter, loc, z);
    // Σ_n (m + log s − z[n, label]) in f64, then / N.
    AffineMap id1 = identityMap(ctx, 1);
    AffineMap scalar = AffineMap::get(1, 0, {}, ctx);
    FloatType f64 = rewriter.getF64Type();
    Value total =
        generic(rewriter, loc, {m, s, labels}, zeros(rewriter, loc, {}, f64),
                {id1, id1, id1, scalar}, {kRed},
                [&](OpBuilder &b, Location l, ValueRange args) {
                  Value n = linalg::IndexOp::create(b, l, 0);
                  Value k = arith::IndexCastOp::create(b, l, b.getIndexType(),
                                                       args[2]);
                  Value zl = tensor::ExtractOp::create(b, l, z, ValueRange{n, k});
                  Value lse = arith::AddFOp::create(
                      b, l, args[0], math::LogOp::create(b, l, args[1]));
                  Value term = arith::SubFOp::create(b, l, lse, zl);
                  return SmallVector<Value>{arith::AddFOp::create(
                      b, l, args[3], arith::ExtFOp::create(b, l, f64, term))};
                })
            .getResult(0);
    Value count = countOf(rewriter, loc, z, 1, f64);
    Value init = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{},
                                         rewriter.getF32Type());
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, total, init,
                        [&](OpBuilder &b, Location l, ValueRange args) {
                          Value mean = arith::DivFOp::create(b, l, args[0], count);
                          return arith::TruncFOp::create(b, l, b.getF32Type(),
                                                         mean)
                              .getResult();
                        }));
    return success();
  }
};

struct CrossEntropyGradLowering : OpConversionPattern<CrossEntropyGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CrossEntropyGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value z = adaptor.getLogits(), labels = adaptor.getLabels();
    auto [m, s] = rowMaxAndSumExp(rewriter, loc, z);
    Value count = countOf(rewriter, loc, z, 1, rewriter.getF32Type());
    AffineExpr n = getAffineDimExpr(0, ctx);
    AffineMap row = AffineMap::get(2, 0, {n}, ctx);
    auto type = cast<RankedTensorType>(op.getType());
    rewriter.replaceOp(
        op, elementwise(
                rewriter, loc, {z, m, s, labels},
                emptyTensor(rewriter, loc, type, z),
                [&](OpBuilder &b, Location l, ValueRange args) {
                  Value p = arith::DivFOp::create(
                      b, l,
                      math::ExpOp::create(
                          b, l, arith::SubFOp::create(b, l, args[0], args[1])),
                      args[2]);
                  Value k = linalg::IndexOp::create(b, l, 1);
                  Value label = arith::IndexCastOp::create(
                      b, l, b.getIndexType(), args[3]);
                  Value hit = arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::eq, k, label);
                  Value onehot = arith::SelectOp::create(
                      b, l, hit, f32Constant(b, l, 1.0), f32Constant(b, l, 0.0));
                  return arith::DivFOp::create(
                             b, l, arith::SubFOp::create(b, l, p, onehot), count)
                      .getResult();
                },
                {identityMap(ctx, 2), row, row, row}));
    return success();
  }
};

struct PenaltyLowering : OpConversionPattern<PenaltyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PenaltyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    FloatType f64 = rewriter.getF64Type();
    // Σp² and Σ|p| over every tensor, in f64.
    Value sq = zeros(rewriter, loc, {}, f64), abs = zeros(rewriter, loc, {}, f64);
    for (Value p : adaptor.getParams()) {
      int64_t rank = cast<RankedTensorType>(p.getType()).getRank();
      AffineMap scalar = AffineMap::get(rank, 0, {}, ctx);
      auto sums = generic(
          rewriter, loc, p, {sq, abs},
          {identityMap(ctx, rank), scalar, scalar},
          SmallVector<IteratorType>(rank, kRed),
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value v = arith::ExtFOp::create(b, l, f64, args[0]);
            return SmallVector<Value>{
                arith::AddFOp::create(b, l, args[1],
                                      arith::MulFOp::create(b, l, v, v)),
                arith::AddFOp::create(b, l, args[2],
                                      math::AbsFOp::create(b, l, v))};
          });
      sq = sums.getResult(0);
      abs = sums.getResult(1);
    }
    Value l2 = adaptor.getL2(), l1 = adaptor.getL1();
    Value init = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{},
                                         rewriter.getF32Type());
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {sq, abs}, init,
                        [&](OpBuilder &b, Location l, ValueRange args) {
                          FloatType f32 = b.getF32Type();
                          Value a = arith::MulFOp::create(
                              b, l, l2, arith::TruncFOp::create(b, l, f32, args[0]));
                          Value c = arith::MulFOp::create(
                              b, l, l1, arith::TruncFOp::create(b, l, f32, args[1]));
                          return arith::AddFOp::create(b, l, a, c).getResult();
                        }));
    return success();
  }
};

struct PackLossLowering : OpConversionPattern<PackLossOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PackLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value ce = tensor::ExtractOp::create(rewriter, loc, adaptor.getCrossEntropy(),
                                         ValueRange{});
    Value pen = tensor::ExtractOp::create(rewriter, loc, adaptor.getPenalty(),
                                          ValueRange{});
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(),
                                                        ValueRange{ce, pen});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Gradients of conv2d and linear
//===----------------------------------------------------------------------===//

/// dx = conv(pad(dilate(dy)), w flipped and transposed), stride 1: each
/// input position collects the output positions whose window covers it.
struct Conv2dInputGradLowering : OpConversionPattern<Conv2dInputGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2dInputGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value dy = adaptor.getOutputGrad(), w = adaptor.getWeight();
    auto dyType = cast<RankedTensorType>(dy.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    auto type = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding();
    int64_t o = wType.getDimSize(0), c = wType.getDimSize(1);
    int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
    int64_t k[2] = {kh, kw};

    // Zeros between dy's rows and columns for a stride above 1.
    if (stride[0] != 1 || stride[1] != 1) {
      SmallVector<int64_t> shape(dyType.getShape());
      for (int i = 0; i < 2; ++i)
        shape[2 + i] = (shape[2 + i] - 1) * stride[i] + 1;
      auto dilatedType = dyType.clone(shape);
      Value zero = fill(rewriter, loc, 0.0,
                        emptyTensor(rewriter, loc, dilatedType, dy));
      SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, dy);
      SmallVector<OpFoldResult> strides{
          rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
          rewriter.getIndexAttr(stride[0]), rewriter.getIndexAttr(stride[1])};
      dy = tensor::InsertSliceOp::create(rewriter, loc, dy, zero, offsets,
                                         sizes, strides);
      dyType = dilatedType;
    }
    int64_t low[2], high[2];
    for (int i = 0; i < 2; ++i) {
      low[i] = k[i] - 1 - padding[i];
      high[i] = type.getDimSize(2 + i) + k[i] - 1 - dyType.getDimSize(2 + i) -
                low[i];
      if (low[i] < 0 || high[i] < 0)
        return rewriter.notifyMatchFailure(
            op, "padding beyond kernel − 1 is not supported");
    }
    Value padded = padSpatial(rewriter, loc, dy, low, high);

    // With c a lane: dx = Σ_{o, i, j} padded[n, o, h + i, w + j] ·
    // w[o, c, KH − 1 − i, KW − 1 − j] from the filter laid out [i, j, o, c]
    // (a gather: a map with negative coefficients would defeat the tiling's
    // slicing).
    if (isChannelLaneCount(c)) {
      Value filterInit = tensor::EmptyOp::create(
          rewriter, loc, ArrayRef<int64_t>{kh, kw, o, c},
          rewriter.getF32Type());
      Value filter = elementwise(
          rewriter, loc, {}, filterInit,
          [&](OpBuilder &b, Location l, ValueRange) {
            Value i = arith::SubIOp::create(b, l, indexConstant(b, l, kh - 1),
                                            linalg::IndexOp::create(b, l, 0));
            Value j = arith::SubIOp::create(b, l, indexConstant(b, l, kw - 1),
                                            linalg::IndexOp::create(b, l, 1));
            Value oi = linalg::IndexOp::create(b, l, 2);
            Value ci = linalg::IndexOp::create(b, l, 3);
            return tensor::ExtractOp::create(b, l, w, ValueRange{oi, ci, i, j})
                .getResult();
          });
      rewriter.replaceOp(op, channelLaneConv(rewriter, loc, padded, filter,
                                             Value(), type, {1, 1}));
      return success();
    }

    // w'[c, o, i, j] = w[o, c, KH − 1 − i, KW − 1 − j], as a gather: a
    // map with negative coefficients would defeat the tiling's slicing.
    Value flippedInit = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<int64_t>{c, o, kh, kw}, rewriter.getF32Type());
    Value flipped = elementwise(
        rewriter, loc, {}, flippedInit,
        [&](OpBuilder &b, Location l, ValueRange) {
          Value ci = linalg::IndexOp::create(b, l, 0);
          Value oi = linalg::IndexOp::create(b, l, 1);
          Value i = arith::SubIOp::create(b, l, indexConstant(b, l, kh - 1),
                                          linalg::IndexOp::create(b, l, 2));
          Value j = arith::SubIOp::create(b, l, indexConstant(b, l, kw - 1),
                                          linalg::IndexOp::create(b, l, 3));
          return tensor::ExtractOp::create(b, l, w, ValueRange{oi, ci, i, j})
              .getResult();
        });

    Value init = fill(rewriter, loc, 0.0, emptyTensor(rewriter, loc, type, dy));
    rewriter.replaceOpWithNewOp<linalg::Conv2DNchwFchwOp>(
        op, TypeRange{type}, ValueRange{padded, flipped}, ValueRange{init},
        pairAttr(rewriter, {1, 1}), pairAttr(rewriter, {1, 1}));
    return success();
  }
};

/// The channel count of a conv weight gradient that serves as the vector
/// lane of channelLaneWeightGrad, or 0 where the column lane is better.
/// A lane is a multiple of 16 floats (whole AVX-512 registers); the other
/// channel count gives the register tile's rows, so it must fill a few.
enum class LaneChannel { None, Input, Output };
LaneChannel laneChannelFor(int64_t o, int64_t c) {
  if (c % 16 == 0 && o >= 8)
    return LaneChannel::Input;
  if (o % 16 == 0 && c >= 8)
    return LaneChannel::Output;
  return LaneChannel::None;
}

/// dw[o, c, i, j] = Σ_{n, oh, ow} dy[n, o, oh, ow]·xpad[n, c, oh·sh + i,
/// ow·sw + j] with channels as the vector lane: over channels-last copies of
/// dy and xpad, each step is an outer product of `rows` values of one
/// operand (broadcast) with `lanes` contiguous values of the other. The
/// iteration is (ro, i, j, ri, l | n, oh, ow) where l is the lane channel
/// and ro·rows + ri the other one (the threads split ro); its result
/// [ro, kh, kw, ri, l] is permuted and reshaped into [o, c, kh, kw].
Value channelLaneWeightGrad(OpBuilder &b, Location loc, Value xpad, Value dy,
                            RankedTensorType type, ArrayRef<int64_t> stride,
                            LaneChannel lane, int64_t rows) {
  MLIRContext *ctx = b.getContext();
  int64_t o = type.getDimSize(0), c = type.getDimSize(1);
  int64_t kh = type.getDimSize(2), kw = type.getDimSize(3);
  bool inputLane = lane == LaneChannel::Input;
  int64_t lanes = inputLane ? c : o, other = inputLane ? o : c;
  Value xT = channelsLast(b, loc, xpad), dyT = channelsLast(b, loc, dy);
  AffineExpr ro, i, j, ri, l, n, h, w;
  bindDims(ctx, ro, i, j, ri, l, n, h, w);
  AffineExpr r = ro * rows + ri;
  AffineExpr xc = inputLane ? l : r, dyc = inputLane ? r : l;
  SmallVector<AffineMap> maps{
      AffineMap::get(8, 0, {n, h * stride[0] + i, w * stride[1] + j, xc}, ctx),
      AffineMap::get(8, 0, {n, h, w, dyc}, ctx),
      AffineMap::get(8, 0, {ro, i, j, ri, l}, ctx)};
  SmallVector<int64_t> partialShape{other / rows, kh, kw, rows, lanes};
  Value partial =
      generic(b, loc, {xT, dyT}, zeros(b, loc, partialShape, b.getF32Type()),
              maps, {kPar, kPar, kPar, kPar, kPar, kRed, kRed, kRed},
              [](OpBuilder &nb, Location nl, ValueRange args) {
                Value t = arith::MulFOp::create(nb, nl, args[0], args[1]);
                return SmallVector<Value>{
                    arith::AddFOp::create(nb, nl, args[2], t)};
              })
          .getResult(0);
  // [ro, i, j, ri, l] -> [ro, ri, l, i, j] (input lane: o = (ro, ri), c = l)
  // or [ro, ri, i, j] with l first (output lane: o = l, c = (ro, ri)).
  SmallVector<int64_t> perm = inputLane ? SmallVector<int64_t>{0, 3, 4, 1, 2}
                                        : SmallVector<int64_t>{4, 0, 3, 1, 2};
  SmallVector<int64_t> permShape;
  for (int64_t d : perm)
    permShape.push_back(partialShape[d]);
  Value permInit = tensor::EmptyOp::create(b, loc, permShape, b.getF32Type());
  Value permuted =
      linalg::TransposeOp::create(b, loc, partial, permInit, perm).getResult()[0];
  SmallVector<ReassociationIndices> groups =
      inputLane ? SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}}
                : SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}};
  return tensor::CollapseShapeOp::create(b, loc, type, permuted, groups);
}

/// dw[o, c, i, j] = Σ_{n, oh, ow} dy[n, o, oh, ow]·xpad[n, c, oh·sh + i,
/// ow·sw + j]. With a channel count fit for a lane, channelLaneWeightGrad;
/// otherwise a laneSum with the output column ow as the lane: the
/// iteration is (s, i, j, v, ow | n, oh) with s the larger of the two
/// channel counts (the threads split it) and v the other (the register
/// tile's rows).
struct Conv2dWeightGradLowering : OpConversionPattern<Conv2dWeightGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2dWeightGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding();
    Value x = padSpatial(rewriter, loc, adaptor.getInput(), padding, padding);
    Value dy = adaptor.getOutputGrad();
    auto type = cast<RankedTensorType>(op.getType());
    auto dyType = cast<RankedTensorType>(dy.getType());
    int64_t o = type.getDimSize(0), c = type.getDimSize(1);
    int64_t kh = type.getDimSize(2), kw = type.getDimSize(3);
    int64_t ow = dyType.getDimSize(3);
    if (LaneChannel lane = laneChannelFor(o, c); lane != LaneChannel::None) {
      // Up to 8 rows, in at least two row blocks for the threads to share.
      int64_t other = lane == LaneChannel::Input ? o : c;
      int64_t rows = std::min<int64_t>(8, other / 2);
      while (other % rows != 0)
        --rows;
      rewriter.replaceOp(op, channelLaneWeightGrad(rewriter, loc, x, dy, type,
                                                   stride, lane, rows));
      return success();
    }
    AffineExpr s, i, j, v, w, n, h;
    bindDims(ctx, s, i, j, v, w, n, h);
    bool splitInputChannels = c >= o;
    AffineExpr oc = splitInputChannels ? v : s, cc = splitInputChannels ? s : v;
    SmallVector<AffineMap> maps{
        AffineMap::get(7, 0, {n, cc, h * stride[0] + i, w * stride[1] + j},
                       ctx),
        AffineMap::get(7, 0, {n, oc, h, w}, ctx)};
    int64_t split = splitInputChannels ? c : o;
    int64_t rows = splitInputChannels ? o : c;
    Value grad = laneSum(
        rewriter, loc, {x, dy}, maps, {split, kh, kw, rows, ow}, 2,
        AffineMap::get(5, 0, {oc, cc, i, j}, ctx), type.getShape(),
        rewriter.getF32Type(), [](OpBuilder &b, Location l, ValueRange args) {
          return arith::MulFOp::create(b, l, args[0], args[1]).getResult();
        });
    rewriter.replaceOp(op, grad);
    return success();
  }
};

/// db[o] = Σ dy over every dimension but 1; over [N, O, H, W] a laneSum
/// over (o, w | n, h).
struct BiasGradLowering : OpConversionPattern<BiasGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BiasGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value dy = adaptor.getOutputGrad();
    auto dyType = cast<RankedTensorType>(dy.getType());
    int64_t rank = dyType.getRank();
    auto type = cast<RankedTensorType>(op.getType());
    MLIRContext *ctx = rewriter.getContext();
    if (rank == 4) {
      AffineExpr o, w, n, h;
      bindDims(ctx, o, w, n, h);
      rewriter.replaceOp(
          op, laneSum(rewriter, loc, dy,
                      {AffineMap::get(4, 0, {n, o, h, w}, ctx)},
                      {type.getDimSize(0), dyType.getDimSize(3)}, 2,
                      AffineMap::get(2, 0, {o}, ctx), type.getShape(),
                      rewriter.getF32Type(),
                      [](OpBuilder &, Location, ValueRange args) {
                        return args[0];
                      }));
      return success();
    }
    SmallVector<IteratorType> iterators(rank, kRed);
    iterators[1] = kPar;
    Value init = zeros(rewriter, loc, type.getShape(), rewriter.getF32Type());
    rewriter.replaceOp(
        op, generic(rewriter, loc, dy, init,
                    {identityMap(ctx, rank), channelMap(ctx, rank, 1)},
                    iterators,
                    [](OpBuilder &b, Location l, ValueRange args) {
                      return SmallVector<Value>{
                          arith::AddFOp::create(b, l, args[1], args[0])};
                    })
                .getResult(0));
    return success();
  }
};

/// A linalg.matmul C[m, n] = Σ_k A·B with the given operand maps over
/// (m, n, k).
Value matmul(OpBuilder &b, Location loc, Value lhs, Value rhs, Value init,
             AffineMap lhsMap, AffineMap rhsMap) {
  MLIRContext *ctx = b.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  auto op = linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                     ValueRange{lhs, rhs}, ValueRange{init});
  op.setIndexingMapsAttr(b.getAffineMapArrayAttr(
      {lhsMap, rhsMap, AffineMap::get(3, 0, {m, n}, ctx)}));
  return op.getResult(0);
}

/// dx[n, f] = Σ_o dy[n, o]·w[o, f].
struct LinearInputGradLowering : OpConversionPattern<LinearInputGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LinearInputGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value dy = adaptor.getOutputGrad();
    Value init = fill(rewriter, loc, 0.0,
                      emptyTensor(rewriter, loc, op.getType(), dy));
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    rewriter.replaceOp(op, matmul(rewriter, loc, dy, adaptor.getWeight(), init,
                                  AffineMap::get(3, 0, {m, k}, ctx),
                                  AffineMap::get(3, 0, {k, n}, ctx)));
    return success();
  }
};

/// dw[o, f] = Σ_n dy[n, o]·x[n, f].
struct LinearWeightGradLowering : OpConversionPattern<LinearWeightGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LinearWeightGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    Value init = zeros(rewriter, loc, type.getShape(), rewriter.getF32Type());
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    rewriter.replaceOp(op, matmul(rewriter, loc, adaptor.getOutputGrad(),
                                  adaptor.getInput(), init,
                                  AffineMap::get(3, 0, {k, m}, ctx),
                                  AffineMap::get(3, 0, {k, n}, ctx)));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Gradients of the poolings, activations and flatten
//===----------------------------------------------------------------------===//

/// For each input position (h, w) of a pooling with `kernel` and `stride`
/// over an [.., OH, OW] output, calls `visit(oh, ow, i, j, valid)` for every
/// window that may contain it (statically ⌈K/s⌉² candidates): (oh, ow) the
/// window, clamped into range, (i, j) the position within it, `valid`
/// whether the window exists and contains (h, w).
void forEachCoveringWindow(
    OpBuilder &b, Location loc, Value h, Value w, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> stride, int64_t outH, int64_t outW,
    function_ref<void(Value, Value, Value, Value, Value)> visit) {
  Value pos[2] = {h, w};
  int64_t out[2] = {outH, outW};
  int64_t candidates[2];
  for (int d = 0; d < 2; ++d)
    candidates[d] = (kernel[d] + stride[d] - 1) / stride[d];
  auto axis = [&](int d, int64_t a, Value &window, Value &offset,
                  Value &valid) {
    // window = pos / s − a, offset = pos − window·s; valid when
    // 0 <= window < out and offset < kernel.
    Value s = indexConstant(b, loc, stride[d]);
    Value q = arith::DivUIOp::create(b, loc, pos[d], s);
    Value raw = arith::SubIOp::create(b, loc, q, indexConstant(b, loc, a));
    Value enough = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, q,
                                         indexConstant(b, loc, a));
    Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          raw, indexConstant(b, loc, out[d]));
    Value ok = arith::AndIOp::create(b, loc, enough, inRange);
    window = arith::SelectOp::create(b, loc, ok, raw, indexConstant(b, loc, 0));
    offset = arith::SubIOp::create(
        b, loc, pos[d], arith::MulIOp::create(b, loc, window, s));
    Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         offset,
                                         indexConstant(b, loc, kernel[d]));
    valid = arith::AndIOp::create(b, loc, ok, inside);
  };
  for (int64_t a = 0; a < candidates[0]; ++a)
    for (int64_t c = 0; c < candidates[1]; ++c) {
      Value oh, i, validH, ow, j, validW;
      axis(0, a, oh, i, validH);
      axis(1, c, ow, j, validW);
      visit(oh, ow, i, j, arith::AndIOp::create(b, loc, validH, validW));
    }
}

/// A pooling's input gradient as a gather over the input's positions:
/// dx[n, c, h, w] = Σ over the covering windows of `share(n, c, oh, ow, i, j,
/// valid)`, each window's share (0 unless `valid`).
Value poolGradient(
    OpBuilder &rewriter, Location loc, Value init, RankedTensorType dyType,
    ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
    function_ref<Value(OpBuilder &, Location, Value, Value, Value, Value,
                       Value, Value, Value)>
        share) {
  return elementwise(
      rewriter, loc, {}, init, [&](OpBuilder &b, Location l, ValueRange) {
        Value n = linalg::IndexOp::create(b, l, 0);
        Value c = linalg::IndexOp::create(b, l, 1);
        Value h = linalg::IndexOp::create(b, l, 2);
        Value w = linalg::IndexOp::create(b, l, 3);
        Value acc = f32Constant(b, l, 0.0);
        forEachCoveringWindow(
            b, l, h, w, kernel, stride, dyType.getDimSize(2),
            dyType.getDimSize(3),
            [&](Value oh, Value ow, Value i, Value j, Value valid) {
              acc = arith::AddFOp::create(
                  b, l, acc, share(b, l, n, c, oh, ow, i, j, valid));
            });
        return acc;
      });
}

/// The window position (i, j) of the first maximum of `values` (the
/// window's elements in row-major order; NaN counts as the maximum, as in
/// PyTorch), as index constants selected along the scan.
std::pair<Value, Value> firstMaxPosition(OpBuilder &b, Location l,
                                         ValueRange values,
                                         int64_t kernelW) {
  Value best, bestI, bestJ;
  for (auto [k, v] : llvm::enumerate(values)) {
    Value ci = indexConstant(b, l, int64_t(k) / kernelW);
    Value cj = indexConstant(b, l, int64_t(k) % kernelW);
    if (!best) {
      best = v, bestI = ci, bestJ = cj;
      continue;
    }
    Value greater =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, best);
    Value nan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v, v);
    Value bestNan =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, best, best);
    Value take = arith::AndIOp::create(
        b, l, arith::OrIOp::create(b, l, greater, nan),
        arith::XOrIOp::create(
            b, l, bestNan,
            arith::ConstantOp::create(b, l, b.getBoolAttr(true))));
    best = arith::SelectOp::create(b, l, take, v, best);
    bestI = arith::SelectOp::create(b, l, take, ci, bestI);
    bestJ = arith::SelectOp::create(b, l, take, cj, bestJ);
  }
  return {bestI, bestJ};
}

/// max_pool2d_grad for windows that do not overlap (stride = kernel, the
/// lecture's pools), on contiguous rows only: x (the part the windows
/// cover) viewed as [N, C, OH, KH, OW, KW], three generics
///   m[n, c, oh, ow]    = max over (i, j) of the window;
///   code[n, c, oh, ow] = Σ_{i, j} 2^(K − 1 − (i·KW + j)) where the element
///                        equals m (or is NaN), K = KH·KW: one bit per
///                        position, the first maximum's the highest;
///   dx[n, c, oh, i, ow, j] = dy[n, c, oh, ow] where i·KW + j is that first
///                        position (K − 1 − ⌊log2 code⌋, from the float's
///                        exponent), 0 elsewhere,
/// the window reductions with the window columns in the vector, the last
/// writing whole rows of dx (where strided slices of x, one per window
/// element, would gather and scatter). Rows and columns the pooling's floor
/// skipped are padded with zeros. Null when the windows overlap or leave
/// gaps, or have more positions than a float's mantissa holds bits.
Value maxPoolGradByWindows(OpBuilder &b, Location loc, Value x, Value dy,
                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride) {
  auto type = cast<RankedTensorType>(x.getType());
  auto dyType = cast<RankedTensorType>(dy.getType());
  int64_t positions = kernel[0] * kernel[1];
  if (kernel[0] != stride[0] || kernel[1] != stride[1] || positions > 24 ||
      type.getRank() != 4 || !type.isDynamicDim(0) ||
      llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic))
    return nullptr;
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  int64_t channels = type.getDimSize(1);
  int64_t outH = dyType.getDimSize(2), outW = dyType.getDimSize(3);
  SmallVector<int64_t> covered{ShapedType::kDynamic, channels,
                               outH * kernel[0], outW * kernel[1]};
  Value batch = tensor::DimOp::create(b, loc, x, 0);
  OpFoldResult n0 = batch;
  Value xc = x;
  if (covered[2] != type.getDimSize(2) || covered[3] != type.getDimSize(3))
    xc = tensor::ExtractSliceOp::create(
        b, loc, type.clone(covered), x,
        ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0),
                               b.getIndexAttr(0), b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{n0, b.getIndexAttr(channels),
                               b.getIndexAttr(covered[2]),
                               b.getIndexAttr(covered[3])},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                               b.getIndexAttr(1), b.getIndexAttr(1)});
  SmallVector<int64_t> windowShape{ShapedType::kDynamic, channels, outH,
                                   kernel[0], outW, kernel[1]};
  auto windowsType = RankedTensorType::get(windowShape, f32);
  SmallVector<ReassociationIndices> windowGroups{{0}, {1}, {2, 3}, {4, 5}};
  SmallVector<OpFoldResult> windowSizes{n0};
  for (int64_t d : ArrayRef(windowShape).drop_front())
    windowSizes.push_back(b.getIndexAttr(d));
  Value x6 = tensor::ExpandShapeOp::create(b, loc, windowsType, xc,
                                           windowGroups, windowSizes);

  // i·KW + j inside a generic whose loop `rowDim` is i and loop 5 is j.
  auto windowPosition = [&](OpBuilder &nb, Location l, unsigned rowDim) {
    return arith::AddIOp::create(
               nb, l,
               arith::MulIOp::create(nb, l,
                                     linalg::IndexOp::create(nb, l, rowDim),
                                     indexConstant(nb, l, kernel[1])),
               linalg::IndexOp::create(nb, l, 5))
        .getResult();
  };

  // Window reductions over (n, c, oh, ow | i, j).
  AffineExpr n, c, oh, ow, i, j;
  bindDims(ctx, n, c, oh, ow, i, j);
  SmallVector<AffineMap> reduceMaps{
      AffineMap::get(6, 0, {n, c, oh, i, ow, j}, ctx),
      AffineMap::get(6, 0, {n, c, oh, ow}, ctx)};
  SmallVector<IteratorType> reduceIters{kPar, kPar, kPar, kPar, kRed, kRed};
  Value lowest = fill(b, loc, -std::numeric_limits<double>::infinity(),
                      emptyTensor(b, loc, dyType, dy));
  Value maxima =
      generic(b, loc, x6, lowest, reduceMaps, reduceIters,
              [](OpBuilder &nb, Location l, ValueRange args) {
                return SmallVector<Value>{
                    arith::MaximumFOp::create(nb, l, args[0], args[1])};
              })
          .getResult(0);
  SmallVector<AffineMap> codeMaps{reduceMaps[0], reduceMaps[1],
                                  reduceMaps[1]};
  Value code =
      generic(b, loc, {x6, maxima},
              fill(b, loc, 0.0, emptyTensor(b, loc, dyType, dy)),
              codeMaps, reduceIters,
              [&](OpBuilder &nb, Location l, ValueRange args) {
                // 2^(K − 1 − position) as a float: the exponent field.
                Value position = windowPosition(nb, l, 4);
                Value exponent = arith::SubIOp::create(
                    nb, l, indexConstant(nb, l, 127 + positions - 1),
                    position);
                Value bit = arith::BitcastOp::create(
                    nb, l, nb.getF32Type(),
                    arith::ShLIOp::create(
                        nb, l,
                        arith::IndexCastOp::create(nb, l, nb.getI32Type(),
                                                   exponent),
                        i32Constant(nb, l, 23)));
                Value hit = arith::OrIOp::create(
                    nb, l,
                    arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ,
                                          args[0], args[1]),
                    arith::CmpFOp::create(nb, l, arith::CmpFPredicate::UNO,
                                          args[0], args[0]));
                Value term = arith::SelectOp::create(
                    nb, l, hit, bit, f32Constant(nb, l, 0.0));
                return SmallVector<Value>{
                    arith::AddFOp::create(nb, l, args[2], term)};
              })
          .getResult(0);

  // dx over (n, c, oh, i, ow, j): whole rows.
  AffineExpr wn, wc, woh, wi, wow, wj;
  bindDims(ctx, wn, wc, woh, wi, wow, wj);
  AffineMap perWindow = AffineMap::get(6, 0, {wn, wc, woh, wow}, ctx);
  Value init = tensor::EmptyOp::create(b, loc, windowsType, ValueRange{batch});
  Value windows =
      generic(b, loc, {code, dy}, init,
              {perWindow, perWindow, AffineMap::getMultiDimIdentityMap(6, ctx)},
              SmallVector<IteratorType>(6, kPar),
              [&](OpBuilder &nb, Location l, ValueRange args) {
                // ⌊log2 code⌋ + 127 is the exponent field of code.
                Value exponent = arith::ShRUIOp::create(
                    nb, l,
                    arith::BitcastOp::create(nb, l, nb.getI32Type(), args[0]),
                    i32Constant(nb, l, 23));
                Value first = arith::SubIOp::create(
                    nb, l, i32Constant(nb, l, 127 + positions - 1), exponent);
                Value position = windowPosition(nb, l, 3);
                Value hit = arith::CmpIOp::create(
                    nb, l, arith::CmpIPredicate::eq, first,
                    arith::IndexCastOp::create(nb, l, nb.getI32Type(),
                                               position));
                return SmallVector<Value>{arith::SelectOp::create(
                    nb, l, hit, args[1], f32Constant(nb, l, 0.0))};
              })
          .getResult(0);
  Value dx = tensor::CollapseShapeOp::create(b, loc, type.clone(covered),
                                             windows, windowGroups);
  int64_t high[2] = {type.getDimSize(2) - covered[2],
                     type.getDimSize(3) - covered[3]};
  int64_t low[2] = {0, 0};
  return padSpatial(b, loc, dx, low, high);
}

struct MaxPool2dGradLowering : OpConversionPattern<MaxPool2dGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPool2dGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), dy = adaptor.getOutputGrad();
    auto type = cast<RankedTensorType>(x.getType());
    auto dyType = cast<RankedTensorType>(dy.getType());
    ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride();
    if (Value dx = maxPoolGradByWindows(rewriter, loc, x, dy, kernel, stride)) {
      rewriter.replaceOp(op, dx);
      return success();
    }
    Value dx = poolGradient(
        rewriter, loc, emptyTensor(rewriter, loc, type, x), dyType, kernel,
        stride,
        [&](OpBuilder &b, Location l, Value n, Value c, Value oh, Value ow,
            Value i, Value j, Value valid) {
                Value h0 = arith::MulIOp::create(
                    b, l, oh, indexConstant(b, l, stride[0]));
                Value w0 = arith::MulIOp::create(
                    b, l, ow, indexConstant(b, l, stride[1]));
                // The window's first maximum, by position.
                SmallVector<Value> values;
                for (int64_t ki = 0; ki < kernel[0]; ++ki)
                  for (int64_t kj = 0; kj < kernel[1]; ++kj)
                    values.push_back(tensor::ExtractOp::create(
                        b, l, x,
                        ValueRange{n, c,
                                   arith::AddIOp::create(
                                       b, l, h0, indexConstant(b, l, ki)),
                                   arith::AddIOp::create(
                                       b, l, w0, indexConstant(b, l, kj))}));
                auto [bestI, bestJ] =
                    firstMaxPosition(b, l, values, kernel[1]);
                Value hit = arith::AndIOp::create(
                    b, l, valid,
                    arith::AndIOp::create(
                        b, l,
                        arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                              bestI, i),
                        arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                              bestJ, j)));
                Value g = tensor::ExtractOp::create(b, l, dy,
                                                    ValueRange{n, c, oh, ow});
                return arith::SelectOp::create(b, l, hit, g,
                                               f32Constant(b, l, 0.0))
                    .getResult();
        });
    rewriter.replaceOp(op, dx);
    return success();
  }
};

/// dx[n, c, h, w] = Σ over the windows containing (h, w) of dy / (KH·KW).
struct AvgPool2dGradLowering : OpConversionPattern<AvgPool2dGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPool2dGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value dy = adaptor.getOutputGrad();
    auto type = cast<RankedTensorType>(op.getType());
    auto dyType = cast<RankedTensorType>(dy.getType());
    ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride();
    double share = 1.0 / double(kernel[0] * kernel[1]);
    Value dx = poolGradient(
        rewriter, loc, emptyTensor(rewriter, loc, type, dy), dyType, kernel,
        stride,
        [&](OpBuilder &b, Location l, Value n, Value c, Value oh, Value ow,
            Value, Value, Value valid) {
          Value g = tensor::ExtractOp::create(b, l, dy, ValueRange{n, c, oh, ow});
          g = arith::MulFOp::create(b, l, g, f32Constant(b, l, share));
          return arith::SelectOp::create(b, l, valid, g, f32Constant(b, l, 0.0))
              .getResult();
        });
    rewriter.replaceOp(op, dx);
    return success();
  }
};

template <typename OpTy>
struct ActivationGradLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value y = adaptor.getOutput();
    Value init = emptyTensor(rewriter, loc,
                             cast<RankedTensorType>(op.getType()), y);
    rewriter.replaceOp(op, elementwise(rewriter, loc,
                                       {y, adaptor.getOutputGrad()}, init,
                                       scalar));
    return success();
  }

  static Value scalar(OpBuilder &b, Location l, ValueRange args) {
    Value y = args[0], dy = args[1];
    Value one = f32Constant(b, l, 1.0);
    if constexpr (std::is_same_v<OpTy, ReluGradOp>) {
      Value positive = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, y,
                                             f32Constant(b, l, 0.0));
      return arith::SelectOp::create(b, l, positive, dy, f32Constant(b, l, 0.0));
    } else if constexpr (std::is_same_v<OpTy, TanhGradOp>) {
      Value yy = arith::MulFOp::create(b, l, y, y);
      return arith::MulFOp::create(b, l, dy,
                                   arith::SubFOp::create(b, l, one, yy));
    } else {
      static_assert(std::is_same_v<OpTy, SigmoidGradOp>);
      Value d = arith::MulFOp::create(b, l, y,
                                      arith::SubFOp::create(b, l, one, y));
      return arith::MulFOp::create(b, l, dy, d);
    }
  }
};

struct UnflattenLowering : OpConversionPattern<UnflattenOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnflattenOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    ReassociationIndices sample;
    for (int64_t i = 1, e = type.getRank(); i < e; ++i)
      sample.push_back(i);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, type, adaptor.getInput(),
        SmallVector<ReassociationIndices>{{0}, sample});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The optimizer
//===----------------------------------------------------------------------===//

/// One linalg.generic per parameter: reads p, g, b; yields p', b'.
struct SgdUpdateLowering : OpConversionPattern<SgdUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SgdUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getNewParam().getType());
    int64_t rank = type.getRank();
    // The scalars, once per tensor.
    Value zero = f32Constant(rewriter, loc, 0.0), one = f32Constant(rewriter, loc, 1.0);
    Value lr = adaptor.getLr(), mu = adaptor.getMomentum();
    Value wd = adaptor.getWeightDecay(), l1 = adaptor.getL1();
    Value twoL2 = arith::MulFOp::create(rewriter, loc,
                                        f32Constant(rewriter, loc, 2.0),
                                        adaptor.getL2());
    Value undamped = arith::SubFOp::create(rewriter, loc, one,
                                           adaptor.getDampening());
    Value i32Zero = i32Constant(rewriter, loc, 0);
    Value hasMomentum = arith::CmpFOp::create(
        rewriter, loc, arith::CmpFPredicate::UNE, mu, zero);
    Value nesterov = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::ne, adaptor.getNesterov(), i32Zero);
    Value first = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::ne, adaptor.getFirstStep(), i32Zero);

    SmallVector<Value> inits{
        tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                type.getElementType()),
        tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                type.getElementType())};
    auto update = generic(
        rewriter, loc,
        {adaptor.getParam(), adaptor.getGrad(), adaptor.getBuffer()}, inits,
        SmallVector<AffineMap>(5, identityMap(ctx, rank)),
        SmallVector<IteratorType>(rank, kPar),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value p = args[0], g = args[1], buf = args[2];
          // g' = g + 2·l2·p + l1·sign(p) + wd·p
          Value sign = arith::SelectOp::create(
              b, l,
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, p, zero),
              one,
              arith::SelectOp::create(
                  b, l,
                  arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, p, zero),
                  f32Constant(b, l, -1.0), zero));
          Value gp = arith::AddFOp::create(
              b, l, g, arith::MulFOp::create(b, l, twoL2, p));
          gp = arith::AddFOp::create(b, l, gp,
                                     arith::MulFOp::create(b, l, l1, sign));
          gp = arith::AddFOp::create(b, l, gp,
                                     arith::MulFOp::create(b, l, wd, p));
          // b' = first ? g' : μ·b + (1 − τ)·g'; d = nesterov ? g' + μ·b' : b'
          Value blended = arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, mu, buf),
              arith::MulFOp::create(b, l, undamped, gp));
          Value bufNew = arith::SelectOp::create(b, l, first, gp, blended);
          Value look = arith::AddFOp::create(
              b, l, gp, arith::MulFOp::create(b, l, mu, bufNew));
          Value d = arith::SelectOp::create(b, l, nesterov, look, bufNew);
          d = arith::SelectOp::create(b, l, hasMomentum, d, gp);
          bufNew = arith::SelectOp::create(b, l, hasMomentum, bufNew, buf);
          Value pNew = arith::SubFOp::create(b, l, p,
                                             arith::MulFOp::create(b, l, lr, d));
          return SmallVector<Value>{pNew, bufNew};
        });
    rewriter.replaceOp(op, update.getResults());
    return success();
  }
};

} // namespace

void cnn::populateTrainOpLoweringPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ActivationGradLowering<ReluGradOp>,
               ActivationGradLowering<SigmoidGradOp>,
               ActivationGradLowering<TanhGradOp>, ApplyMaskLowering,
               AvgPool2dGradLowering, BatchNormTrainGradLowering,
               BatchNormTrainLowering, BiasGradLowering,
               Conv2dInputGradLowering, Conv2dWeightGradLowering,
               CrossEntropyGradLowering, CrossEntropyLowering,
               DropoutMaskLowering, IncrementLowering, LinearInputGradLowering,
               LinearWeightGradLowering, MaxPool2dGradLowering, PackLossLowering,
               PenaltyLowering, SgdUpdateLowering, UnflattenLowering>(ctx);
}
