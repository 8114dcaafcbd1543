//===- NcclApi.h - The few NCCL declarations we use --------------*- C++ -*-===//
//
// NCCL, like the CUDA driver, is reached through dlopen (cnnrt/Nccl.h): a
// model executable builds without it and starts where it is missing. These
// are the types, constants and entry points the runtime needs, declared
// by hand from NCCL 2's documented ABI (nccl.h need not be present). Where
// nccl.h is installed, runtime/tools/nccl-api-check.cpp compares every
// declaration here with it at build time.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_NCCLAPI_H
#define CNNRT_NCCLAPI_H

#include "cnnrt/CudaApi.h"

#include <cstddef>

struct ncclComm; // nccl.h's tag, so both declarations name one type

namespace cnnrt::nccl {

using ncclResult_t = int;
using ncclComm_t = ::ncclComm *;
/// nccl.h's enums are int-sized; passed as int here.
using ncclDataType_t = int;
using ncclRedOp_t = int;
/// What rank 0 makes and every rank needs to join the communicator.
struct ncclUniqueId {
  char internal[128];
};

enum : ncclResult_t { ncclSuccess = 0, ncclInProgress = 7 };
enum : ncclDataType_t { ncclFloat32 = 7, ncclFloat64 = 8 };
enum : ncclRedOp_t { ncclSum = 0 };

/// Every entry point the runtime resolves: X(result type, symbol,
/// (parameters)). The fake NCCL of the tests defines the same list.
#define CNNRT_NCCL_ENTRY_POINTS(X)                                             \
  X(ncclResult_t, ncclGetVersion, (int *version))                              \
  X(ncclResult_t, ncclGetUniqueId, (ncclUniqueId * id))                        \
  X(ncclResult_t, ncclCommInitRank,                                            \
    (ncclComm_t * comm, int ranks, ncclUniqueId id, int rank))                 \
  X(ncclResult_t, ncclCommDestroy, (ncclComm_t comm))                          \
  X(ncclResult_t, ncclCommAbort, (ncclComm_t comm))                            \
  X(ncclResult_t, ncclCommGetAsyncError,                                       \
    (ncclComm_t comm, ncclResult_t * error))                                   \
  X(const char *, ncclGetErrorString, (ncclResult_t result))                   \
  X(const char *, ncclGetLastError, (ncclComm_t comm))                         \
  X(ncclResult_t, ncclAllReduce,                                               \
    (const void *send, void *receive, std::size_t count,                       \
     ncclDataType_t type, ncclRedOp_t op, ncclComm_t comm,                     \
     cuda::CUstream stream))

} // namespace cnnrt::nccl

#endif // CNNRT_NCCLAPI_H
