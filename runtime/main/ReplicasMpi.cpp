//===- ReplicasMpi.cpp - The replicas as the ranks of MPI_COMM_WORLD ------===//

#include "Replicas.h"

#include "cnnrt/Error.h"
#include "cnnrt/model_abi.h"

// The C bindings only (Open MPI and MPICH add C++ ones for C++ code).
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <set>

namespace cnnrt::cli {

namespace {

/// inout[i] = in[i] + inout[i]. Declared non-commutative, so MPI combines
/// the ranks' buffers in rank order (Open MPI: an in-order binary tree,
/// then a broadcast): the association depends on the rank count only.
void orderedSum(void *in, void *inout, int *len, MPI_Datatype *type) {
  auto add = [&](auto *a, auto *b) {
    for (int i = 0; i < *len; ++i)
      b[i] = a[i] + b[i];
  };
  if (*type == MPI_FLOAT)
    add(static_cast<const float *>(in), static_cast<float *>(inout));
  else if (*type == MPI_DOUBLE)
    add(static_cast<const double *>(in), static_cast<double *>(inout));
  else if (*type == MPI_INT64_T)
    add(static_cast<const std::int64_t *>(in),
        static_cast<std::int64_t *>(inout));
}

MPI_Op gSumOp = MPI_OP_NULL;

/// In place, in pieces MPI's int counts can hold.
void allreduce(void *data, std::int64_t count, MPI_Datatype type,
               int elementBytes) {
  auto *bytes = static_cast<char *>(data);
  while (count > 0) {
    int n = int(std::min<std::int64_t>(count, INT_MAX / 2));
    MPI_Allreduce(MPI_IN_PLACE, bytes, n, type, gSumOp, MPI_COMM_WORLD);
    bytes += std::int64_t(n) * elementBytes;
    count -= n;
  }
}

/// model_abi.h's replica_sum hook: what the compiled train_step exchanges.
void stepSum(void *data, std::int64_t count, std::int32_t dtype, void *) {
  if (dtype == CNNRT_F64)
    allreduce(data, count, MPI_DOUBLE, sizeof(double));
  else
    allreduce(data, count, MPI_FLOAT, sizeof(float));
}

} // namespace

Replicas::Replicas() {
  if (launcher().empty())
    return;
  int provided = 0;
  // The compiled code's OpenMP threads never call MPI: only the main
  // thread, between parallel regions.
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  joined_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  // The ranks that share this machine's memory: this one's machine.
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_,
                      MPI_INFO_NULL, &local);
  MPI_Comm_rank(local, &localRank_);
  MPI_Comm_size(local, &localSize_);
  MPI_Comm_free(&local);
  MPI_Op_create(orderedSum, /*commute=*/0, &gSumOp);
  hookStepSums();
}

void Replicas::hookStepSums() const {
  cnnrt_set_replica_sum(several() ? stepSum : nullptr, nullptr);
}

Replicas::~Replicas() {
  cnnrt_set_replica_sum(nullptr, nullptr);
  if (!joined_)
    return;
  MPI_Op_free(&gSumOp);
  MPI_Finalize();
}

std::string Replicas::describe() const {
  if (!joined_)
    return "one process";
  char version[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(version, &len);
  std::string lib(version, std::size_t(len));
  lib = lib.substr(0, lib.find_first_of(",\n"));
  char host[MPI_MAX_PROCESSOR_NAME];
  MPI_Get_processor_name(host, &len);
  std::vector<std::string> hosts = gather(std::string(host, std::size_t(len)));
  std::size_t distinct = std::set<std::string>(hosts.begin(), hosts.end()).size();
  return fmt::format("MPI ({}), {} rank{} on {} host{}", lib, size_,
                     size_ == 1 ? "" : "s", distinct, distinct == 1 ? "" : "s");
}

void Replicas::sum(double *data, std::int64_t count) const {
  if (several())
    allreduce(data, count, MPI_DOUBLE, sizeof(double));
}

void Replicas::sum(std::int64_t *data, std::int64_t count) const {
  if (several())
    allreduce(data, count, MPI_INT64_T, sizeof(std::int64_t));
}

void Replicas::barrier() const {
  if (several())
    MPI_Barrier(MPI_COMM_WORLD);
}

void Replicas::broadcast(void *data, std::int64_t bytes) const {
  auto *p = static_cast<char *>(data);
  while (several() && bytes > 0) {
    int n = int(std::min<std::int64_t>(bytes, INT_MAX / 2));
    MPI_Bcast(p, n, MPI_BYTE, 0, MPI_COMM_WORLD);
    p += n;
    bytes -= n;
  }
}

void Replicas::allgather(const void *mine, std::int64_t bytes,
                         void *all) const {
  if (!several()) {
    std::memcpy(all, mine, std::size_t(bytes));
    return;
  }
  if (bytes > INT_MAX)
    fail("cannot exchange {} bytes per rank in one MPI_Allgather", bytes);
  MPI_Allgather(mine, int(bytes), MPI_BYTE, all, int(bytes), MPI_BYTE,
                MPI_COMM_WORLD);
}

std::vector<std::string> Replicas::gather(const std::string &text) const {
  if (!several())
    return {text};
  int len = int(text.size());
  std::vector<int> lens(static_cast<std::size_t>(size_)),
      offsets(static_cast<std::size_t>(size_));
  MPI_Allgather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, MPI_COMM_WORLD);
  int total = 0;
  for (int r = 0; r < size_; ++r) {
    offsets[std::size_t(r)] = total;
    total += lens[std::size_t(r)];
  }
  std::string all(std::size_t(total), '\0');
  MPI_Allgatherv(text.data(), len, MPI_CHAR, all.data(), lens.data(),
                 offsets.data(), MPI_CHAR, MPI_COMM_WORLD);
  std::vector<std::string> texts;
  for (int r = 0; r < size_; ++r)
    texts.push_back(all.substr(std::size_t(offsets[std::size_t(r)]),
                               std::size_t(lens[std::size_t(r)])));
  return texts;
}

void Replicas::abort(int status) const {
  std::fflush(stdout);
  std::fflush(stderr);
  if (joined_)
    MPI_Abort(MPI_COMM_WORLD, status);
  std::exit(status);
}

} // namespace cnnrt::cli
