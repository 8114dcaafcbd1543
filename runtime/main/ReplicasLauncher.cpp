//===- ReplicasLauncher.cpp - Was this process started by mpirun? ---------===//
//
// Shared by the builds with and without MPI: the environment variables the
// launchers set, so that a plain run never initialises MPI (which costs
// time and may print warnings about networks) and a run without MPI
// support under mpirun is caught.
//
//===----------------------------------------------------------------------===//

#include "Replicas.h"

#include <cstdlib>

namespace cnnrt::cli {

std::string Replicas::launcher() {
  // Open MPI's mpirun, MPICH's hydra (and Intel MPI), PMIx launchers
  // (prterun, srun --mpi=pmix).
  for (const char *name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (const char *v = std::getenv(name); v && *v)
      return name;
  return "";
}

} // namespace cnnrt::cli
