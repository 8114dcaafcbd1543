//===- ModelDescriptor.h - the model as the runtime sees it -----*- C++ -*-===//
//
// Every compiled model carries a `cnnrt_model` descriptor (runtime/include/
// cnnrt/model_abi.h): its layout table, shapes, initializers, training
// configuration and entry points. It is gathered from the cnn module before
// lowering and written into the LLVM module as constants, so the object file
// is self-contained.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_MODELDESCRIPTOR_H
#define CNNC_CODEGEN_MODELDESCRIPTOR_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace cnnc {

struct TensorEntry {
  std::string name;
  std::vector<int64_t> shape;
  bool isInteger = false, isBuffer = false;
  uint64_t offset = 0;
  int32_t initKind = 0; ///< CNNRT_INIT_UNIFORM, _NORMAL, _CONSTANT
  double initA = 0, initB = 0;
  /// Other state_dict names of the tensor (cnn.param's `aliases`).
  std::vector<std::string> aliases;
};

struct ModelDescriptor {
  std::string name;
  std::vector<std::pair<std::string, std::string>> hyperparams;
  std::array<int64_t, 3> inputShape{};
  int64_t numClasses = 0;
  std::vector<TensorEntry> tensors;
  uint64_t arenaBytes = 0;
  int64_t flopsPerSample = 0;
  double lr = 0, momentum = 0, dampening = 0, weightDecay = 0;
  bool nesterov = false;
  int32_t penalty = 0; ///< CNNRT_PENALTY_*
  double penaltyStrength = 0;
  int64_t epochs = 0, batchSize = 0, seed = 0;
};

/// Gathers the descriptor of a cnn module as MLIRGen makes it (a forward
/// taking [N, C, H, W] and returning [N, K]); the layout is cnn::ParamLayout's.
mlir::FailureOr<ModelDescriptor> describeModel(mlir::ModuleOp module);

/// Defines `const cnnrt_model cnnc_model` in `module`, pointing at the
/// C-interface function `forwardSymbol` (declared if absent).
void emitModelDescriptor(llvm::Module &module, const ModelDescriptor &model,
                         llvm::StringRef forwardSymbol);

} // namespace cnnc

#endif // CNNC_CODEGEN_MODELDESCRIPTOR_H
