//===- CnnNames.h - module attribute and entry names ------------*- C++ -*-===//
//
// The module attributes the compiler records on a cnn module and the entry
// symbols of a model, declared once for every pass, analysis and tool that
// reads or writes them (the runtime's side is runtime/include/cnnrt/
// model_abi.h).
//
//===----------------------------------------------------------------------===//
#ifndef CNN_CNNNAMES_H
#define CNN_CNNNAMES_H

#include "llvm/ADT/StringRef.h"

namespace cnn {

//===----------------------------------------------------------------------===//
// Module attributes
//===----------------------------------------------------------------------===//

/// The model's name, as the source's `model` declares it (MLIRGen).
inline constexpr llvm::StringLiteral kModelAttrName = "cnn.model";
/// The source's hyperparameters, a dictionary (MLIRGen).
inline constexpr llvm::StringLiteral kHyperparamsAttrName = "cnn.hyperparams";

/// The mode a model is specialised for: `cnn.mode = "eval"`
/// (cnn-specialize-eval) or `"train"` (cnn-train). Absent before.
inline constexpr llvm::StringLiteral kModeAttrName = "cnn.mode";
inline constexpr llvm::StringLiteral kEvalMode = "eval";
inline constexpr llvm::StringLiteral kTrainMode = "train";

/// The parameter arena's total size in bytes (cnn-lower-entry-abi).
inline constexpr llvm::StringLiteral kArenaSizeAttrName = "cnn.arena_size";

//===----------------------------------------------------------------------===//
// Op attributes
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

/// The inference function, as MLIRGen makes it.
inline constexpr llvm::StringLiteral kForwardFnName = "forward";
/// The training step, as cnn-train's build-train-step makes it.
inline constexpr llvm::StringLiteral kTrainStepFnName = "train_step";

/// Their C-interface wrappers (`llvm.emit_c_interface`), the symbols the
/// model descriptor and the library's entry points call.
inline constexpr llvm::StringLiteral kForwardCInterfaceName =
    "_mlir_ciface_forward";
inline constexpr llvm::StringLiteral kTrainStepCInterfaceName =
    "_mlir_ciface_train_step";

} // namespace cnn

#endif // CNN_CNNNAMES_H
