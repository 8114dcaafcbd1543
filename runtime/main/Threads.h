//===- Threads.h - The one place that sets the thread count ------*- C++ -*-===//
//
// Generated model code parallelises its batch loop with OpenMP (cnnc links
// libomp into executables built with --openmp). Everything in the runtime that
// wants to set the number of threads goes through setThreads, so there is one
// place to change when the code generator gets another threading backend.
//
// The OpenMP entry points are declared weak: in an executable without an
// OpenMP runtime they resolve to null and setThreads only records the
// request; the model then runs on the calling thread alone. When libomp (or
// libgomp) is linked, setThreads calls omp_set_num_threads, which fixes the
// team size of later parallel regions started from the calling thread.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_THREADS_H
#define CNNRT_MAIN_THREADS_H

namespace cnnrt {

/// Requests `n` (>= 1) threads for the model's parallel loops.
void setThreads(int n);

/// True when an OpenMP runtime is linked into the executable.
bool haveOpenMP();

/// The threads a parallel region would use now: omp_get_max_threads() with
/// an OpenMP runtime (OMP_NUM_THREADS or the core count unless setThreads
/// was called), 1 without one.
int effectiveThreads();

/// The last value given to setThreads, 0 if it was never called.
int requestedThreads();

} // namespace cnnrt

#endif // CNNRT_MAIN_THREADS_H
