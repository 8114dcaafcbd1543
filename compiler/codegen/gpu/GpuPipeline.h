//===- GpuPipeline.h - linalg-on-tensors to NVIDIA kernels -------*- C++ -*-===//
//
// The GPU wing's pipeline, from the target-neutral linalg of `forward` to
// PTX kernels and a host function in the LLVM dialect that starts them
// through libcnnrt (model_abi.h's cnnrt_gpu_launch, cnnrt_gpu_alloc):
//
//   schedule  bufferize into the function's buffers, each op a parallel
//             loop nest, its reductions in registers, mapped to a 1-D grid
//             (gpu.launch in the host function)          --emit=gpu
//   kernels   outlined into one gpu.module, lowered to NVVM --emit=nvvm
//   binary    PTX, by LLVM's NVPTX back end (no CUDA toolkit) --emit=ptx
//   host      launches as runtime calls, the rest to the LLVM dialect;
//             the PTX, kernel names and arch as module attributes
//             (cnn.gpu_ptx, cnn.gpu_kernels, cnn.gpu_arch) for GpuCodegen.h
//
// With `emulate`, the schedule's launches become loops instead and the
// function is lowered for the CPU: the same kernels' arithmetic, checked
// against PyTorch on a machine without a GPU.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_GPU_GPUPIPELINE_H
#define CNNC_CODEGEN_GPU_GPUPIPELINE_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace cnnc::gpu {

enum class GpuStage { Schedule, Kernels, Binary, Host };

struct GpuPipelineOptions
    : mlir::PassPipelineOptions<GpuPipelineOptions> {
  Option<std::string> arch{*this, "arch",
                           llvm::cl::desc("The GPU, e.g. sm_80, sm_90"),
                           llvm::cl::init("sm_90")};
  Option<GpuStage> stopAfter{
      *this, "stop-after", llvm::cl::desc("The last stage"),
      llvm::cl::init(GpuStage::Host),
      llvm::cl::values(
          clEnumValN(GpuStage::Schedule, "schedule",
                     "mapped to blocks and threads (gpu.launch)"),
          clEnumValN(GpuStage::Kernels, "kernels", "kernels in NVVM"),
          clEnumValN(GpuStage::Binary, "binary", "kernels as PTX"),
          clEnumValN(GpuStage::Host, "host", "host code in the LLVM dialect"))};
  Option<bool> emulate{
      *this, "emulate",
      llvm::cl::desc("Run the kernels as loops on the CPU (testing)"),
      llvm::cl::init(false)};
  Option<bool> hostKernels{
      *this, "host-kernels",
      llvm::cl::desc("Also copy the kernels into host code for the "
                     "runtime's fake CUDA driver (testing)"),
      llvm::cl::init(false)};
  Option<int64_t> threadsPerBlock{*this, "threads-per-block",
                                  llvm::cl::desc("Threads of one block"),
                                  llvm::cl::init(256)};
};

/// The PTX version the kernels declare: `arch` needs at least this (sm_90:
/// PTX 7.8); LLVM's default for it, 6.0, aborts.
std::string ptxFeatures(llvm::StringRef arch);

/// Whether `arch` is a GPU this target knows (sm_NN that LLVM's NVPTX back
/// end accepts).
bool isKnownArch(llvm::StringRef arch);

void buildGpuPipeline(mlir::OpPassManager &pm,
                      const GpuPipelineOptions &options);

void registerGpuPipelineDialects(mlir::DialectRegistry &registry);

/// The GPU wing's passes and `cnn-gpu-pipeline`, for cnnc-opt.
void registerGpuPipelinePasses();

} // namespace cnnc::gpu

#endif // CNNC_CODEGEN_GPU_GPUPIPELINE_H
