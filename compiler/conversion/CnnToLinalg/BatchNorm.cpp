//===- BatchNorm.cpp - batchnorm, its folds and its gradient --------------===//
//
// batch_norm_eval and the fold ops (a batchnorm folded into the conv before
// it) are generics over the per-channel factor γ / √(var + eps). The
// training form's statistics and its backward sums accumulate in f64
// (channelSums, LinalgBuilders.h), as PyTorch's CPU kernels do, and are
// over the global batch of a data-parallel run (replicaSums, Replica.cpp).
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "LinalgBuilders.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace cnn;
using namespace cnn::lowering;

namespace {

/// The per-channel factor of an eval batchnorm, γ / √(var + eps), as PyTorch
/// computes it (invstd first); γ = 1 when `scale` is null.
Value bnScale(OpBuilder &b, Location loc, Value var, Value scale,
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
    SmallVector<AffineMap> maps{identityMap(ctx, 4),
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
    SmallVector<AffineMap> maps{identityMap(ctx, rank),
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
    // Both sums and M are over the global batch: summed over the replicas
    // of a data-parallel run (SyncBatchNorm; themselves in one process).
    Value sum = channelSums(rewriter, loc, rank, channels, x, {id}, 1,
                            [&](OpBuilder &b, Location l, ValueRange args) {
                              return SmallVector<Value>{
                                  arith::ExtFOp::create(b, l, f64, args[0])};
                            })[0];
    sum = replicaSumsAndCount(rewriter, loc, sum, count)[0];
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
    sq = replicaSums(rewriter, loc, sq)[0];

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
    // dx's sums are over the global batch, as the forward's statistics; dγ
    // and dβ stay this replica's, the training step sums them with the
    // other gradients.
    Value count = countOf(rewriter, loc, x, perSample, f64);
    SmallVector<Value> global =
        replicaSumsAndCount(rewriter, loc, sums, count);

    // Per channel: dγ, dβ (f32), and the factors of dx (f64): dx is a small
    // difference of large terms, which PyTorch forms in double too.
    SmallVector<Value> inits{
        tensor::EmptyOp::create(rewriter, loc, channels, f32),
        tensor::EmptyOp::create(rewriter, loc, channels, f32),
        tensor::EmptyOp::create(rewriter, loc, channels, f64),
        tensor::EmptyOp::create(rewriter, loc, channels, f64),
        tensor::EmptyOp::create(rewriter, loc, channels, f64)};
    SmallVector<Value> inputs{sums[0], sums[1], global[0], global[1], invstd};
    Value scale = adaptor.getScale();
    if (scale)
      inputs.push_back(scale);
    SmallVector<AffineMap> maps(inputs.size() + inits.size(), id1);
    auto factors = generic(
        rewriter, loc, inputs, inits, maps, {kPar},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value sumDy = args[0], dotp = args[1];
          Value globalSumDy = args[2], globalDotp = args[3];
          Value s = arith::ExtFOp::create(b, l, f64, args[4]);
          Value gamma = scale ? arith::ExtFOp::create(b, l, f64, args[5])
                                    .getResult()
                              : f64Constant(b, l, 1.0);
          Value gradMean = arith::DivFOp::create(b, l, globalSumDy, count);
          Value proj = arith::DivFOp::create(
              b, l,
              arith::MulFOp::create(b, l, globalDotp,
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

} // namespace

void cnn::lowering::populateBatchNormPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormEvalLowering, FoldBnBiasLowering, FoldBnWeightLowering,
               BatchNormTrainLowering, BatchNormTrainGradLowering,
               IncrementLowering>(patterns.getContext());
}
