//===- cnnrt-replicas-nompi.cpp - Replicas of a runtime without MPI -------===//
//
// Joins "the run" as `train` does, with the runtime's replicas built
// without MPI: prints what it joined, or the error `train` would report.
//
//===----------------------------------------------------------------------===//

#include "Replicas.h"

#include <cstdio>
#include <exception>

int main() {
  try {
    cnnrt::cli::Replicas replicas;
    std::printf("%s: rank %d of %d\n", replicas.describe().c_str(),
                replicas.rank(), replicas.size());
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
