//===- Replicas.h - The processes of a data-parallel run ---------*- C++ -*-===//
//
// `train` under mpirun is data-parallel: each MPI rank is a replica that
// holds the whole model and data set, takes its shard of every global
// batch, and meets the others inside each compiled train_step
// (model_abi.h's cnnrt_replica_sum_f32/_f64, which the Replicas hook up):
// gradients, batch statistics and the loss are summed over the replicas,
// so every replica applies the same update, the one a single process
// would. Started without mpirun it is one replica, and nothing changes.
//
// Sums are deterministic: MPI_Allreduce with a user-defined operation that
// MPI must apply in rank order (non-commutative), so the association of
// the additions depends on the number of ranks only, never on timing, and
// every rank gets the same bits. Two runs with the same rank count give
// bit-identical checkpoints; Trainer checks after every epoch that the
// replicas' weights agree.
//
// Built without MPI (CMake found none), an executable that mpirun starts
// with more than one rank says so instead of training N times alone.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_REPLICAS_H
#define CNNRT_MAIN_REPLICAS_H

#include "cnnrt/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cnnrt::cli {

/// A failure only this replica meets (its GPU, its NCCL communicator): the
/// others would wait for it in their next sum forever, so `train` says why
/// and ends them all (Replicas::abort) rather than return.
class ReplicaFailure : public Error {
public:
  using Error::Error;
};

class Replicas {
public:
  /// Joins the MPI job this process was started in (Open MPI's, MPICH's or
  /// a PMIx launcher's environment), else a single replica. Hooks the sums
  /// of the compiled train_step up when there are several. Throws Error
  /// when mpirun started several ranks of an executable without MPI.
  Replicas();
  /// (Re)connects the compiled train_step's sums to the other replicas
  /// (model_abi.h's replica_sum hook); nothing for a single replica.
  void hookStepSums() const;
  /// Unhooks the sums, and leaves the job (MPI_Finalize).
  ~Replicas();
  Replicas(const Replicas &) = delete;
  Replicas &operator=(const Replicas &) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  /// This rank's place among the ranks on its machine, and their number:
  /// which GPU it takes.
  int localRank() const { return localRank_; }
  int localSize() const { return localSize_; }
  bool several() const { return size_ > 1; }
  /// Rank 0: the one that prints, logs and writes checkpoints.
  bool leader() const { return rank_ == 0; }
  /// "MPI (Open MPI v4.1.4), 4 ranks on 2 hosts", for the plan's report.
  std::string describe() const;

  /// Element-wise sums over the replicas, in rank order, in place.
  void sum(double *data, std::int64_t count) const;
  void sum(std::int64_t *data, std::int64_t count) const;
  /// Returns once every replica has called it.
  void barrier() const;
  /// Rank 0's bytes on every replica.
  void broadcast(void *data, std::int64_t bytes) const;
  /// Every replica's `bytes` of `mine`, in rank order, into `all` (size()
  /// times `bytes`).
  void allgather(const void *mine, std::int64_t bytes, void *all) const;
  /// Every replica's string, in rank order.
  std::vector<std::string> gather(const std::string &text) const;
  /// Ends every replica's process at once with `status` (MPI_Abort): for a
  /// failure only some replicas see, after which the others would wait for
  /// them forever.
  [[noreturn]] void abort(int status) const;

  /// The replicas' environment when started by mpirun: "" for a single
  /// process; else how this process learnt its rank (for messages).
  static std::string launcher();

private:
  int rank_ = 0, size_ = 1;
  int localRank_ = 0, localSize_ = 1;
  bool joined_ = false; ///< MPI_Init was called
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_REPLICAS_H
