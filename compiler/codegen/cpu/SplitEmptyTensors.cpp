//===- SplitEmptyTensors.cpp - bounded uses of a tensor.empty -------------===//
//
// CSE merges identical tensor.empty ops: one empty tensor becomes the
// destination of every tile loop that makes an activation of its shape, and
// One-Shot Bufferize computes such a chain of layers in place in one
// buffer. But the analysis that finds this checks each write into the
// shared value against the reads of all the others' results: quadratic in
// the number of layers (16 s of a 100-layer chain's compile). So each
// empty tensor serves at most kMaxUses uses, in program order; the next
// ones get a copy (an empty tensor has no contents to share), and a chain
// of layers is computed in place kMaxUses at a time.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace cnnc::cpu {
#define GEN_PASS_DEF_CPUSPLITEMPTYTENSORS
#include "codegen/cpu/Passes.h.inc"
} // namespace cnnc::cpu

using namespace mlir;

namespace {

/// A compile-time budget, not a machine decision: the bufferization
/// analysis costs about kMaxUses checks per use. The lecture's models
/// share an empty tensor among fewer uses, so their code is as before.
constexpr unsigned kMaxUses = 16;

struct CpuSplitEmptyTensorsPass
    : cnnc::cpu::impl::CpuSplitEmptyTensorsBase<CpuSplitEmptyTensorsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    struct Group {
      unsigned uses = 0;
      Value current;
    };
    DenseMap<Operation *, Group> groups;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      for (OpOperand &use : op->getOpOperands()) {
        auto empty = use.get().getDefiningOp<tensor::EmptyOp>();
        if (!empty)
          continue;
        Group &group = groups[empty];
        if (group.uses > 0 && group.uses % kMaxUses == 0) {
          // Beside the original: bufferization allocates where it stands.
          rewriter.setInsertionPointAfter(empty);
          group.current = rewriter.clone(*empty)->getResult(0);
        }
        if (group.current)
          rewriter.modifyOpInPlace(op, [&] { use.set(group.current); });
        ++group.uses;
      }
    });
  }
};

} // namespace
