//===- Sgd.cpp - the SGD update -------------------------------------------===//
//
// One linalg.generic per parameter: weight decay, momentum, dampening,
// Nesterov, as torch.optim.SGD.
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
    // A term of g' only where its coefficient is nonzero, as PyTorch adds
    // none for a penalty not in use or a weight decay of 0: 0·p is NaN for a
    // parameter of ±inf (a unit that relu keeps off has a bias of −inf and a
    // gradient of 0, and PyTorch leaves it at −inf).
    auto used = [&](Value coefficient) -> Value {
      return arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::UNE,
                                   coefficient, zero);
    };
    Value hasL2 = used(adaptor.getL2()), hasL1 = used(l1), hasWd = used(wd);
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
          // g' = g + 2·l2·p + l1·sign(p) + wd·p, the terms in use
          Value sign = arith::SelectOp::create(
              b, l,
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, p, zero),
              one,
              arith::SelectOp::create(
                  b, l,
                  arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, p, zero),
                  f32Constant(b, l, -1.0), zero));
          auto addIf = [&](Value use, Value acc, Value term) -> Value {
            return arith::SelectOp::create(
                b, l, use, arith::AddFOp::create(b, l, acc, term), acc);
          };
          Value gp = addIf(hasL2, g, arith::MulFOp::create(b, l, twoL2, p));
          gp = addIf(hasL1, gp, arith::MulFOp::create(b, l, l1, sign));
          gp = addIf(hasWd, gp, arith::MulFOp::create(b, l, wd, p));
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

void cnn::lowering::populateSgdPatterns(RewritePatternSet &patterns) {
  patterns.add<SgdUpdateLowering>(patterns.getContext());
}
