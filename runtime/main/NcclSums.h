//===- NcclSums.h - A GPU training step's replica sums, by NCCL --*- C++ -*-===//
//
// Under mpirun with --device cuda every rank trains on a GPU of its own
// (the machine's local rank-th). The compiled train_step_cuda meets the
// other replicas where the CPU's does (model_abi.h's replica_sum hook:
// gradients, batchnorm's batch sums, the loss and its sample count), with
// device addresses: here the hook enqueues an in-place ncclAllReduce on
// the step's stream, in order with the step's kernels, so nothing goes
// through the host and the step's CUDA graph captures the sums with its
// launches.
//
// The communicator is bootstrapped by MPI: rank 0's ncclGetUniqueId,
// broadcast to every rank. NCCL's sums are deterministic for a fixed rank
// count, topology and NCCL version once its algorithm and protocol are
// fixed: NCCL_ALGO=Ring and NCCL_PROTO=Simple unless the environment sets
// them. They are not the CPU replicas' rank-ordered sums, so a GPU run's
// bits depend on its rank count.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_NCCLSUMS_H
#define CNNRT_MAIN_NCCLSUMS_H

#include "Replicas.h"

#include "cnnrt/Nccl.h"

#include <memory>
#include <string>

namespace cnnrt::cli {

/// Why the GPUs of a data-parallel run cannot sum here ("no NCCL
/// (libnccl.so.2 not found)"), or "".
std::string ncclUnavailable();
/// "NCCL 2.28.3"; requires ncclUnavailable() to be "".
std::string ncclVersionText();

class NcclSums {
public:
  /// Joins the run's communicator (collective: every rank at once) from
  /// CUDA device `device`, whose context is current, and hooks the
  /// compiled step's sums up to it, enqueued on `stream`. Throws Error.
  NcclSums(const Replicas &replicas, int device, cuda::CUstream stream);
  /// Gives the sums back to the replicas' own hook.
  ~NcclSums();
  NcclSums(const NcclSums &) = delete;
  NcclSums &operator=(const NcclSums &) = delete;

  /// Throws the first failure among the sums enqueued so far.
  void check() const;

private:
  static void sum(void *data, std::int64_t count, std::int32_t dtype,
                  void *self);
  const Replicas &replicas_;
  cuda::CUstream stream_;
  std::unique_ptr<nccl::Communicator> comm_;
  std::string failure_;
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_NCCLSUMS_H
