//===- Nccl.h - NCCL, loaded at run time, and one rank's communicator -*- C++ -*-===//
//
// The GPUs of a data-parallel run sum their gradients with NCCL. As the
// CUDA driver (cnnrt/CudaDriver.h), libnccl.so.2 is opened with dlopen on
// first use, never linked: executables start, and train on one GPU or the
// CPU, where it is missing. CNNRT_NCCL_LIBRARY overrides the name (a path
// or a name for dlopen); the tests point it at a missing or a fake NCCL.
//
// Every failed call becomes a cnnrt::Error that says what was being done
// and NCCL's own words for the error:
//   "ncclCommInitRank (rank 1 of 2, device 1): unhandled system error
//    (run with NCCL_DEBUG=INFO for details)"
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_NCCL_H
#define CNNRT_NCCL_H

#include "cnnrt/NcclApi.h"

#include <memory>
#include <string>
#include <string_view>

namespace cnnrt::nccl {

class Nccl {
public:
  /// The process's NCCL, loaded on the first call; nullptr when there is
  /// none usable, with `whyNot` set to a phrase such as "no NCCL
  /// (libnccl.so.2 not found)".
  static const Nccl *get(std::string &whyNot);

#define CNNRT_NCCL_DECLARE(result, name, params) result(*name) params = nullptr;
  CNNRT_NCCL_ENTRY_POINTS(CNNRT_NCCL_DECLARE)
#undef CNNRT_NCCL_DECLARE

  /// The library dlopen loaded ("libnccl.so.2").
  const std::string &library() const { return library_; }
  /// "NCCL 2.28.3".
  std::string versionString() const;

  /// NCCL's description of `result`, with the communicator's last error
  /// when there is one.
  std::string describe(ncclResult_t result, ncclComm_t comm = nullptr) const;
  /// Throws Error "<what>: <describe(result, comm)>" unless success.
  void check(ncclResult_t result, std::string_view what,
             ncclComm_t comm = nullptr) const;

private:
  Nccl() = default;
  static std::unique_ptr<Nccl> open(std::string &whyNot);
  std::string library_;
  int version_ = 0;
};

/// One rank's place in a communicator over the run's GPUs, on the CUDA
/// device that is current when it is made.
class Communicator {
public:
  /// Joins the communicator `id` (rank 0's ncclGetUniqueId, known to every
  /// rank) as `rank` of `ranks`: collective, every rank must call it.
  Communicator(const Nccl &nccl, const ncclUniqueId &id, int ranks, int rank,
               int device);
  /// Ends it; a communicator that failed is aborted instead.
  ~Communicator();
  Communicator(const Communicator &) = delete;
  Communicator &operator=(const Communicator &) = delete;

  /// Enqueues on `stream` the in-place sum over the ranks of `count`
  /// elements of `type` at the device address `data`. Throws Error.
  void sum(void *data, std::size_t count, ncclDataType_t type,
           cuda::CUstream stream);

private:
  const Nccl &nccl_;
  ncclComm_t comm_ = nullptr;
  bool failed_ = false;
};

} // namespace cnnrt::nccl

#endif // CNNRT_NCCL_H
