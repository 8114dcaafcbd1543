//===- FlatTensorOps.h - ops over whole parameters, as one dimension --*- C++ -*-===//
//
// The training step's ops over whole parameters (the fused SGD update, the
// penalty's sums) run once per step, outside the batch loops, on static
// tensors of any rank ([32, 16, 3, 3] filters, [n, ...] stacks). Lowered as
// written they become scalar loop nests (too short to vectorize along the
// last dimension: 3 filter taps), which LLVM unswitches and unrolls into
// thousands of lines per parameter. Seen as one dimension, each is a
// single loop of vector steps. The CPU strategy chooses this form
// (Strategy.cpp); the step size is its decision.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_FLATTENSOROPS_H
#define CNNC_CODEGEN_CPU_FLATTENSOROPS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc::cpu {

/// Whether `op` works on whole static tensors element by element: a
/// generic outside every loop whose operands all have static shapes and
/// whose body reads only its own elements, and which either maps every
/// operand identically over parallel loops (an
/// update) or reads its inputs identically and reduces every loop into
/// rank-0 results (a sum over a tensor).
bool isWholeTensorOp(mlir::linalg::GenericOp op);

/// `op` (isWholeTensorOp) over one dimension: its tensors collapsed, the
/// results expanded back. Returns the new op (`op` itself when it already
/// has one loop).
mlir::linalg::GenericOp flatten(mlir::RewriterBase &rewriter,
                                mlir::linalg::GenericOp op);

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_FLATTENSOROPS_H
