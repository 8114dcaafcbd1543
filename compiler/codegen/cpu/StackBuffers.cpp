//===- StackBuffers.cpp - small static heap buffers to the stack ----------===//
//
// After bufferization every tile temporary (a conv row tile before its
// pooling, the padded copy of one image) is a memref.alloc/memref.dealloc
// pair inside the loops: a malloc and a free per row tile, and for buffers
// above glibc's trim threshold fresh pages (page faults, memset) per image.
// (The deallocation pipeline leaves those in an scf.forall body without any
// dealloc: a leak per image.) This pass turns each small static buffer that
// does not escape into a
// memref.alloca at the top of its allocation scope (the body of the
// enclosing scf.parallel, which becomes one OpenMP iteration, or the
// function), out of the scf.for loops in between: an alloc inside a loop
// body holds nothing across iterations, so one buffer serves them all.
// Buffers too large for the stack get a dealloc at the end of their block if
// they had none.
//
// Run again after scf-to-openmp, it moves those allocas from the body of the
// omp.wsloop (a memref.alloca_scope per iteration, which scf-to-cf could not
// split) to the top of the omp.parallel region: one buffer per thread.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace cnnc::cpu {
#define GEN_PASS_DEF_CPUSTACKBUFFERS
#include "codegen/cpu/Passes.h.inc"
} // namespace cnnc::cpu

using namespace mlir;

namespace {

/// The block allocas for `op` go to: the body of the innermost enclosing
/// parallel loop, else the function's entry block; none inside an OpenMP
/// region (a buffer the first run left on the heap, over the scope's
/// budget): the function's stack would be shared by the threads.
Block *scopeBlock(Operation *op) {
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp()) {
    if (isa<scf::ParallelOp, scf::ForallOp>(parent))
      return &parent->getRegion(0).front();
    if (isa<omp::ParallelOp, omp::WsloopOp>(parent))
      return nullptr;
    if (auto func = dyn_cast<func::FuncOp>(parent))
      return &func.getBody().front();
  }
  return nullptr;
}

/// Bytes of a static memref of int or float elements, or nullopt.
std::optional<int64_t> staticBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  return type.getNumElements() *
         int64_t(llvm::divideCeil(type.getElementTypeBitWidth(), 8));
}

/// `alloc`'s deallocations if every use of the buffer (through views)
/// stays in this function's memory ops: no yield, return, call or
/// ownership-based dealloc takes it. nullopt otherwise.
std::optional<SmallVector<memref::DeallocOp>>
localDeallocs(memref::AllocOp alloc) {
  SmallVector<memref::DeallocOp> deallocs;
  SmallVector<Value> worklist = {alloc.getResult()};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
        if (value != alloc.getResult() ||
            dealloc->getBlock() != alloc->getBlock())
          return std::nullopt;
        deallocs.push_back(dealloc);
        continue;
      }
      if (user->hasTrait<OpTrait::IsTerminator>() ||
          isa<CallOpInterface, RegionBranchOpInterface>(user) ||
          user->getDialect()->getNamespace() == "bufferization")
        return std::nullopt;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        for (Value result : user->getResults())
          worklist.push_back(result);
        continue;
      }
      // Anything else that yields a memref might alias it.
      if (llvm::any_of(user->getResultTypes(), llvm::IsaPred<BaseMemRefType>))
        return std::nullopt;
    }
  }
  return deallocs;
}

struct CpuStackBuffersPass
    : cnnc::cpu::impl::CpuStackBuffersBase<CpuStackBuffersPass> {
  using CpuStackBuffersBase::CpuStackBuffersBase;

  void runOnOperation() override {
    promoteAllocs();
    hoistOutOfOpenMPLoops();
  }

  void hoistOutOfOpenMPLoops() {
    SmallVector<memref::AllocaOp> allocas;
    getOperation().walk([&](memref::AllocaOp op) {
      if (op->getNumOperands() == 0 && op->getParentOfType<omp::WsloopOp>())
        allocas.push_back(op);
    });
    for (memref::AllocaOp alloca : allocas) {
      auto parallel = alloca->getParentOfType<omp::ParallelOp>();
      if (!parallel || !parallel->isProperAncestor(
                           alloca->getParentOfType<omp::WsloopOp>()))
        continue;
      alloca->moveBefore(&parallel.getRegion().front(),
                         parallel.getRegion().front().begin());
    }
  }

  void promoteAllocs() {
    SmallVector<memref::AllocOp> allocs;
    getOperation().walk([&](memref::AllocOp op) { allocs.push_back(op); });
    DenseMap<Block *, int64_t> bytesPerScope;
    IRRewriter rewriter(&getContext());
    for (memref::AllocOp alloc : allocs) {
      std::optional<SmallVector<memref::DeallocOp>> deallocs =
          localDeallocs(alloc);
      if (!deallocs)
        continue;
      std::optional<int64_t> bytes = staticBytes(alloc.getType());
      Block *scope = scopeBlock(alloc);
      if (!bytes || *bytes > maxBufferBytes || !scope ||
          bytesPerScope[scope] + *bytes > maxScopeBytes) {
        // Stays on the heap. The deallocation pipeline leaves buffers in an
        // scf.forall body without a dealloc: free them at the end of their
        // block (nothing outside it can see them).
        if (deallocs->empty()) {
          rewriter.setInsertionPoint(alloc->getBlock()->getTerminator());
          memref::DeallocOp::create(rewriter, alloc.getLoc(), alloc);
        }
        continue;
      }
      bytesPerScope[scope] += *bytes;
      rewriter.setInsertionPointToStart(scope);
      auto alloca = memref::AllocaOp::create(
          rewriter, alloc.getLoc(), alloc.getType(), alloc.getAlignmentAttr());
      for (memref::DeallocOp dealloc : *deallocs)
        rewriter.eraseOp(dealloc);
      rewriter.replaceOp(alloc, alloca.getResult());
    }
  }
};

} // namespace
