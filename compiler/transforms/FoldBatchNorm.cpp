//===- FoldBatchNorm.cpp - fold eval batchnorms into convolutions ---------===//
//
// batch_norm_eval(conv2d(x, w, b)) -> conv2d(x, fold_bn_weight(w),
// fold_bn_bias(b)): one pass over the activation less, and no batchnorm in
// the inner loop at all. The folded parameters are computed by cnn ops
// from the reads, since the weights are runtime data (see CnnOps.td).
//
//===----------------------------------------------------------------------===//
#include "transforms/Passes.h"

#include "cnn/CnnOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace cnn {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "transforms/Passes.h.inc"
} // namespace cnn

using namespace cnn;

namespace {
struct FoldIntoConv : OpRewritePattern<BatchNormEvalOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormEvalOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<Conv2dOp>();
    if (!conv)
      return rewriter.notifyMatchFailure(bn, "input is not a conv2d");
    // Another user would still need the unnormalised output.
    if (!conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "the conv2d has other uses");

    double eps = bn.getEps().convertToDouble();
    Location loc = bn.getLoc();
    Value weight = FoldBnWeightOp::create(rewriter, loc, conv.getWeight(),
                                          bn.getRunningVar(), bn.getScale(),
                                          eps);
    Value bias = FoldBnBiasOp::create(
        rewriter, loc, bn.getRunningMean(), bn.getRunningVar(), conv.getBias(),
        bn.getScale(), bn.getShift(), eps);
    rewriter.replaceOpWithNewOp<Conv2dOp>(bn, conv.getInput(), weight, bias,
                                          conv.getStrideAttr(),
                                          conv.getPaddingAttr());
    rewriter.eraseOp(conv);
    return success();
  }
};

struct FoldBatchNormPass : cnn::impl::FoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoConv>(&getContext());
    // Only this rewrite: folding and region simplification belong to
    // -canonicalize, and a test should see what this pass does alone.
    GreedyRewriteConfig config;
    config.enableFolding(false).setRegionSimplificationLevel(
        GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      return signalPassFailure();
  }
};
} // namespace
