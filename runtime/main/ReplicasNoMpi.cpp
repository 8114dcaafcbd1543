//===- ReplicasNoMpi.cpp - A runtime built without MPI: one replica -------===//

#include "Replicas.h"

#include "cnnrt/Error.h"
#include "cnnrt/model_abi.h"

#include <cstdlib>
#include <cstring>

namespace cnnrt::cli {

namespace {

/// The launcher's idea of the number of ranks, or 1.
long launchedRanks() {
  for (const char *name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char *v = std::getenv(name); v && *v)
      return std::strtol(v, nullptr, 10);
  return 1;
}

} // namespace

Replicas::Replicas() {
  std::string how = launcher();
  long ranks = launchedRanks();
  if (!how.empty() && ranks != 1)
    fail("started by mpirun as one of {} ranks ({} is set), but this "
         "executable was built without MPI: each rank would train alone. "
         "Rebuild cnnc where CMake finds MPI (Debian: libopenmpi-dev, see "
         "scripts/setup.sh) and recompile the model, or run one process",
         ranks > 1 ? std::to_string(ranks) : "several", how);
}

Replicas::~Replicas() = default;

std::string Replicas::describe() const { return "one process (no MPI)"; }

void Replicas::sum(double *, std::int64_t) const {}
void Replicas::sum(std::int64_t *, std::int64_t) const {}
void Replicas::barrier() const {}
void Replicas::hookStepSums() const {
  cnnrt_set_replica_sum(nullptr, nullptr);
}
void Replicas::allgather(const void *mine, std::int64_t bytes,
                         void *all) const {
  std::memcpy(all, mine, std::size_t(bytes));
}
void Replicas::broadcast(void *, std::int64_t) const {}
std::vector<std::string> Replicas::gather(const std::string &text) const {
  return {text};
}
void Replicas::abort(int status) const { std::exit(status); }

} // namespace cnnrt::cli
