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
#include "llvm/Support/Error.h"

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

/// A parameter's training state (model_abi.h's cnnrt_train_slot).
struct TrainSlot {
  int64_t tensor = 0; ///< index into ModelDescriptor::tensors
  uint64_t gradOffset = 0, momentumOffset = 0;
};

/// A dropout op of the forward (model_abi.h's cnnrt_dropout_site).
struct DropoutSite {
  std::string name; ///< the layer's path
  double p = 0;
  bool channelwise = false;
  int64_t elemsPerSample = 0;
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
  /// Training (empty slots: the module has no training state, and the
  /// descriptor's train_step is null).
  uint64_t trainArenaBytes = 0;
  std::vector<TrainSlot> trainSlots;
  std::vector<DropoutSite> dropoutSites; ///< in site order
};

/// Gathers the descriptor of a cnn module as MLIRGen makes it (a forward
/// taking [N, C, H, W] and returning [N, K]); the layout is cnn::ParamLayout's.
/// `trainModule`, if given, is the model after the cnn-train pipeline: its
/// training state ("grad.<name>" and "momentum_buffer.<name>" params for
/// every parameter, after the model's tensors, which keep their offsets)
/// gives the train slots and train_arena_bytes.
mlir::FailureOr<ModelDescriptor>
describeModel(mlir::ModuleOp module, mlir::ModuleOp trainModule = {});

/// Defines `const cnnrt_model cnnc_model` in `module`, pointing at the
/// C-interface functions `forwardSymbol` and, unless empty, `trainStepSymbol`
/// (declared if absent). Its target_cpu and target_features are what the
/// functions already in `module` need of the CPU (cpuRequirements in
/// CpuFeatures.h): emit it after translating the code. The structs and
/// function types are model_abi.h's (ModelAbi.h); an error, and no
/// descriptor, if the target's data layout lays them out otherwise than the
/// runtime's C compiler or the code defines an entry point with another
/// type than model_abi.h's. `gpu`, if given, fills the GPU fields.
/// The GPU code of a model compiled with --target=cuda: the host function
/// that enqueues the kernels (forward_cuda) and the kernels themselves.
struct GpuCode {
  std::string forwardSymbol; ///< C-interface function, forward's type
  /// C-interface function, train_step's type; empty without a train step
  std::string trainStepSymbol;
  std::string arch;          ///< e.g. "sm_90"
  std::string ptx;
  std::vector<std::string> kernelNames; ///< cnnrt_gpu_launch's indices
};

llvm::Error emitModelDescriptor(llvm::Module &module,
                                const ModelDescriptor &model,
                                llvm::StringRef forwardSymbol,
                                llvm::StringRef trainStepSymbol = {},
                                const GpuCode *gpu = nullptr);

} // namespace cnnc

#endif // CNNC_CODEGEN_MODELDESCRIPTOR_H
