//===- Autodiff.h - reverse-mode differentiation of cnn ops -----*- C++ -*-===//
//
// The generic part of the training step: given a sequence of ops and the
// gradients of some of their values, walk the ops backwards and ask each
// (through cnn::GradientOpInterface) for the gradients of its operands. The
// walk only knows how to sum: a value used several times gets the cnn.add of
// its uses' contributions, in reverse program order. A cnn.repeat is
// differentiated as a whole by a repeat running backwards
// (RepeatGradient.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TRANSFORMS_AUTODIFF_H
#define CNNC_TRANSFORMS_AUTODIFF_H

#include "cnn/CnnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace cnn {

/// Emits, at `b`'s insertion point, the gradients of the values `seeds`
/// names (value, its gradient) with respect to the values `ops` compute
/// from the sources `isSource` accepts, and returns them by value. Only
/// values that depend on a source are differentiated ("active"), so no
/// gradient is computed for the input batch or the running statistics. An
/// active op without the interface is an error reported at it; ops whose
/// results carry no gradient are skipped. The returned map holds every
/// source and active value the gradient reached, values defined outside
/// `ops` included (a repeat body's captured weights).
///
/// A cnn.repeat in `ops` gains results (the values its backward pass needs)
/// and is replaced: its entry in `ops` is updated.
mlir::FailureOr<llvm::DenseMap<mlir::Value, mlir::Value>>
backpropagate(mlir::RewriterBase &b, llvm::SmallVectorImpl<mlir::Operation *> &ops,
              llvm::ArrayRef<std::pair<mlir::Value, mlir::Value>> seeds,
              llvm::function_ref<bool(mlir::Value)> isSource);

/// The gradients of a cnn.repeat's operands and captured values, given its
/// results' (null where none): `repeat` is replaced by one that also stacks
/// what the backward pass needs, and the backward repeat is emitted at
/// `b`'s insertion point. `isActive` says which values defined outside the
/// repeat depend on a source. Each (outer value, gradient) goes to
/// `operandGrads`.
mlir::LogicalResult differentiateRepeat(
    mlir::RewriterBase &b, RepeatOp &repeat,
    llvm::ArrayRef<mlir::Value> resultGrads,
    llvm::function_ref<bool(mlir::Value)> isActive,
    llvm::SmallVectorImpl<std::pair<mlir::Value, mlir::Value>> &operandGrads);

/// The values defined outside `repeat` that its body uses, in order of use.
llvm::SmallVector<mlir::Value> capturedValues(RepeatOp repeat);

} // namespace cnn

#endif // CNNC_TRANSFORMS_AUTODIFF_H
