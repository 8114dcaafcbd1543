//===- SplitEmptyTensors.cpp - bounded uses of a tensor.empty -------------===//
//
// CSE merges identical destinations, and two things follow before
// bufferization.
//
// Inside an image loop (scf.forall), a zero fill that two tile loops start
// from (two per-image partial sums, each a bias gradient's) is one fill.
// Empty-tensor elimination then puts it into one loop's output image, and
// One-Shot Bufferize computed one sum there and copied the other sum over
// it before that image was inserted into its output (the in_parallel
// inserts, in sequence): one bias gradient became the other's. Each tile
// loop or op that writes into such a fill gets a copy of its own.
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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
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

/// The fresh tensor that `op` fills with a constant (a linalg.fill, or one
/// vectorized: a vector.transfer_write of a constant), or null.
tensor::EmptyOp filledEmpty(Operation *op) {
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
  auto write = dyn_cast<vector::TransferWriteOp>(op);
  if (!write || !write->getNumResults() ||
      !write.getVector().getDefiningOp<arith::ConstantOp>())
    return nullptr;
  return write.getBase().getDefiningOp<tensor::EmptyOp>();
}

/// Whether `use` writes into the tensor it takes (as an op's destination or
/// a loop's start) rather than only reading it.
bool writesInto(OpOperand &use) {
  Operation *owner = use.getOwner();
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(owner))
    return dps.isDpsInit(&use);
  if (auto write = dyn_cast<vector::TransferWriteOp>(owner))
    return use.get() == write.getBase();
  return isa<scf::ForOp>(owner);
}

struct CpuSplitEmptyTensorsPass
    : cnnc::cpu::impl::CpuSplitEmptyTensorsBase<CpuSplitEmptyTensorsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> fills;
    getOperation().walk([&](Operation *op) {
      if (filledEmpty(op) && isa<scf::ForallOp>(op->getParentOp()))
        fills.push_back(op);
    });
    for (Operation *fill : fills) {
      tensor::EmptyOp empty = filledEmpty(fill);
      SmallVector<OpOperand *> writers;
      for (Operation &op : *fill->getBlock()) // in program order
        for (OpOperand &use : op.getOpOperands())
          if (use.get() == fill->getResult(0) && writesInto(use))
            writers.push_back(&use);
      if (writers.size() < 2)
        continue;
      for (OpOperand *use : llvm::drop_begin(writers)) {
        rewriter.setInsertionPointAfter(fill);
        IRMapping map;
        map.map(empty.getResult(), rewriter.clone(*empty)->getResult(0));
        Operation *copy = rewriter.clone(*fill, map);
        rewriter.modifyOpInPlace(use->getOwner(),
                                 [&] { use->set(copy->getResult(0)); });
      }
    }

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
