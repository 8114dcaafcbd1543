//===- Repeat.cpp - cnn.repeat as an scf.for ------------------------------===//
//
// cnn.repeat is an scf.for carrying the activation, its body as it is.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "LinalgBuilders.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace cnn;
using namespace cnn::lowering;

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
        rewriter, loc, indexConstant(rewriter, loc, 0),
        indexConstant(rewriter, loc, op.getCount()),
        indexConstant(rewriter, loc, 1),
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

void cnn::lowering::populateRepeatPatterns(RewritePatternSet &patterns) {
  patterns.add<RepeatLowering, YieldLowering>(patterns.getContext());
}
