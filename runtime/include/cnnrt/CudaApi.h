//===- CudaApi.h - The few CUDA driver API declarations we use ---*- C++ -*-===//
//
// The runtime reaches the NVIDIA driver through dlopen (cnnrt/CudaDriver.h),
// so it builds without the CUDA toolkit and its executables start on
// machines without a driver. These are the types, constants and entry
// points it needs, declared by hand from the driver API's documented ABI
// (cuda.h need not be present). Entry points carry their versioned symbol
// names (cuMemAlloc_v2, ...): the unversioned symbols are the old 32-bit
// ABIs kept for compatibility.
//
// When the toolkit's cuda.h is there, runtime/tools/cuda-api-check.cpp
// compares every declaration here with it at build time.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_CUDAAPI_H
#define CNNRT_CUDAAPI_H

#include <cstddef>

// The driver's opaque handle types, under the struct tags cuda.h uses (so
// the two sets of declarations name the same types).
struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUstream_st;
struct CUgraph_st;
struct CUgraphExec_st;

namespace cnnrt::cuda {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = CUctx_st *;
using CUmodule = CUmod_st *;
using CUfunction = CUfunc_st *;
using CUstream = CUstream_st *;
using CUgraph = CUgraph_st *;
using CUgraphExec = CUgraphExec_st *;
/// cuda.h's enums (CUjit_option, CUdevice_attribute, CUstreamCaptureMode)
/// are int-sized; passed as int here.
using CUjit_option = int;
using CUdevice_attribute = int;
using CUstreamCaptureMode = int;

// The result codes the runtime tells apart; every other one is reported by
// the driver's own name for it (cuGetErrorName).
enum : CUresult {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NOT_INITIALIZED = 3,
  CUDA_ERROR_STUB_LIBRARY = 34,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_INVALID_PTX = 218,
  CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
  CUDA_ERROR_NOT_FOUND = 500,
  CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
};

enum : CUjit_option {
  CU_JIT_INFO_LOG_BUFFER = 3,
  CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
  CU_JIT_LOG_VERBOSE = 12,
};

enum : CUdevice_attribute {
  CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
};

enum : CUstreamCaptureMode {
  CU_STREAM_CAPTURE_MODE_GLOBAL = 0,
  CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1,
  CU_STREAM_CAPTURE_MODE_RELAXED = 2,
};

enum : unsigned { CU_STREAM_NON_BLOCKING = 1 };

/// Every entry point the runtime resolves: X(symbol, (parameters)); each
/// returns CUresult. The fake driver of the tests defines the same list.
#define CNNRT_CUDA_ENTRY_POINTS(X)                                             \
  X(cuGetErrorName, (CUresult error, const char **str))                        \
  X(cuGetErrorString, (CUresult error, const char **str))                      \
  X(cuInit, (unsigned flags))                                                  \
  X(cuDriverGetVersion, (int *version))                                        \
  X(cuDeviceGetCount, (int *count))                                            \
  X(cuDeviceGet, (CUdevice * device, int ordinal))                             \
  X(cuDeviceGetName, (char *name, int length, CUdevice device))                \
  X(cuDeviceGetAttribute,                                                      \
    (int *value, CUdevice_attribute attribute, CUdevice device))               \
  X(cuDeviceTotalMem_v2, (std::size_t * bytes, CUdevice device))               \
  X(cuDevicePrimaryCtxRetain, (CUcontext * context, CUdevice device))          \
  X(cuDevicePrimaryCtxRelease_v2, (CUdevice device))                           \
  X(cuCtxSetCurrent, (CUcontext context))                                      \
  X(cuStreamCreate, (CUstream * stream, unsigned flags))                       \
  X(cuStreamDestroy_v2, (CUstream stream))                                     \
  X(cuStreamSynchronize, (CUstream stream))                                    \
  X(cuMemAlloc_v2, (CUdeviceptr * address, std::size_t bytes))                 \
  X(cuMemFree_v2, (CUdeviceptr address))                                       \
  X(cuMemcpyHtoDAsync_v2, (CUdeviceptr destination, const void *source,       \
                           std::size_t bytes, CUstream stream))                \
  X(cuMemcpyDtoHAsync_v2, (void *destination, CUdeviceptr source,             \
                           std::size_t bytes, CUstream stream))                \
  X(cuModuleLoadDataEx,                                                        \
    (CUmodule * module, const void *image, unsigned numOptions,                \
     CUjit_option *options, void **optionValues))                              \
  X(cuModuleUnload, (CUmodule module))                                         \
  X(cuModuleGetFunction,                                                       \
    (CUfunction * function, CUmodule module, const char *name))                \
  X(cuLaunchKernel,                                                            \
    (CUfunction function, unsigned gridX, unsigned gridY, unsigned gridZ,      \
     unsigned blockX, unsigned blockY, unsigned blockZ, unsigned sharedBytes,  \
     CUstream stream, void **params, void **extra))                            \
  X(cuStreamBeginCapture_v2, (CUstream stream, CUstreamCaptureMode mode))      \
  X(cuStreamEndCapture, (CUstream stream, CUgraph * graph))                    \
  X(cuGraphInstantiateWithFlags,                                               \
    (CUgraphExec * exec, CUgraph graph, unsigned long long flags))             \
  X(cuGraphLaunch, (CUgraphExec exec, CUstream stream))                        \
  X(cuGraphExecDestroy, (CUgraphExec exec))                                    \
  X(cuGraphDestroy, (CUgraph graph))

} // namespace cnnrt::cuda

#endif // CNNRT_CUDAAPI_H
