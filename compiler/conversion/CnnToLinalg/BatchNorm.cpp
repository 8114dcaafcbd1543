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

/// (x − μ) · s · γ + β as batch_norm_train's result: x·α + β' with
/// α = s·γ, β' = β − μ·α, PyTorch's form, so that values near a following
/// relu's kink round as PyTorch's do (γ = 1, β = 0 where `scale` is null).
Value normalize(OpBuilder &rewriter, Location loc, Value x, Value mean,
                Value invstd, Value scale, Value shift) {
  MLIRContext *ctx = rewriter.getContext();
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank(), channels = type.getDimSize(1);
  AffineMap id = identityMap(ctx, rank), chan = channelMap(ctx, rank, 1);
  AffineMap id1 = identityMap(ctx, 1);
  SmallVector<Value> coeffInputs{mean, invstd};
  if (scale)
    coeffInputs.append({scale, shift});
  auto coeffs = generic(
      rewriter, loc, coeffInputs,
      {tensor::EmptyOp::create(rewriter, loc, channels, rewriter.getF32Type()),
       tensor::EmptyOp::create(rewriter, loc, channels, rewriter.getF32Type())},
      SmallVector<AffineMap>(coeffInputs.size() + 2, id1), {kPar},
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value alpha =
            scale ? arith::MulFOp::create(b, l, args[1], args[2]).getResult()
                  : args[1];
        Value meanAlpha = arith::MulFOp::create(b, l, args[0], alpha);
        Value beta =
            scale ? arith::SubFOp::create(b, l, args[3], meanAlpha).getResult()
                  : arith::NegFOp::create(b, l, meanAlpha).getResult();
        return SmallVector<Value>{alpha, beta};
      });
  return elementwise(
      rewriter, loc, {x, coeffs.getResult(0), coeffs.getResult(1)},
      emptyTensor(rewriter, loc, type, x),
      [&](OpBuilder &b, Location l, ValueRange args) {
        return arith::AddFOp::create(
                   b, l, arith::MulFOp::create(b, l, args[0], args[1]), args[2])
            .getResult();
      },
      {id, chan, chan});
}

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

    // One pass: Σd and Σd² of d = x − K, K the running mean (a guess at μ
    // that every replica shares), then μ = K + Σd/M, σ²_b = Σd²/M − (Σd/M)².
    // In f64 each d and d² is exact and M ≤ 2^20 terms round by at most
    // 2^-33 of Σd² (worst case; typically ~2^-43): below f32's rounding of
    // σ²_b while |μ − K| < 22·σ_b, and K follows μ from the first steps on
    // (test/models/pytorch/net_batchnorm.test checks a channel mean 89·σ_b
    // from K against PyTorch). PyTorch's two passes, (x − μ)² after μ,
    // read x twice and, data-parallel, sum over the replicas twice. The
    // sums and M are over the global batch: summed over the replicas of a
    // data-parallel run (SyncBatchNorm; themselves in one process).
    Value guess = elementwise(
        rewriter, loc, adaptor.getRunningMean(),
        tensor::EmptyOp::create(rewriter, loc, channels, f64),
        [&](OpBuilder &b, Location l, ValueRange args) {
          return arith::ExtFOp::create(b, l, f64, args[0]).getResult();
        });
    SmallVector<Value> sums = channelSums(
        rewriter, loc, rank, channels, {x, guess}, {id, chan}, 2,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value d = arith::SubFOp::create(
              b, l, arith::ExtFOp::create(b, l, f64, args[0]), args[1]);
          return SmallVector<Value>{d, arith::MulFOp::create(b, l, d, d)};
        });
    sums = replicaSumsAndCount(rewriter, loc, sums, count);

    // Per channel: mean, invstd, new running statistics (f32 results).
    SmallVector<Value> inits;
    for (int i = 0; i < 4; ++i)
      inits.push_back(tensor::EmptyOp::create(rewriter, loc, channels,
                                              rewriter.getF32Type()));
    auto stats = generic(
        rewriter, loc, {sums[0], sums[1], guess, adaptor.getRunningVar()},
        inits, SmallVector<AffineMap>(8, id1), {kPar},
        [&](OpBuilder &b, Location l, ValueRange args) {
          FloatType f32 = b.getF32Type();
          Value offset = arith::DivFOp::create(b, l, args[0], count);
          Value mu = arith::AddFOp::create(b, l, args[2], offset);
          // Rounding may leave a constant channel's σ²_b just below 0.
          Value var = arith::MaximumFOp::create(
              b, l,
              arith::SubFOp::create(
                  b, l, arith::DivFOp::create(b, l, args[1], count),
                  arith::MulFOp::create(b, l, offset, offset)),
              f64Constant(b, l, 0.0));
          Value invstd = arith::DivFOp::create(
              b, l, f64Constant(b, l, 1.0),
              math::SqrtOp::create(
                  b, l, arith::AddFOp::create(b, l, var, f64Constant(b, l, eps))));
          Value unbiased = arith::DivFOp::create(
              b, l, arith::MulFOp::create(b, l, var, count),
              arith::SubFOp::create(b, l, count, f64Constant(b, l, 1.0)));
          Value m = f64Constant(b, l, momentum);
          Value keep = f64Constant(b, l, 1.0 - momentum);
          auto blend = [&](Value r, Value batch) {
            return arith::AddFOp::create(
                b, l, arith::MulFOp::create(b, l, keep, r),
                arith::MulFOp::create(b, l, m, batch));
          };
          SmallVector<Value> out{
              mu, invstd, blend(args[2], mu),
              blend(arith::ExtFOp::create(b, l, f64, args[3]), unbiased)};
          for (Value &v : out)
            v = arith::TruncFOp::create(b, l, f32, v);
          return out;
        });
    Value mean = stats.getResult(0), invstd = stats.getResult(1);

    Value y = normalize(rewriter, loc, x, mean, invstd, adaptor.getScale(),
                        adaptor.getShift());
    rewriter.replaceOp(op, {y, mean, invstd, stats.getResult(2),
                            stats.getResult(3)});
    return success();
  }
};

