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

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc::gpu {

/// A loop nest that computes a temporary (a convolution with its bias and
/// activation, one element a thread) followed by the only loop nest that
/// reads it, at most once an element (a pooling whose windows do not
/// overlap): the reader computes each element it reads in place of the
/// read, and the temporary and its kernel go. In `block`.
void fusePooling(mlir::RewriterBase &rewriter, mlir::Block &block);

/// Runs of one-dimensional scf.parallel loops in `block` (from 0, step 1)
/// that touch no memory another of the run writes, with nothing between
/// them but allocations and pure ops, become one loop over the sum of
/// their sizes: each range of it runs one loop's body. A training step's
/// per-parameter updates, copies and small sums are one launch instead of
/// one each.
void fuseSideBySide(mlir::RewriterBase &rewriter, mlir::Block &block);

} // namespace cnnc::gpu

#endif // CNNC_CODEGEN_GPU_LOOPFUSION_H
