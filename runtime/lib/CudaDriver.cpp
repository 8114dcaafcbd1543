//===- CudaDriver.cpp - The NVIDIA driver, loaded at run time -------------===//

#include "cnnrt/CudaDriver.h"

#include "cnnrt/Error.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace cnnrt::cuda {

std::string DeviceInfo::arch() const {
  return fmt::format("sm_{}{}", major, minor);
}

std::string cudaVersionString(int version) {
  return fmt::format("CUDA {}.{}", version / 1000, version % 1000 / 10);
}

const Driver *Driver::get(std::string &whyNot) {
  // Opened once: dlopen and cuInit are not repeated per model or command.
  static std::string reason;
  static std::unique_ptr<Driver> driver = open(reason);
  whyNot = reason;
  return driver.get();
}

std::string Driver::versionString() const {
  return cudaVersionString(version_);
}

std::string Driver::describe(CUresult result) const {
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    name = nullptr;
  if (cuGetErrorString(result, &text) != CUDA_SUCCESS || !text)
    text = nullptr;
  std::string out = name ? name : fmt::format("CUDA error {}", result);
  if (text && *text)
    out += fmt::format(": {}", text);
  return printable(out);
}

void Driver::check(CUresult result, std::string_view what) const {
  if (result != CUDA_SUCCESS)
    fail("{}: {}", what, describe(result));
}

DeviceInfo Driver::device(int ordinal) const {
  DeviceInfo info;
  info.ordinal = ordinal;
  CUdevice device = 0;
  check(cuDeviceGet(&device, ordinal),
        fmt::format("cuDeviceGet (device {})", ordinal));
  char name[256] = {};
  check(cuDeviceGetName(name, int(sizeof(name) - 1), device),
        fmt::format("cuDeviceGetName (device {})", ordinal));
  info.name = printable(name);
  check(cuDeviceGetAttribute(&info.major,
                             CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                             device),
        fmt::format("cuDeviceGetAttribute (compute capability of device {})",
                    ordinal));
  check(cuDeviceGetAttribute(&info.minor,
                             CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                             device),
        fmt::format("cuDeviceGetAttribute (compute capability of device {})",
                    ordinal));
  check(cuDeviceGetAttribute(&info.multiprocessors,
                             CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device),
        fmt::format("cuDeviceGetAttribute (multiprocessors of device {})",
                    ordinal));
  check(cuDeviceTotalMem_v2(&info.memoryBytes, device),
        fmt::format("cuDeviceTotalMem_v2 (device {})", ordinal));
  return info;
}

std::unique_ptr<Driver> Driver::open(std::string &whyNot) {
  const char *env = std::getenv("CNNRT_CUDA_DRIVER");
  std::string library = env && *env ? env : "libcuda.so.1";
  // RTLD_LOCAL: the driver's symbols stay out of the global namespace.
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *error = dlerror();
    std::string text = error ? error : "unknown error";
    if (text.find("No such file or directory") != std::string::npos)
      whyNot = fmt::format("no CUDA driver ({} not found)", library);
    else
      whyNot = fmt::format("no usable CUDA driver (cannot load {}: {})",
                           library, printable(text));
    return nullptr;
  }
  // make_unique cannot reach the private constructor.
  std::unique_ptr<Driver> driver(new Driver());
  driver->library_ = library;
  const char *missing = nullptr;
#define CNNRT_CUDA_RESOLVE(name, params)                                       \
  driver->name = reinterpret_cast<decltype(driver->name)>(dlsym(handle, #name)); \
  if (!driver->name && !missing)                                               \
    missing = #name;
  CNNRT_CUDA_ENTRY_POINTS(CNNRT_CUDA_RESOLVE)
#undef CNNRT_CUDA_RESOLVE
  if (missing) {
    // The handle stays open: unloading a driver is never worth the risk.
    whyNot = fmt::format("the CUDA driver {} is too old: it has no {} (a CUDA "
                         "12 driver or newer is needed)",
                         library, missing);
    return nullptr;
  }
  CUresult r = driver->cuInit(0);
  if (r == CUDA_ERROR_NO_DEVICE) {
    whyNot = fmt::format("no CUDA GPU (cuInit: {})", driver->describe(r));
    return nullptr;
  }
  if (r != CUDA_SUCCESS) {
    whyNot = fmt::format("the CUDA driver {} does not start (cuInit: {})",
                         library, driver->describe(r));
    return nullptr;
  }
  r = driver->cuDriverGetVersion(&driver->version_);
  if (r != CUDA_SUCCESS) {
    whyNot = fmt::format("the CUDA driver {} does not start "
                         "(cuDriverGetVersion: {})",
                         library, driver->describe(r));
    return nullptr;
  }
  r = driver->cuDeviceGetCount(&driver->devices_);
  if (r != CUDA_SUCCESS || driver->devices_ <= 0) {
    whyNot = r != CUDA_SUCCESS
                 ? fmt::format("no CUDA GPU (cuDeviceGetCount: {})",
                               driver->describe(r))
                 : std::string("no CUDA GPU (the driver sees no device)");
    return nullptr;
  }
  return driver;
}

} // namespace cnnrt::cuda
