//===- Pipelines.cpp - every MLIR pass of cnnc, per target and mode -------===//
//
// One function per stage, each a plain list of passes; buildPipeline strings
// the stages of a (target, mode) together between a start and a stop.
//
//===----------------------------------------------------------------------===//
#include "pipeline/Pipelines.h"

#include "conversion/Passes.h"
#include "codegen/cpu/CpuPipeline.h"
#include "transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace cnnc::pipeline {
namespace {

/// cnn-eval: dropout gone, batchnorm on running statistics (folded into the
/// convolutions when asked).
void addEvalPasses(OpPassManager &pm, const PipelineOptions &options) {
  pm.addPass(cnn::createSpecializeEval());
  if (options.foldBatchNorm)
    pm.addPass(cnn::createFoldBatchNorm());
  // Activations move below max poolings (cnn.max_pool2d's canonicalization).
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// cnn-train: `forward` becomes `train_step` (loss, gradients, fused SGD).
void addTrainPasses(OpPassManager &pm) {
  // Repeated blocks stay loops, but for those with dropout: the training
  // step takes one mask argument per site.
  pm.addPass(cnn::createUnrollRepeats({/*withDropoutOnly=*/true}));
  pm.addPass(cnn::createSpecializeTrain());
  // Activations move below max poolings before autodiff (cnn.max_pool2d's
  // canonicalization), so the backward pass follows suit.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(cnn::createBuildTrainStep());
  // Reads of one parameter merge (no write between them in the forward
  // part), and the gradients nobody uses go.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// linalg: target-neutral, the same for both modes.
void addLinalgPasses(OpPassManager &pm) {
  pm.addPass(cnn::createLowerEntryAbi());
  pm.addPass(cnn::createConvertCnnToLinalg());
}

/// llvm-mlir: the parameter records go, then the target's code generation.
void addCodegenPasses(OpPassManager &pm, const PipelineOptions &options) {
  pm.addPass(cnn::createStripParams());
  switch (options.target) {
  case Target::Cpu: {
    cpu::CpuPipelineOptions cpuOptions;
    cpuOptions.parallel = options.parallel;
    cpuOptions.winograd = options.winograd;
    cpuOptions.cpu = options.cpu.empty() ? "native" : options.cpu;
    cpuOptions.features = options.features;
    cpu::buildCpuPipeline(pm, cpuOptions);
    return;
  }
  case Target::Cuda:
  case Target::CudaOnCpu: {
    gpu::GpuPipelineOptions gpuOptions;
    gpuOptions.arch = options.gpuArch;
    gpuOptions.stopAfter = options.gpuStopAfter;
    gpuOptions.emulate = options.target == Target::CudaOnCpu;
    gpuOptions.hostKernels = options.gpuHostKernels;
    gpu::buildGpuPipeline(pm, gpuOptions);
    return;
  }
  }
}

//===- Registration for cnnc-opt ------------------------------------------===//

/// A CPU pipeline's options, as cnnc's flags: `Derived` names its first
/// stage (kSpecialized, kSpecializedHelp).
template <typename Derived>
struct CpuPipelineOptions : PassPipelineOptions<Derived> {
  detail::PassOptions::Option<Stage> stopAfter{
      *this, "stop-after",
      llvm::cl::desc("The last stage (a cnnc --emit level)"),
      llvm::cl::init(Stage::LLVMDialect),
      llvm::cl::values(
          clEnumValN(Stage::Specialized, Derived::kSpecialized,
                     Derived::kSpecializedHelp),
          clEnumValN(Stage::Linalg, "linalg",
                     "lowered to linalg, tensor, arith and math"),
          clEnumValN(Stage::LLVMDialect, "llvm-mlir", "the LLVM dialect"))};
  detail::PassOptions::Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Spread each batch over threads (OpenMP)"),
      llvm::cl::init(true)};
  detail::PassOptions::Option<bool> winograd{
      *this, "winograd",
      llvm::cl::desc("3x3 convs by Winograd's F(2x2, 3x3) or F(4x4, 3x3) "
                     "where the strategy picks it, as cnnc's --winograd"),
      llvm::cl::init(true)};
  detail::PassOptions::Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("Target CPU, as cnnc's -mcpu (native: this machine)"),
      llvm::cl::init("native")};
  detail::PassOptions::Option<std::string> features{
      *this, "features", llvm::cl::desc("Target features, as cnnc's -mattr"),
      llvm::cl::init("")};

  /// The pipeline's options for `mode`.
  PipelineOptions pipelineOptions(Mode mode) const {
    PipelineOptions options;
    options.target = Target::Cpu;
    options.mode = mode;
    options.stopAfter = stopAfter;
    options.parallel = parallel;
    options.winograd = winograd;
    options.cpu = cpu;
    options.features = features;
    return options;
  }
};

struct CpuEvalOptions : CpuPipelineOptions<CpuEvalOptions> {
  static constexpr const char *kSpecialized = "cnn-eval";
  static constexpr const char *kSpecializedHelp = "specialised for inference";
  Option<bool> foldBatchNorm{
      *this, "fold-batchnorm",
      llvm::cl::desc("Fold batchnorms into the preceding convolutions"),
      llvm::cl::init(true)};
};

struct CpuTrainOptions : CpuPipelineOptions<CpuTrainOptions> {
  static constexpr const char *kSpecialized = "cnn-train";
  static constexpr const char *kSpecializedHelp =
      "the training step in cnn ops";
};

struct CudaTrainOptions : PassPipelineOptions<CudaTrainOptions> {
  Option<std::string> stopAfter{
      *this, "stop-after",
      llvm::cl::desc("The last stage (a cnnc --emit level: cnn-train, "
                     "linalg, gpu, nvvm, ptx, llvm-mlir)"),
      llvm::cl::init("llvm-mlir")};
  Option<std::string> arch{*this, "arch",
                           llvm::cl::desc("The GPU, as cnnc's --gpu-arch"),
                           llvm::cl::init("sm_90")};
};

struct CudaEvalOptions : PassPipelineOptions<CudaEvalOptions> {
  Option<std::string> stopAfter{
      *this, "stop-after",
      llvm::cl::desc("The last stage (a cnnc --emit level: cnn-eval, "
                     "linalg, gpu, nvvm, ptx, llvm-mlir)"),
      llvm::cl::init("llvm-mlir")};
  Option<bool> foldBatchNorm{
      *this, "fold-batchnorm",
      llvm::cl::desc("Fold batchnorms into the preceding convolutions"),
      llvm::cl::init(true)};
  Option<std::string> arch{*this, "arch",
                           llvm::cl::desc("The GPU, as cnnc's --gpu-arch"),
                           llvm::cl::init("sm_90")};
  Option<bool> emulate{
      *this, "emulate",
      llvm::cl::desc("Run the kernels as loops on the CPU, as cnnc's "
                     "--gpu-on-cpu"),
      llvm::cl::init(false)};
};

} // namespace

