//===- FuseElementwise.cpp - elementwise fusion that keeps layout copies --===//
//
// Upstream's elementwise fusion merges every single-use producer into its
// consumer, composing the indexing maps. For a layout copy (a generic that
// permutes its input, made so that a consumer reads its vector lane
// contiguously) this undoes the point of the copy: the consumer would read
// with a stride of a whole channel plane again. So the fusion runs here
// with a control that leaves permutation copies alone: nothing fuses into
// or out of them. Nor does a computation fuse into a consumer that
// broadcasts its result: a per-channel one (an eval batchnorm folded into
// the conv's bias: a square root and a division) would run once per
// output element instead of once per channel. A few arithmetic ops per
// element with several consumers (a ReLU's gradient) fuse into each.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc::cpu {
#define GEN_PASS_DEF_CPUFUSEELEMENTWISE
#include "codegen/cpu/Passes.h.inc"
} // namespace cnnc::cpu

using namespace mlir;

namespace {

/// A generic that copies its one input into a permutation of its
/// dimensions: all loops parallel, the body yields the input element, the
/// input map a permutation other than the identity.
bool isLayoutCopy(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 ||
      generic.getNumLoops() != generic.getNumParallelLoops())
    return false;
  AffineMap inputMap = generic.getIndexingMapsArray().front();
  if (!inputMap.isPermutation() || inputMap.isIdentity() ||
      !generic.getIndexingMapsArray().back().isIdentity())
    return false;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  return body.getOperations().size() == 1 &&
         yield.getNumOperands() == 1 &&
         yield.getOperand(0) == body.getArgument(0);
}

/// Whether `use`'s owner reads the value through a map that is not a
/// permutation (a broadcast: fewer dimensions, or constants), and the
/// value's producer computes something (more than a yield of its input).
bool fusionWouldRecompute(OpOperand *use) {
  auto consumer = dyn_cast<linalg::GenericOp>(use->getOwner());
  auto producer = use->get().getDefiningOp<linalg::GenericOp>();
  if (!consumer || !producer)
    return false;
  if (consumer.getMatchingIndexingMap(use).isPermutation())
    return false;
  return producer.getRegion().front().getOperations().size() > 1;
}

/// A few multiplies, adds, compares and selects per element (a ReLU's
/// gradient, with the batchnorm result its mask comes from: x·α + β > 0 ?
/// dy : 0): a generic of parallel loops whose body is at most four such
/// ops. Recomputed in each of its consumers, it costs less than the tensor
/// it would write and they would read: NetResDeep's ReLU gradient feeds
/// both the batchnorm gradient's sums and its elementwise part (1.6 MB a
/// block at Fashion-MNIST's shape, written once and read twice).
bool isCheapElementwise(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInits() != 1 ||
      generic.getNumLoops() != generic.getNumParallelLoops())
    return false;
  Block &body = generic.getRegion().front();
  if (body.getOperations().size() > 5)
    return false;
  return llvm::all_of(body.without_terminator(), [](Operation &inner) {
    return isa<arith::MulFOp, arith::AddFOp, arith::SubFOp, arith::CmpFOp,
               arith::SelectOp, arith::MaximumFOp, arith::MinimumFOp>(inner);
  });
}

/// Whether every use of `producer`'s result is an input of a generic that
/// reads it elementwise (a permutation map), where the fusion can take it.
bool allUsesFusable(Operation *producer) {
  return llvm::all_of(producer->getUses(), [](OpOperand &use) {
    auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
    return consumer && consumer.isDpsInput(&use) &&
           consumer.getMatchingIndexingMap(&use).isPermutation() &&
           !isLayoutCopy(consumer);
  });
}

struct CpuFuseElementwisePass
    : cnnc::cpu::impl::CpuFuseElementwiseBase<CpuFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      // Nor into one: that would make it a computation with a permuted
      // output, which the next fusion would merge into the contraction.
      if (producer && !producer->hasOneUse() && isCheapElementwise(producer) &&
          allUsesFusable(producer))
        return true;
      return producer && producer->hasOneUse() && !isLayoutCopy(producer) &&
             !isLayoutCopy(fused->getOwner()) && !fusionWouldRecompute(fused);
    };
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(
        patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      signalPassFailure();
  }
};

} // namespace
