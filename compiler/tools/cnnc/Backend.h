//===- Backend.h - cnnc's MLIR and LLVM stages ------------------*- C++ -*-===//
#ifndef CNNC_TOOLS_CNNC_BACKEND_H
#define CNNC_TOOLS_CNNC_BACKEND_H

#include "frontend/Graph.h"

#include "llvm/Support/SourceMgr.h"

#include <string>
#include <vector>

namespace cnnc {

/// The stages after Sema, in pipeline order; each --emit stops after one.
enum class BackendStage {
  Cnn,     ///< the cnn dialect as MLIRGen makes it
  Summary, ///< shapes, counts and ops of the cnn IR
  CnnEval, ///< specialised for inference (dropout gone, batchnorm folded)
  CnnTrain,///< a branch: train_step in cnn ops (loss, gradients, SGD)
  TrainLinalg,   ///< the branch's train_step lowered to linalg
  TrainLLVMMLIR, ///< the branch's train_step in the LLVM dialect
  Gpu,     ///< a branch (CUDA): forward mapped to blocks and threads
  Nvvm,    ///< the branch's kernels in the NVVM dialect
  Ptx,     ///< the branch's kernels as PTX
  TrainGpu,  ///< a branch (CUDA): train_step mapped to blocks and threads
  TrainNvvm, ///< the branch's kernels in the NVVM dialect
  TrainPtx,  ///< the branch's kernels as PTX
  Linalg,  ///< lowered to linalg/tensor/arith/math, arena ABI
  LLVMMLIR,///< the LLVM dialect
  LLVM,    ///< LLVM IR, optimised, with the model descriptor
  Asm,     ///< native assembly
  Obj,     ///< a native object file
};

/// The devices the code is for: the CPU always (train_step, and forward
/// unless gpuOnCpu replaces it), with Cuda also an NVIDIA GPU's forward
/// and train_step.
enum class BackendTarget { Cpu, Cuda };

struct BackendOptions {
  BackendStage stage = BackendStage::Obj;
  BackendTarget target = BackendTarget::Cpu;
  std::string gpuArch = "sm_90";
  /// Cuda: the CPU's forward is the GPU schedule, its kernels run as loops
  /// (no GPU code; tests the GPU code generation on a CPU).
  bool gpuOnCpu = false;
  /// Cuda: host copies of the kernels, for the runtime's fake CUDA driver.
  bool gpuHostKernels = false;
  bool foldBatchNorm = true;
  bool parallel = true; ///< OpenMP across the batch (libomp at link time)
  bool winograd = true; ///< CPU: Winograd's F(2x2, 3x3) where it pays
  std::string cpu, features; ///< target CPU; empty: this machine's
  /// For a library: only `<prefix>_infer` and `<prefix>_model` exported.
  bool library = false;
  /// Objects and executables also carry train_step (not libraries).
  bool training = true;
  /// Threads for code generation: above 1, the training step's pipeline
  /// beside the forward's, and with splitObjects the Obj stage's code in
  /// several objects for the linker to join: forward's, compiled while the
  /// training step's pipeline still runs, and the training step's in parts
  /// compiled on this many threads (cpu::emitObjectsInParallel; their local
  /// symbols become hidden globals: not for a library).
  unsigned codegenThreads = 1;
  bool splitObjects = false;
};

/// What the stages produced: printed IR or assembly in `text`; for Obj the
/// object files (one unless codegenThreads > 1).
struct BackendOutput {
  std::string text;
  std::vector<std::string> objects;
};

/// What a library build produces besides the object.
struct LibraryParts {
  std::string prefix; ///< the C prefix of the model's symbols
  std::string header; ///< the C header
};

/// Runs MLIRGen and the stages up to `options.stage` into `out`.
/// Diagnostics go through `sourceMgr`'s file.
bool runBackend(const Graph &graph, llvm::SourceMgr &sourceMgr,
                const BackendOptions &options, BackendOutput &out,
                LibraryParts *library = nullptr);

} // namespace cnnc

#endif // CNNC_TOOLS_CNNC_BACKEND_H
