//===- Pipelines.h - every MLIR pass of cnnc, per target and mode -*- C++ -*-===//
//
// The one place that builds cnnc's MLIR pipeline: from the cnn dialect as
// MLIRGen makes it, through the mode's specialisation (cnn-eval or
// cnn-train) and the target-neutral lowering to linalg, down to the target's
// LLVM dialect. cnnc runs it; cnnc-opt registers it per target and mode as
// `cnnc-<target>-<mode>`, so that
//
//   cnnc model.cnn --emit=cnn |
//     cnnc-opt --pass-pipeline='builtin.module(cnnc-cpu-eval{stop-after=linalg})'
//
// prints what `cnnc model.cnn --emit=linalg` prints (test/compiler/pipeline/
// pipelines.test diffs every stage).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_PIPELINE_PIPELINES_H
#define CNNC_PIPELINE_PIPELINES_H

#include "codegen/gpu/GpuPipeline.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace cnnc::pipeline {

/// The machine the pipeline lowers for. Everything up to linalg is the same
/// for every target; the code generation after it is the target's own.
/// CudaOnCpu: the GPU schedule with its kernels run as loops on the CPU
/// (the GPU code generation tested without a GPU).
enum class Target { Cpu, Cuda, CudaOnCpu };

/// Which copy of the model: inference (`forward`) or the training step
/// (`train_step`).
enum class Mode { Eval, Train };

/// The points the pipeline can start or stop after, in order; each but Cnn is
/// one of cnnc's MLIR --emit levels.
enum class Stage {
  Cnn,         ///< the cnn dialect as MLIRGen makes it (no pass)
  Specialized, ///< cnn-eval or cnn-train: the mode's model in cnn ops
  Linalg,      ///< linalg/tensor/arith/math on tensors, arena ABI
  LLVMDialect, ///< llvm-mlir: the target's code generation, LLVM dialect
};

struct PipelineOptions {
  Target target = Target::Cpu;
  Mode mode = Mode::Eval;
  /// The passes of the stages after `startAfter` up to `stopAfter`, both
  /// included. (cnnc runs a train_step in two pieces: the model descriptor
  /// reads the cnn-train module's parameter records before lowering.)
  Stage startAfter = Stage::Cnn;
  Stage stopAfter = Stage::LLVMDialect;
  /// Eval: fold batchnorms into the preceding convolutions.
  bool foldBatchNorm = true;
  /// CPU: run each batch's images on OpenMP threads.
  bool parallel = true;
  /// CPU: 3x3 convs by Winograd's F(2x2, 3x3) where the strategy picks it.
  bool winograd = true;
  /// CPU: the machine the strategy plans for, as cnnc's -mcpu and -mattr
  /// (empty or "native": this one).
  std::string cpu = "native";
  std::string features;
  /// CUDA: the GPU (sm_80, sm_90, ...) and the GPU wing's last stage.
  std::string gpuArch = "sm_90";
  gpu::GpuStage gpuStopAfter = gpu::GpuStage::Host;
  /// CUDA: host copies of the kernels for the runtime's fake driver.
  bool gpuHostKernels = false;
};

/// Sets a CUDA pipeline's stopAfter and gpuStopAfter from a cnnc --emit
/// level (cnn-eval or cnn-train, linalg, gpu, nvvm, ptx, llvm-mlir; the
/// train- forms without the prefix); false if `emit` is none of them.
bool setCudaStopAfter(PipelineOptions &options, llvm::StringRef emit);

/// Appends the passes of `options`' stages to `pm` (a module pass manager).
void buildPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);

/// Registers `cnnc-cpu-eval` and `cnnc-cpu-train` (options `stop-after`,
/// `parallel`, `winograd`, `cpu`, `features`, and for eval `fold-batchnorm`)
/// and `cnnc-cuda-eval` (`stop-after`, `arch`, `fold-batchnorm`, `emulate`) and
/// `cnnc-cuda-train` (`stop-after`, `arch`) for cnnc-opt.
void registerPipelines();

} // namespace cnnc::pipeline

#endif // CNNC_PIPELINE_PIPELINES_H
