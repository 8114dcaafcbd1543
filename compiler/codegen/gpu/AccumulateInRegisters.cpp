//===- AccumulateInRegisters.cpp - reductions carried in iter_args --------===//

#include "codegen/gpu/Passes.h"
#include "codegen/gpu/UnderlyingBuffer.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUACCUMULATEINREGISTERS
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

/// A load and a store of one element that `loop` may carry instead: both
/// directly in its body, the load first, the same buffer and indices, the
/// indices defined outside the loop, and no other access to the buffer
/// (through any view of it) inside.
struct CarriedElement {
  memref::LoadOp load;
  memref::StoreOp store;
};

std::optional<CarriedElement> findCarriedElement(scf::ForOp loop) {
  for (Operation &op : *loop.getBody()) {
    auto store = dyn_cast<memref::StoreOp>(op);
    if (!store)
      continue;
    Value buffer = store.getMemRef();
    if (!buffer.getParentRegion()->isProperAncestor(&loop.getRegion()) ||
        llvm::any_of(store.getIndices(), [&](Value index) {
          return !index.getParentRegion()->isProperAncestor(
              &loop.getRegion());
        }))
      continue;
    // Every access in the loop to the buffer the store writes, through
    // any view of it: only the matching load may be among them.
    Value underlying = underlyingBuffer(buffer);
    memref::LoadOp load;
    bool otherUse = false;
    loop.walk([&](Operation *op) {
      if (op == store)
        return;
      for (Value operand : op->getOperands()) {
        if (!isa<BaseMemRefType>(operand.getType()) ||
            underlyingBuffer(operand) != underlying)
          continue;
        auto candidate = dyn_cast<memref::LoadOp>(op);
        if (!load && candidate && candidate.getMemRef() == buffer &&
            candidate->getBlock() == loop.getBody() &&
            candidate->isBeforeInBlock(store) &&
            candidate.getIndices() == store.getIndices()) {
          load = candidate;
          continue;
        }
        otherUse = true;
      }
    });
    if (load && !otherUse)
      return CarriedElement{load, store};
  }
  return std::nullopt;
}

struct GpuAccumulateInRegisters
    : impl::GpuAccumulateInRegistersBase<GpuAccumulateInRegisters> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Post-order: an inner loop's carried element becomes a load before it
    // and a store after it, in the body of the loop around it.
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops) {
      while (std::optional<CarriedElement> carried = findCarriedElement(loop)) {
        rewriter.setInsertionPoint(loop);
        auto initial = rewriter.create<memref::LoadOp>(
            carried->load.getLoc(), carried->load.getMemRef(),
            carried->load.getIndices());
        Value stored = carried->store.getValueToStore();
        Location storeLoc = carried->store.getLoc();
        FailureOr<LoopLikeOpInterface> replaced =
            cast<LoopLikeOpInterface>(loop.getOperation())
                .replaceWithAdditionalYields(
                    rewriter, ValueRange{initial.getResult()},
                    /*replaceInitOperandUsesInLoop=*/false,
                    [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
                      return SmallVector<Value>{stored};
                    });
        if (failed(replaced))
          break;
        loop = cast<scf::ForOp>(replaced->getOperation());
        BlockArgument accumulator = loop.getRegionIterArgs().back();
        rewriter.replaceAllUsesWith(carried->load.getResult(), accumulator);
        rewriter.eraseOp(carried->load);
        rewriter.eraseOp(carried->store);
        rewriter.setInsertionPointAfter(loop);
        rewriter.create<memref::StoreOp>(storeLoc,
                                         loop.getResults().back(),
                                         initial.getMemRef(),
                                         initial.getIndices());
      }
    }
  }
};

} // namespace
} // namespace cnnc::gpu