/// batch_norm_train's result from its statistics: the same generics.
struct BatchNormApplyLowering : OpConversionPattern<BatchNormApplyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormApplyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, normalize(rewriter, op.getLoc(), adaptor.getInput(),
                                     adaptor.getBatchMean(),
                                     adaptor.getBatchInvstd(),
                                     adaptor.getScale(), adaptor.getShift()));
    return success();
  }
};

/// PyTorch's batch_norm_backward (train): with dotp = Σ(x − μ)·dy and
/// Σdy per channel, dx = (dy − Σdy/M − (x − μ)·dotp·s²/M)·s·γ,
/// dγ = dotp·s, dβ = Σdy; the sums in f64, dx in f32, as PyTorch's CPU
/// kernel (the NCHW one) does.
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

    // Per channel: dγ, dβ and the factors of dx, in f32 as PyTorch's CPU
    // kernel rounds them (its sums alone are f64).
    SmallVector<Value> inits;
    for (int i = 0; i < 5; ++i)
      inits.push_back(tensor::EmptyOp::create(rewriter, loc, channels, f32));
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
          Value gradMean = arith::DivFOp::create(b, l, globalSumDy, count);
          Value proj = arith::DivFOp::create(
              b, l,
              arith::MulFOp::create(b, l, globalDotp,
                                    arith::MulFOp::create(b, l, s, s)),
              count);
          Value dGamma = arith::MulFOp::create(b, l, dotp, s);
          Value factor =
              scale ? arith::MulFOp::create(b, l, args[4], args[5]).getResult()
                    : args[4];
          SmallVector<Value> out{dGamma, sumDy, gradMean, proj};
          for (Value &v : out)
            v = arith::TruncFOp::create(b, l, f32, v);
          out.push_back(factor);
          return out;
        });

    // dx = (dy − Σdy/M − (x − μ)·proj)·s·γ.
    Value dx = elementwise(
        rewriter, loc,
        {x, dy, mean, factors.getResult(2), factors.getResult(3),
         factors.getResult(4)},
        emptyTensor(rewriter, loc, type, x),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value centred = arith::SubFOp::create(b, l, args[0], args[2]);
          Value r = arith::SubFOp::create(
              b, l, arith::SubFOp::create(b, l, args[1], args[3]),
              arith::MulFOp::create(b, l, centred, args[4]));
          return arith::MulFOp::create(b, l, r, args[5]).getResult();
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
               BatchNormTrainLowering, BatchNormApplyLowering,
               BatchNormTrainGradLowering, IncrementLowering>(
      patterns.getContext());
}
