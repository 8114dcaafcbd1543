//===- LoopFusion.h - fewer, fuller kernels from the loop nests --*- C++
//-*-===//
//
// Beside scf::naivelyFuseParallelOps (nests over one space, dependent
// pointwise), the two fusions cnn-gpu-map-to-threads adds: each nest is a
// launch, and at the lecture's sizes a launch costs about as much as a
// small kernel's work.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_GPU_LOOPFUSION_H
#define CNNC_CODEGEN_GPU_LOOPFUSION_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace cnnc::gpu {

/// An op that may sit between two loops that fuse, the fused loop taking
/// the later one's place: an allocation, or a pure op without regions.
inline bool mayStayBetweenFusedLoops(mlir::Operation &op) {
  return !op.hasTrait<mlir::OpTrait::IsTerminator>() &&
         (llvm::isa<mlir::memref::AllocOp>(op) ||
          (op.getNumRegions() == 0 && mlir::isMemoryEffectFree(&op)));
}

/// A loop nest that computes a temporary (a convolution with its bias and
/// activation, one element a thread) followed by the only loop nest that
/// reads it, at most once an element (a pooling whose windows do not
/// overlap): the reader computes each element it reads in place of the
/// read, and the temporary and its kernel go. In `block`.
void fusePooling(mlir::RewriterBase &rewriter, mlir::Block &block);

/// One-dimensional scf.parallel loops of `block` (from 0, step 1) with
/// nothing between them but allocations and pure ops, grouped by the
/// longest chain of dependent loops before each: each group (loops that
/// touch no memory another writes) becomes one loop over the sum of
/// their sizes, each range of it running one loop's body. A training
/// step's per-parameter updates, copies and small sums are one launch
/// instead of one each.
void fuseSideBySide(mlir::RewriterBase &rewriter, mlir::Block &block);

} // namespace cnnc::gpu

#endif // CNNC_CODEGEN_GPU_LOOPFUSION_H
