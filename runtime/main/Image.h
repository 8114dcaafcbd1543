//===- Image.h - Image files for `predict` ----------------------*- C++ -*-===//
//
// Reads PNG (through libpng) and the Netpbm formats PGM and PPM (P2, P3, P5,
// P6, any maxval up to 65535), recognised by their first bytes, not their
// names. Pixels become floats in [0, 1] (value / maxval; PNG: 8-bit, libpng
// reducing 16-bit samples), channel-major as the models take them. A PNG's
// alpha is composited over black, the background of the data sets' images.
//
// Then fitted to a model: the channel count converted (gray to RGB by
// repetition, RGB to gray with ITU-R BT.601 luma weights 0.299, 0.587, 0.114,
// as PIL's convert("L")), the size changed by bilinear interpolation with
// half-pixel centres and no antialiasing, as torch.nn.functional.interpolate
// (mode="bilinear", align_corners=False).
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_IMAGE_H
#define CNNRT_MAIN_IMAGE_H

#include <cstdint>
#include <string>
#include <vector>

namespace cnnrt::cli {

struct Image {
  std::int64_t channels = 0, height = 0, width = 0;
  std::vector<float> pixels; ///< channels * height * width, in [0, 1]
  std::string format;        ///< "PNG", "PGM", "PPM"
};

/// Reads and decodes an image file. Throws Error naming the file and what is
/// wrong: missing, a directory, not an image, truncated or corrupt.
Image readImage(const std::string &path);

/// `image` with `channels` channels (1 or 3; the image's own 1 or 3).
Image convertChannels(const Image &image, std::int64_t channels);

/// `image` resized to height x width, bilinear (see above).
Image resizeBilinear(const Image &image, std::int64_t height,
                     std::int64_t width);

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_IMAGE_H
