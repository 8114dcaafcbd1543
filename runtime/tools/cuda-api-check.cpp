//===- cuda-api-check.cpp - cnnrt/CudaApi.h against the toolkit's cuda.h --===//
//
// Compiled (never run) where cuda.h is installed: every entry point the
// runtime resolves must have a type that passes the same arguments in the
// same registers as cuda.h's declaration (its enums are int-sized, ours are
// int), and every constant must have cuda.h's value. A mismatch fails the
// build.
//
//===----------------------------------------------------------------------===//

#include "cnnrt/CudaApi.h"

#include <cuda.h>

#include <type_traits>

namespace {

template <typename A, typename B> constexpr bool sameAbi() {
  if constexpr (std::is_same_v<A, B>)
    return true;
  else if constexpr (std::is_pointer_v<A> && std::is_pointer_v<B>)
    return sameAbi<std::remove_pointer_t<A>, std::remove_pointer_t<B>>();
  else if constexpr ((std::is_enum_v<A> || std::is_integral_v<A>) &&
                     (std::is_enum_v<B> || std::is_integral_v<B>))
    return sizeof(A) == sizeof(B);
  else
    return std::is_same_v<std::remove_cv_t<A>, std::remove_cv_t<B>>;
}

template <typename R1, typename... A1, typename R2, typename... A2>
constexpr bool sameFunction(R1 (*)(A1...), R2 (*)(A2...)) {
  if constexpr (sizeof...(A1) != sizeof...(A2))
    return false;
  else
    return sameAbi<R1, R2>() && (sameAbi<A1, A2>() && ...);
}

} // namespace

#define CNNRT_CUDA_CHECK(name, params)                                         \
  static_assert(sameFunction(static_cast<cnnrt::cuda::CUresult(*) params>(    \
                                 nullptr),                                     \
                             &::name),                                         \
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
