//===- Timing.cpp - Wall-clock timing and summary statistics --------------===//

#include "Timing.h"

#include <algorithm>
#include <numeric>

namespace cnnrt::cli {

TimingSummary summarize(std::vector<double> samples) {
  TimingSummary s;
  if (samples.empty())
    return s;
  std::sort(samples.begin(), samples.end());
  std::size_t n = samples.size();
  s.median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  s.min = samples.front();
  s.max = samples.back();
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / double(n);
  return s;
}

} // namespace cnnrt::cli