bool setCudaStopAfter(PipelineOptions &options, llvm::StringRef emit) {
  using gpu::GpuStage;
  std::optional<std::pair<Stage, GpuStage>> stop =
      llvm::StringSwitch<std::optional<std::pair<Stage, GpuStage>>>(emit)
          .Case("cnn-eval", {{Stage::Specialized, GpuStage::Host}})
          .Case("cnn-train", {{Stage::Specialized, GpuStage::Host}})
          .Case("linalg", {{Stage::Linalg, GpuStage::Host}})
          .Case("gpu", {{Stage::LLVMDialect, GpuStage::Schedule}})
          .Case("nvvm", {{Stage::LLVMDialect, GpuStage::Kernels}})
          .Case("ptx", {{Stage::LLVMDialect, GpuStage::Binary}})
          .Case("llvm-mlir", {{Stage::LLVMDialect, GpuStage::Host}})
          .Default(std::nullopt);
  if (!stop)
    return false;
  options.stopAfter = stop->first;
  options.gpuStopAfter = stop->second;
  return true;
}

void buildPipeline(OpPassManager &pm, const PipelineOptions &options) {
  auto runs = [&](Stage stage) {
    return options.startAfter < stage && stage <= options.stopAfter;
  };
  if (runs(Stage::Specialized)) {
    if (options.mode == Mode::Eval)
      addEvalPasses(pm, options);
    else
      addTrainPasses(pm);
  }
  if (runs(Stage::Linalg))
    addLinalgPasses(pm);
  if (runs(Stage::LLVMDialect))
    addCodegenPasses(pm, options);
}

/// A cnnc-cuda-<mode> pipeline's options up to `stopAfter` (a cnnc --emit
/// level) for `arch`.
static PipelineOptions cudaOptions(llvm::StringRef pipeline, Mode mode,
                                   llvm::StringRef stopAfter,
                                   llvm::StringRef arch) {
  PipelineOptions options;
  options.target = Target::Cuda;
  options.mode = mode;
  options.gpuArch = arch.str();
  if (!setCudaStopAfter(options, stopAfter))
    llvm::report_fatal_error(pipeline + ": unknown stop-after '" + stopAfter +
                             "'");
  return options;
}

void registerPipelines() {
  PassPipelineRegistration<CpuEvalOptions>(
      "cnnc-cpu-eval",
      "cnnc's inference pipeline for the CPU, from the cnn dialect as MLIRGen "
      "makes it to `stop-after`",
      [](OpPassManager &pm, const CpuEvalOptions &cl) {
        PipelineOptions options = cl.pipelineOptions(Mode::Eval);
        options.foldBatchNorm = cl.foldBatchNorm;
        buildPipeline(pm, options);
      });
  PassPipelineRegistration<CpuTrainOptions>(
      "cnnc-cpu-train",
      "cnnc's training-step pipeline for the CPU, from the cnn dialect as "
      "MLIRGen makes it to `stop-after`",
      [](OpPassManager &pm, const CpuTrainOptions &cl) {
        buildPipeline(pm, cl.pipelineOptions(Mode::Train));
      });
  PassPipelineRegistration<CudaEvalOptions>(
      "cnnc-cuda-eval",
      "cnnc's inference pipeline for NVIDIA GPUs, from the cnn dialect as "
      "MLIRGen makes it to `stop-after`",
      [](OpPassManager &pm, const CudaEvalOptions &cl) {
        PipelineOptions options =
            cudaOptions("cnnc-cuda-eval", Mode::Eval, cl.stopAfter, cl.arch);
        options.target = cl.emulate ? Target::CudaOnCpu : Target::Cuda;
        options.foldBatchNorm = cl.foldBatchNorm;
        buildPipeline(pm, options);
      });
  PassPipelineRegistration<CudaTrainOptions>(
      "cnnc-cuda-train",
      "cnnc's training-step pipeline for NVIDIA GPUs (train_step_cuda), "
      "from the cnn dialect as MLIRGen makes it to `stop-after`",
      [](OpPassManager &pm, const CudaTrainOptions &cl) {
        buildPipeline(pm, cudaOptions("cnnc-cuda-train", Mode::Train,
                                      cl.stopAfter, cl.arch));
      });
}

} // namespace cnnc::pipeline
