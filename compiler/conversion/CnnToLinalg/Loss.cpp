//===- Loss.cpp - cross-entropy, penalty, the packed loss -----------------===//
//
// The mean cross-entropy over the batch and its gradient (a softmax from
// each row's maximum), the L1/L2 penalty summed in f64, and the [2] loss
// vector the training step returns.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "LinalgBuilders.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

using namespace mlir;
using namespace cnn;
using namespace cnn::lowering;

namespace {

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
    // Σ_n (log s − (z[n, label] − m)) in f64, then / N: −log_softmax as
    // PyTorch computes it. Not (m + log s) − z: for logits of 1e20, m + log s
    // rounds to m and every row's loss to 0 instead of ln K.
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
                  Value shifted = arith::SubFOp::create(b, l, zl, args[0]);
                  Value term = arith::SubFOp::create(
                      b, l, math::LogOp::create(b, l, args[1]), shifted);
                  return SmallVector<Value>{arith::AddFOp::create(
                      b, l, args[3], arith::ExtFOp::create(b, l, f64, term))};
                })
            .getResult(0);
    // The mean over the global batch of a data-parallel run.
    Value count = countOf(rewriter, loc, z, 1, f64);
    total = replicaSumsAndCount(rewriter, loc, total, count)[0];
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
    // Of the mean over the global batch of a data-parallel run: the
    // replicas' gradients sum to the global one.
    Value count = countOf(rewriter, loc, z, 1, rewriter.getF64Type());
    replicaSumsAndCount(rewriter, loc, {}, count);
    count = arith::TruncFOp::create(rewriter, loc, rewriter.getF32Type(), count);
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
    // l2·Σp² + l1·Σ|p|, each term only when its coefficient is nonzero: the
    // lecture's loop adds the penalty it uses and no other, so a coefficient
    // of 0 adds nothing, not 0·inf = NaN once Σp² overflows float.
    Value l2 = adaptor.getL2(), l1 = adaptor.getL1();
    Value init = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{},
                                         rewriter.getF32Type());
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {sq, abs}, init,
                        [&](OpBuilder &b, Location l, ValueRange args) {
                          FloatType f32 = b.getF32Type();
                          Value zero = f32Constant(b, l, 0.0);
                          auto term = [&](Value coefficient, Value sum) {
                            Value t = arith::MulFOp::create(
                                b, l, coefficient,
                                arith::TruncFOp::create(b, l, f32, sum));
                            Value used = arith::CmpFOp::create(
                                b, l, arith::CmpFPredicate::UNE, coefficient,
                                zero);
                            return arith::SelectOp::create(b, l, used, t, zero)
                                .getResult();
                          };
                          return arith::AddFOp::create(b, l, term(l2, args[0]),
                                                       term(l1, args[1]))
                              .getResult();
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

} // namespace

void cnn::lowering::populateLossPatterns(RewritePatternSet &patterns) {
  patterns.add<CrossEntropyLowering, CrossEntropyGradLowering, PenaltyLowering,
               PackLossLowering>(patterns.getContext());
}
