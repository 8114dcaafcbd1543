//===- CudaModule.h - A model's GPU code, JIT-loaded -------------*- C++ -*-===//
//
// A model compiled with --target=cuda carries its kernels as one PTX module
// (model_abi.h: gpu_arch, gpu_ptx, gpu_kernel_names). The driver compiles
// the PTX for the GPU at hand when it is loaded (JIT); the kernels are then
// looked up once by name. A failed load says why in the driver's words,
// with its JIT log, and, when the PTX is newer than the driver, which CUDA
// version the PTX needs.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_CUDAMODULE_H
#define CNNRT_CUDAMODULE_H

#include "cnnrt/CudaDriver.h"
#include "cnnrt/model_abi.h"

#include <optional>
#include <string>
#include <vector>

namespace cnnrt::cuda {

/// A --gpu-arch name: "sm_90" (PTX that runs on compute capability 9.0 and
/// later) or "sm_90a" (architecture-specific: 9.0 only).
struct GpuArch {
  int major = 0, minor = 0;
  bool specific = false;
  std::string name;

  static std::optional<GpuArch> parse(const std::string &name);
  bool runsOn(const DeviceInfo &device) const;
};

/// Checks the GPU fields of a descriptor with forward_cuda: an arch name,
/// PTX text, at least one kernel, every kernel named. Throws Error
/// ("invalid model descriptor: ...") otherwise. Nothing to check without
/// forward_cuda.
void checkGpuCode(const cnnrt_model &model);

/// Why the model's GPU code cannot run on `device` ("the model's GPU code
/// is for sm_90, but device 0 (NVIDIA A100) is sm_80"), or "".
std::string archMismatch(const cnnrt_model &model, const DeviceInfo &device);

/// The PTX ISA version a module declares (".version 8.0" -> {8, 0}).
std::optional<std::pair<int, int>> ptxIsaVersion(const std::string &ptx);
/// The oldest CUDA version (12000 for 12.0) whose driver JIT-compiles a
/// PTX ISA version; 0 when the runtime does not know the version.
int cudaVersionForPtx(int major, int minor);

/// The loaded module: in the current context of `driver`, unloaded on
/// destruction.
class Module {
public:
  /// JIT-loads model.gpu_ptx and looks up every gpu_kernel_names entry.
  /// Throws Error naming the step, the error, the JIT log.
  Module(const Driver &driver, const cnnrt_model &model);
  ~Module();
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;

  CUfunction kernel(std::size_t index) const { return kernels_[index]; }
  std::size_t numKernels() const { return kernels_.size(); }

private:
  const Driver &driver_;
  CUmodule module_ = nullptr;
  std::vector<CUfunction> kernels_;
};

} // namespace cnnrt::cuda

#endif // CNNRT_CUDAMODULE_H
