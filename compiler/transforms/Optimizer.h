//===- Optimizer.h - SGD state and update of a training step ----*- C++ -*-===//
//
// The optimizer's side of train_step: the training state each parameter
// needs (its gradient and momentum buffer, declared as cnn.param so that
// ParamLayout places them as model_abi.h's cnnrt_train_slot says), the
// penalty, and one fused cnn.sgd_update per parameter.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TRANSFORMS_OPTIMIZER_H
#define CNNC_TRANSFORMS_OPTIMIZER_H

#include "cnn/CnnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace cnn {

/// A parameter and its training state.
struct TrainingSlot {
  ParamOp param;
  ParamOp grad;     ///< "grad.<name>", role gradient
  ParamOp momentum; ///< "momentum_buffer.<name>", role momentum
};

inline std::string gradSlotName(llvm::StringRef param) {
  return ("grad." + param).str();
}
inline std::string momentumSlotName(llvm::StringRef param) {
  return ("momentum_buffer." + param).str();
}

/// Declares the gradient and momentum buffer of every `parameter` of
/// `module`, after its last cnn.param: all gradients in parameter order,
/// then all momentum buffers in the same order, each initialised to 0.
/// Fails (reported) when one of the names is taken.
mlir::FailureOr<llvm::SmallVector<TrainingSlot>>
declareTrainingSlots(mlir::ModuleOp module);

/// The SGD hyperparameters, as train_step's arguments.
struct SgdScalars {
  mlir::Value lr, momentum, dampening, weightDecay, l2, l1; // f32
  mlir::Value nesterov, firstStep;                          // i32
};

/// For each slot, with `params[i]` the value of slot i's parameter before
/// the step and `grads[i]` its loss gradient: reads the momentum buffer and
/// emits one cnn.sgd_update at `b`'s insertion point, then the writes of
/// the gradient, the parameter and the buffer at `writes`' insertion point
/// (after every read of the step).
void emitSgdStep(mlir::OpBuilder &b, mlir::OpBuilder &writes,
                 llvm::ArrayRef<TrainingSlot> slots,
                 llvm::ArrayRef<mlir::Value> params,
                 llvm::ArrayRef<mlir::Value> grads, const SgdScalars &sgd);

} // namespace cnn

#endif // CNNC_TRANSFORMS_OPTIMIZER_H
