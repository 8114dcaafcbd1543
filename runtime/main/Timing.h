//===- Timing.h - Wall-clock timing and summary statistics -------*- C++ -*-===//
//
// A monotonic stopwatch and the summary `bench` prints: the median (robust to
// the odd slow run from a page fault or a preempted thread) with the minimum
// and maximum alongside.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_TIMING_H
#define CNNRT_MAIN_TIMING_H

#include <chrono>
#include <vector>

namespace cnnrt::cli {

class Stopwatch {
public:
  Stopwatch() : start_(Clock::now()) {}
  /// Seconds since construction.
  double seconds() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
  }

private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_;
};

struct TimingSummary {
  double median = 0, min = 0, max = 0, mean = 0;
};

/// Summary of `samples` (any unit); all zero for no samples. The median of an
/// even count is the mean of the two middle values.
TimingSummary summarize(std::vector<double> samples);

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_TIMING_H
