//===- nccl-api-check.cpp - cnnrt/NcclApi.h against nccl.h ----------------===//
//
// Compiled (never run) where nccl.h is installed (the CUDA image's
// /usr/local/cuda/include): every entry point the runtime resolves must
// pass the same arguments in the same registers as nccl.h's declaration,
// every constant must have nccl.h's value, and ncclUniqueId its size. A
// mismatch fails the build.
//
//===----------------------------------------------------------------------===//

#include "SameAbi.h"

#include "cnnrt/NcclApi.h"

#include <nccl.h>

// Inside cnnrt::nccl the list's types are ours; `&::name` is nccl.h's.
#define CNNRT_NCCL_CHECK(result, name, params)                                 \
  static_assert(                                                               \
      cnnrt::sameFunction(static_cast<result(*) params>(nullptr), &::name),    \
      #name " in cnnrt/NcclApi.h differs from nccl.h");
namespace cnnrt::nccl {
CNNRT_NCCL_ENTRY_POINTS(CNNRT_NCCL_CHECK)
} // namespace cnnrt::nccl

#define CNNRT_NCCL_SAME_VALUE(name)                                            \
  static_assert(int(cnnrt::nccl::name) == int(::name),                         \
                #name " in cnnrt/NcclApi.h differs from nccl.h");
CNNRT_NCCL_SAME_VALUE(ncclSuccess)
CNNRT_NCCL_SAME_VALUE(ncclInProgress)
CNNRT_NCCL_SAME_VALUE(ncclFloat32)
CNNRT_NCCL_SAME_VALUE(ncclFloat64)
CNNRT_NCCL_SAME_VALUE(ncclSum)
static_assert(sizeof(cnnrt::nccl::ncclUniqueId) == sizeof(::ncclUniqueId),
              "ncclUniqueId in cnnrt/NcclApi.h differs from nccl.h");
