//===- CudaDriver.h - The NVIDIA driver, loaded at run time ------*- C++ -*-===//
//
// libcuda.so.1 is opened with dlopen on first use, never linked: a model
// executable starts (and runs on the CPU) on machines without it. The
// library's name can be overridden with CNNRT_CUDA_DRIVER (a path or a
// name for dlopen), which the tests use to point at a missing or a fake
// driver. The driver stays loaded until the process ends.
//
// Every failed call becomes a cnnrt::Error that says what was being done,
// the driver's name for the error and its description:
//   "cuMemAlloc_v2 (the model's arena, 51072 bytes, on device 0):
//    CUDA_ERROR_OUT_OF_MEMORY: out of memory"
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_CUDADRIVER_H
#define CNNRT_CUDADRIVER_H

#include "cnnrt/CudaApi.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace cnnrt::cuda {

/// What the runtime needs to know of a GPU.
struct DeviceInfo {
  int ordinal = 0;
  std::string name;          ///< "NVIDIA H200"
  int major = 0, minor = 0;  ///< compute capability
  int multiprocessors = 0;
  std::size_t memoryBytes = 0;
  /// "sm_90"
  std::string arch() const;
};

class Driver {
public:
  /// The process's driver, loaded and initialised (cuInit) on the first
  /// call; nullptr when there is none usable, with `whyNot` set to a phrase
  /// such as "no CUDA driver (libcuda.so.1 not found)" or "no CUDA GPU
  /// (cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected)".
  static const Driver *get(std::string &whyNot);

  // The entry points, resolved by their versioned symbol names.
#define CNNRT_CUDA_DECLARE(name, params) CUresult (*name) params = nullptr;
  CNNRT_CUDA_ENTRY_POINTS(CNNRT_CUDA_DECLARE)
#undef CNNRT_CUDA_DECLARE

  /// The library dlopen loaded ("libcuda.so.1").
  const std::string &library() const { return library_; }
  /// cuDriverGetVersion: 1000 * major + 10 * minor, e.g. 13000.
  int version() const { return version_; }
  /// "CUDA 13.0".
  std::string versionString() const;
  /// Number of devices the driver sees (at least 1).
  int deviceCount() const { return devices_; }
  /// Name, compute capability, size of device `ordinal`. Throws Error.
  DeviceInfo device(int ordinal) const;

  /// "CUDA_ERROR_OUT_OF_MEMORY: out of memory".
  std::string describe(CUresult result) const;
  /// Throws Error "<what>: <describe(result)>" unless result is success.
  void check(CUresult result, std::string_view what) const;

private:
  Driver() = default;
  /// Loads and initialises the driver; on failure null, and why.
  static std::unique_ptr<Driver> open(std::string &whyNot);
  std::string library_;
  int version_ = 0;
  int devices_ = 0;
};

/// "CUDA 12.2" for a driver or toolkit version number 12020.
std::string cudaVersionString(int version);

} // namespace cnnrt::cuda

#endif // CNNRT_CUDADRIVER_H
