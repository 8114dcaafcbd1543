//===- FuseMultiplyAdd.cpp - addf(mulf) as math.fma -----------------------===//

#include "codegen/gpu/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUFUSEMULTIPLYADD
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

struct AddOfProduct : OpRewritePattern<arith::AddFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::AddFOp add,
                                PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      auto mul = add->getOperand(i).getDefiningOp<arith::MulFOp>();
      if (!mul || !mul->hasOneUse())
        continue;
      rewriter.replaceOpWithNewOp<math::FmaOp>(add, mul.getLhs(),
                                               mul.getRhs(),
                                               add->getOperand(1 - i));
      rewriter.eraseOp(mul);
      return success();
    }
    return failure();
  }
};

struct GpuFuseMultiplyAdd
    : impl::GpuFuseMultiplyAddBase<GpuFuseMultiplyAdd> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<AddOfProduct>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace cnnc::gpu
