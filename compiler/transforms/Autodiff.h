//===- Autodiff.h - reverse-mode differentiation of cnn ops -----*- C++ -*-===//
//
// The generic part of the training step: given a straight-line sequence of
// ops and the gradient of one of its values, walk the ops backwards and ask
// each (through cnn::GradientOpInterface) for the gradients of its
// operands. The walk only knows how to sum: a value used several times gets
// the cnn.add of its uses' contributions, in reverse program order.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TRANSFORMS_AUTODIFF_H
#define CNNC_TRANSFORMS_AUTODIFF_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace cnn {

/// Emits, at `b`'s insertion point, the gradients of `output` (given as
/// `outputGrad`) with respect to the values `ops` compute from the sources
/// `isSource` accepts, and returns them by value. Only values that depend
/// on a source are differentiated ("active"), so no gradient is computed
/// for the input batch or the running statistics. An active op without the
/// interface is an error reported at it; ops whose results carry no
/// gradient are skipped. The returned map holds every source and active
/// value the gradient reached.
mlir::FailureOr<llvm::DenseMap<mlir::Value, mlir::Value>>
backpropagate(mlir::OpBuilder &b, llvm::ArrayRef<mlir::Operation *> ops,
              mlir::Value output, mlir::Value outputGrad,
              llvm::function_ref<bool(mlir::Value)> isSource);

} // namespace cnn

#endif // CNNC_TRANSFORMS_AUTODIFF_H
