//===- cuda-api-check.cpp - cnnrt/CudaApi.h against the toolkit's cuda.h --===//
//
// Compiled (never run) where cuda.h is installed: every entry point the
// runtime resolves must have a type that passes the same arguments in the
// same registers as cuda.h's declaration (its enums are int-sized, ours are
// int), and every constant must have cuda.h's value. A mismatch fails the
// build.
//
//===----------------------------------------------------------------------===//

#include "SameAbi.h"

#include "cnnrt/CudaApi.h"

#include <cuda.h>

#define CNNRT_CUDA_CHECK(name, params)                                         \
  static_assert(cnnrt::sameFunction(                                          \
                    static_cast<cnnrt::cuda::CUresult(*) params>(nullptr),     \
                    &::name),                                                  \
                #name " in cnnrt/CudaApi.h differs from cuda.h");
namespace cnnrt::cuda {
CNNRT_CUDA_ENTRY_POINTS(CNNRT_CUDA_CHECK)
} // namespace cnnrt::cuda

#define CNNRT_CUDA_SAME_VALUE(name)                                            \
  static_assert(int(cnnrt::cuda::name) == int(::name),                         \
                #name " in cnnrt/CudaApi.h differs from cuda.h");
CNNRT_CUDA_SAME_VALUE(CUDA_SUCCESS)
CNNRT_CUDA_SAME_VALUE(CUDA_ERROR_INVALID_VALUE)
CNNRT_CUDA_SAME_VALUE(CUDA_ERROR_OUT_OF_MEMORY)
CNNRT_CUDA_SAME_VALUE(CUDA_ERROR_NOT_INITIALIZED)
CNNRT_CUDA_SAME_VALUE(CUDA_ERROR_STUB_LIBRARY)
CNNRT_CUDA_SAME_VALUE(CUDA_ERROR_NO_DEVICE)
CNNRT_CUDA_SAME_VALUE(CUDA_ERROR_INVALID_PTX)
CNNRT_CUDA_SAME_VALUE(CUDA_ERROR_UNSUPPORTED_PTX_VERSION)
CNNRT_CUDA_SAME_VALUE(CUDA_ERROR_NOT_FOUND)
CNNRT_CUDA_SAME_VALUE(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES)
CNNRT_CUDA_SAME_VALUE(CU_JIT_INFO_LOG_BUFFER)
CNNRT_CUDA_SAME_VALUE(CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES)
CNNRT_CUDA_SAME_VALUE(CU_JIT_ERROR_LOG_BUFFER)
CNNRT_CUDA_SAME_VALUE(CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES)
CNNRT_CUDA_SAME_VALUE(CU_JIT_LOG_VERBOSE)
CNNRT_CUDA_SAME_VALUE(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)
CNNRT_CUDA_SAME_VALUE(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
CNNRT_CUDA_SAME_VALUE(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)
CNNRT_CUDA_SAME_VALUE(CU_STREAM_CAPTURE_MODE_GLOBAL)
CNNRT_CUDA_SAME_VALUE(CU_STREAM_CAPTURE_MODE_THREAD_LOCAL)
CNNRT_CUDA_SAME_VALUE(CU_STREAM_CAPTURE_MODE_RELAXED)
CNNRT_CUDA_SAME_VALUE(CU_STREAM_NON_BLOCKING)
