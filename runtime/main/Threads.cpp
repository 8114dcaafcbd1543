//===- Threads.cpp - The one place that sets the thread count -------------===//

#include "Threads.h"

// Weak: null unless an OpenMP runtime is linked (see Threads.h).
extern "C" {
__attribute__((weak)) void omp_set_num_threads(int);
__attribute__((weak)) int omp_get_max_threads(void);
}

namespace cnnrt {

namespace {
int requested = 0;
} // namespace

void setThreads(int n) {
  requested = n;
  if (omp_set_num_threads)
    omp_set_num_threads(n);
}

bool haveOpenMP() { return omp_set_num_threads && omp_get_max_threads; }

int effectiveThreads() { return haveOpenMP() ? omp_get_max_threads() : 1; }

int requestedThreads() { return requested; }

} // namespace cnnrt
