//===- Dataset.cpp - Per-channel statistics and normalisation -------------===//

#include "cnnrt/Dataset.h"
#include "cnnrt/Error.h"

#include <cmath>

namespace cnnrt {

ChannelStats computeChannelStats(const Dataset &data) {
  const std::int64_t plane = data.height * data.width;
  const std::int64_t n = data.count * plane; // samples per channel
  if (n < 2)
    fail("cannot compute channel statistics of {} pixel(s) per channel", n);
  ChannelStats stats;
  stats.mean.assign(std::size_t(data.channels), 0.0);
  stats.std.assign(std::size_t(data.channels), 0.0);
  // Two passes in double: the one-pass formula loses digits when the mean is
  // large against the spread.
  for (std::int64_t c = 0; c < data.channels; ++c) {
    double sum = 0;
    for (std::int64_t i = 0; i < data.count; ++i) {
      const float *p = data.image(i) + c * plane;
      for (std::int64_t k = 0; k < plane; ++k)
        sum += p[k];
    }
    double mean = sum / double(n);
    double sq = 0;
    for (std::int64_t i = 0; i < data.count; ++i) {
      const float *p = data.image(i) + c * plane;
      for (std::int64_t k = 0; k < plane; ++k) {
        double d = p[k] - mean;
        sq += d * d;
      }
    }
    stats.mean[std::size_t(c)] = mean;
    stats.std[std::size_t(c)] = std::sqrt(sq / double(n - 1));
  }
  return stats;
}

void normalize(Dataset &data, const ChannelStats &stats) {
  if (std::int64_t(stats.mean.size()) != data.channels ||
      std::int64_t(stats.std.size()) != data.channels)
    fail("normalize: statistics for {} channels, but the data has {}",
         stats.mean.size(), data.channels);
  const std::int64_t plane = data.height * data.width;
  for (std::int64_t c = 0; c < data.channels; ++c) {
    double s = stats.std[std::size_t(c)];
    if (!(s > 0) || !std::isfinite(s))
      fail("normalize: channel {} has standard deviation {}", c, s);
    float mean = float(stats.mean[std::size_t(c)]);
    float inv = float(1.0 / s);
    for (std::int64_t i = 0; i < data.count; ++i) {
      float *p = data.images.data() + i * data.imageSize() + c * plane;
      for (std::int64_t k = 0; k < plane; ++k)
        p[k] = (p[k] - mean) * inv;
    }
  }
}

} // namespace cnnrt
