//===- Dataset.h - In-memory image classification data sets -----*- C++ -*-===//
//
// N images as float32 NCHW scaled to [0, 1] (byte / 255), with integer labels
// in [0, numClasses). Labels are i64 because that is what PyTorch's
// cross_entropy takes, so a batch can be written out and fed to PyTorch as is.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_DATASET_H
#define CNNRT_DATASET_H

#include <cstdint>
#include <vector>

namespace cnnrt {

enum class Split { Train, Test };

struct Dataset {
  std::int64_t count = 0;
  std::int64_t channels = 0, height = 0, width = 0;
  std::int64_t numClasses = 0;
  std::vector<float> images;         ///< count * channels * height * width
  std::vector<std::int64_t> labels;  ///< count

  std::int64_t imageSize() const { return channels * height * width; }
  const float *image(std::int64_t i) const {
    return images.data() + i * imageSize();
  }
};

/// Per-channel statistics for input normalisation.
struct ChannelStats {
  std::vector<double> mean;
  std::vector<double> std;
};

/// Mean and standard deviation of each channel over all images and pixels.
/// The std is the Bessel-corrected one (divisor n - 1), torch.std's default,
/// which is what the lecture computes (`imgs.view(3, -1).std(dim=1)`); with
/// n in the millions it differs from the population std by about 1e-7
/// relative. Accumulated in double, two passes.
ChannelStats computeChannelStats(const Dataset &data);

/// x = (x - mean[c]) / std[c] in place, as torchvision's Normalize. Throws on
/// a channel count mismatch or a std that is not positive.
void normalize(Dataset &data, const ChannelStats &stats);

} // namespace cnnrt

#endif // CNNRT_DATASET_H
