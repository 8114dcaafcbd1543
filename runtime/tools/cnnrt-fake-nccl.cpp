//===- cnnrt-fake-nccl.cpp - NCCL over MPI on the host, for tests ---------===//
//
// Built as libnccl.so.2 beside the fake CUDA driver (build/lib/fake-cuda),
// so a test that puts that directory on LD_LIBRARY_PATH runs the GPU
// replicas' whole NCCL path under mpirun without a GPU: the library's
// load, rank 0's unique id through MPI, ncclCommInitRank, and every sum
// the compiled train_step_cuda makes, in order with its kernels. It
// implements exactly the entry points of cnnrt/NcclApi.h:
//
// - A communicator is MPI_COMM_WORLD: its rank and size must be the ones
//   ncclCommInitRank is given, and the id must be one ncclGetUniqueId made.
// - ncclAllReduce enqueues a host function on the stream (the fake
//   driver's cuLaunchHostFunc: run at once, or captured into the step's
//   graph) that sums the buffer with MPI_Allreduce; device memory is host
//   memory there.
//
// Environment switches:
//   FAKE_NCCL_FAIL_INIT=R     ncclCommInitRank fails on rank R
//   FAKE_CUDA_TRACE=FILE      appends a line per call, as the fake driver
//
//===----------------------------------------------------------------------===//

#include "FakeTrace.h"

#include "cnnrt/NcclApi.h"

#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

using namespace cnnrt::nccl;
using cnnrt::cuda::CUresult;
using cnnrt::cuda::CUstream;

namespace {

constexpr ncclResult_t kSystemError = 2, kInternalError = 3,
                       kInvalidArgument = 4, kInvalidUsage = 5;
constexpr char kMagic[] = "cnnrt fake NCCL";

struct Comm {
  int ranks, rank;
};

/// One sum, as the stream will run it.
struct Sum {
  void *data;
  std::size_t count;
  ncclDataType_t type;
};

const char *gLastError = "";

using fake::trace;

void runSum(void *data) {
  auto *s = static_cast<const Sum *>(data);
  MPI_Allreduce(MPI_IN_PLACE, s->data, int(s->count),
                s->type == ncclFloat64 ? MPI_DOUBLE : MPI_FLOAT, MPI_SUM,
                MPI_COMM_WORLD);
}

using LaunchHostFunc = CUresult (*)(CUstream, void (*)(void *), void *);

/// The fake driver's cuLaunchHostFunc, from the libcuda.so.1 the runtime
/// has loaded.
LaunchHostFunc launchHostFunc() {
  void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
  return driver ? reinterpret_cast<LaunchHostFunc>(
                      dlsym(driver, "cuLaunchHostFunc"))
                : nullptr;
}

} // namespace

extern "C" {

ncclResult_t ncclGetVersion(int *version) {
  if (!version)
    return kInvalidArgument;
  *version = 22800; // 2.28.0
  return ncclSuccess;
}

const char *ncclGetErrorString(ncclResult_t result) {
  switch (result) {
  case ncclSuccess: return "no error";
  case kSystemError: return "unhandled system error (fake)";
  case kInternalError: return "internal error (fake)";
  case kInvalidArgument: return "invalid argument (fake)";
  case kInvalidUsage: return "invalid usage (fake)";
  default: return "unknown result code";
  }
}

const char *ncclGetLastError(ncclComm_t) { return gLastError; }

ncclResult_t ncclGetUniqueId(ncclUniqueId *id) {
  if (!id)
    return kInvalidArgument;
  std::memset(id, 0, sizeof *id);
  std::memcpy(id->internal, kMagic, sizeof kMagic);
  trace("ncclGetUniqueId");
  return ncclSuccess;
}

ncclResult_t ncclCommInitRank(ncclComm_t *comm, int ranks, ncclUniqueId id,
                              int rank) {
  int initialised = 0, size = 0, me = 0;
  MPI_Initialized(&initialised);
  if (!comm || !initialised) {
    gLastError = "the fake NCCL needs MPI_Init first";
    return kInvalidUsage;
  }
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_rank(MPI_COMM_WORLD, &me);
  if (std::memcmp(id.internal, kMagic, sizeof kMagic) != 0) {
    gLastError = "not an id from ncclGetUniqueId";
    return kInvalidArgument;
  }
  if (ranks != size || rank != me) {
    gLastError = "rank and size differ from MPI_COMM_WORLD's";
    return kInvalidArgument;
  }
  const char *fail = std::getenv("FAKE_NCCL_FAIL_INIT");
  if (fail && *fail && std::atoi(fail) == rank) {
    gLastError = "FAKE_NCCL_FAIL_INIT";
    return kSystemError;
  }
  *comm = reinterpret_cast<ncclComm_t>(new Comm{ranks, rank});
  trace("ncclCommInitRank %d of %d", rank, ranks);
  return ncclSuccess;
}

ncclResult_t ncclCommDestroy(ncclComm_t comm) {
  delete reinterpret_cast<Comm *>(comm);
  trace("ncclCommDestroy");
  return ncclSuccess;
}

ncclResult_t ncclCommAbort(ncclComm_t comm) {
  delete reinterpret_cast<Comm *>(comm);
  trace("ncclCommAbort");
  return ncclSuccess;
}

ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t *error) {
  if (!comm || !error)
    return kInvalidArgument;
  *error = ncclSuccess;
  return ncclSuccess;
}

ncclResult_t ncclAllReduce(const void *send, void *receive, std::size_t count,
                           ncclDataType_t type, ncclRedOp_t op,
                           ncclComm_t comm, CUstream stream) {
  if (!comm || send != receive || op != ncclSum ||
      (type != ncclFloat32 && type != ncclFloat64) || count > 0x7fffffff) {
    gLastError = "the fake sums f32 or f64 in place, in int-sized counts";
    return kInvalidArgument;
  }
  LaunchHostFunc launch = launchHostFunc();
  if (!launch) {
    gLastError = "no fake CUDA driver with cuLaunchHostFunc is loaded";
    return kSystemError;
  }
  // Kept for every replay of a graph that captured it.
  auto *sum = new Sum{receive, count, type};
  if (launch(stream, runSum, sum) != 0) {
    delete sum;
    gLastError = "cuLaunchHostFunc failed";
    return kSystemError;
  }
  trace("ncclAllReduce %zu %s", count, type == ncclFloat64 ? "f64" : "f32");
  return ncclSuccess;
}

} // extern "C"

// The definitions above have exactly the types the runtime resolves them as.
#define CNNRT_NCCL_SAME_TYPE(result, name, params)                             \
  static_assert(std::is_same_v<decltype(&::name), result(*) params>,           \
                #name " differs from cnnrt/NcclApi.h");
namespace cnnrt::nccl {
CNNRT_NCCL_ENTRY_POINTS(CNNRT_NCCL_SAME_TYPE)
}
