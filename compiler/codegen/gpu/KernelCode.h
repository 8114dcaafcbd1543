//===- KernelCode.h - the PTX a GPU pipeline produced ------------*- C++ -*-===//
#ifndef CNNC_CODEGEN_GPU_KERNELCODE_H
#define CNNC_CODEGEN_GPU_KERNELCODE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>
#include <vector>

namespace cnnc::gpu {

/// What the runtime loads: one PTX module and the kernels the host code
/// starts, by cnnrt_gpu_launch's index.
struct KernelCode {
  std::string arch; ///< e.g. "sm_90"
  std::string ptx;
  std::vector<std::string> kernelNames;
};

/// The PTX of the module's gpu.binary (the pipeline stopped after the
/// binary stage: --emit=ptx).
mlir::FailureOr<std::string> binaryPtx(mlir::ModuleOp module);

/// The kernel code recorded on a host module (the pipeline ran to the end:
/// cnn-gpu-launches-to-runtime's cnn.gpu_* attributes), taken off it.
mlir::FailureOr<KernelCode> takeKernelCode(mlir::ModuleOp module);

} // namespace cnnc::gpu

#endif // CNNC_CODEGEN_GPU_KERNELCODE_H
