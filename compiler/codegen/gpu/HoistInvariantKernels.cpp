//===- HoistInvariantKernels.cpp - a shared block's constants computed once
//===//

#include "codegen/gpu/Passes.h"
#include "codegen/gpu/UnderlyingBuffer.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUHOISTINVARIANTKERNELS
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

/// Whether `kernel`, in the body of `loop`, computes the same on every
/// iteration into a buffer of its own: it uses no value defined in the
/// loop but the allocation `target` it writes, which nothing else in the
/// loop writes, and nothing in the loop writes what it reads.
bool isInvariant(scf::ParallelOp kernel, scf::ForOp loop,
                 memref::AllocOp &target) {
  Region &body = loop.getRegion();
  bool usesLoopValues = false;
  kernel.walk([&](Operation *op) {
    for (Value operand : op->getOperands()) {
      Region *defined = operand.getParentRegion();
      if (kernel->isAncestor(defined->getParentOp()))
        continue; // defined inside the kernel
      if (!body.isAncestor(defined))
        continue; // defined before the loop
      auto alloc = operand.getDefiningOp<memref::AllocOp>();
      if (!alloc || alloc->getBlock() != loop.getBody() ||
          llvm::any_of(alloc.getDynamicSizes(),
                       [&](Value size) {
                         return body.isAncestor(size.getParentRegion());
                       }) ||
          (target && target != alloc)) {
        usesLoopValues = true;
        continue;
      }
      target = alloc;
    }
  });
  if (usesLoopValues || !target)
    return false;
  // Read only: one buffer for all iterations must not reach another
  // name (a yield, a view) through which the loop could write it.
  if (llvm::any_of(target->getUsers(), [&](Operation *user) {
        return !kernel->isAncestor(user) && !isa<memref::LoadOp>(user);
      }))
    return false;
  // What the kernel writes and reads, and what the rest of the loop writes.
  llvm::SmallDenseSet<Value> kernelWrites, kernelReads, loopWrites;
  bool writesUnknown = false;
  loop.getBody()->walk([&](Operation *op) {
    bool inKernel = kernel->isAncestor(op);
    for (Value buffer : writtenBuffers(op)) {
      if (!buffer)
        writesUnknown = true;
      (inKernel ? kernelWrites : loopWrites).insert(buffer);
    }
    if (auto load = dyn_cast<memref::LoadOp>(op); load && inKernel)
      kernelReads.insert(underlyingBuffer(load.getMemRef()));
  });
  if (writesUnknown || loopWrites.contains(target.getResult()))
    return false;
  if (llvm::any_of(kernelWrites,
                   [&](Value buffer) { return buffer != target.getResult(); }))
    return false;
  return llvm::none_of(
      kernelReads, [&](Value buffer) { return loopWrites.contains(buffer); });
}

struct GpuHoistInvariantKernels
    : impl::GpuHoistInvariantKernelsBase<GpuHoistInvariantKernels> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>())
        loops.push_back(loop);
    });
    for (scf::ForOp loop : loops) {
      for (Operation &op : llvm::make_early_inc_range(*loop.getBody())) {
        auto kernel = dyn_cast<scf::ParallelOp>(op);
        memref::AllocOp target;
        if (!kernel || !isInvariant(kernel, loop, target))
          continue;
        target->moveBefore(loop);
        kernel->moveBefore(loop);
      }
    }
  }
};

} // namespace
} // namespace cnnc::gpu
