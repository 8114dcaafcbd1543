//===- Image.cpp - PNG, PGM and PPM files for `predict` -------------------===//

#include "Image.h"

#include "cnnrt/Error.h"
#include "cnnrt/File.h"

#include <png.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <sys/stat.h>

namespace cnnrt::cli {

namespace {

/// Larger images are refused before their pixels are allocated: a corrupt
/// header may claim billions. Far beyond what a classifier's input is
/// resized from.
constexpr std::int64_t kMaxSide = 16384;

void checkSize(const std::string &path, const char *format, std::int64_t width,
               std::int64_t height) {
  if (width < 1 || height < 1)
    fail("{}: {} image of {}x{} pixels: empty", path, format, width, height);
  if (width > kMaxSide || height > kMaxSide)
    fail("{}: {} image of {}x{} pixels: larger than the {} pixels a side "
         "this reads",
         path, format, width, height, kMaxSide);
}

Image readPng(const std::string &path, const std::vector<std::uint8_t> &bytes) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()))
    fail("{}: not a readable PNG file: {}", path, png.message);
  // The simplified API frees its state on failure, and on success in
  // png_image_finish_read; png_image_free covers a throw in between.
  struct Free {
    png_image *p;
    ~Free() { png_image_free(p); }
  } freeOnExit{&png};
  checkSize(path, "PNG", png.width, png.height);
  bool color = (png.format & PNG_FORMAT_FLAG_COLOR) != 0;
  // Always with alpha, composited below; 8 bits a sample. A 16-bit file
  // without gAMA/sRGB chunks holds sRGB values as 8-bit ones do (libpng
  // would otherwise take them as linear light and gamma-encode them).
  png.format = color ? PNG_FORMAT_RGBA : PNG_FORMAT_GA;
  png.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  std::vector<std::uint8_t> raw(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, raw.data(), 0, nullptr))
    fail("{}: corrupt or truncated PNG file: {}", path, png.message);

  Image image;
  image.format = "PNG";
  image.channels = color ? 3 : 1;
  image.height = png.height;
  image.width = png.width;
  std::int64_t plane = image.height * image.width, stride = image.channels + 1;
  image.pixels.resize(std::size_t(image.channels * plane));
  for (std::int64_t p = 0; p < plane; ++p) {
    const std::uint8_t *px = raw.data() + p * stride;
    float alpha = float(px[image.channels]) / 255.0f;
    for (std::int64_t c = 0; c < image.channels; ++c)
      image.pixels[std::size_t(c * plane + p)] = float(px[c]) / 255.0f * alpha;
  }
  return image;
}

/// The header and samples of a Netpbm file (netpbm.sourceforge.net's pgm(5)
/// and ppm(5)): "P5", whitespace and #-comments between width, height and
/// maxval, one whitespace byte, then the raster; P2 and P3 spell the samples
/// in decimal.
class NetpbmReader {
public:
  NetpbmReader(const std::string &path, const std::vector<std::uint8_t> &bytes)
      : path_(path), bytes_(bytes) {}

  Image read() {
    char kind = char(bytes_[1]);
    bool ascii = kind == '2' || kind == '3';
    Image image;
    image.channels = kind == '3' || kind == '6' ? 3 : 1;
    image.format = image.channels == 3 ? "PPM" : "PGM";
    at_ = 2;
    std::int64_t width = number("width"), height = number("height");
    checkSize(path_, image.format.c_str(), width, height);
    std::int64_t maxval = number("maxval");
    if (maxval < 1 || maxval > 65535)
      fail("{}: {} maxval {} is outside 1..65535", path_, image.format, maxval);
    image.width = width;
    image.height = height;
    std::int64_t plane = width * height, count = plane * image.channels;
    image.pixels.resize(std::size_t(count));
    int bytesPerSample = maxval < 256 ? 1 : 2;
    if (!ascii) {
      // Exactly one whitespace byte ends the header (number() stopped at it).
      ++at_;
      std::int64_t need = count * bytesPerSample;
      std::int64_t have = std::int64_t(bytes_.size()) - std::int64_t(at_);
      if (have < need)
        fail("{}: truncated {} file: {}x{} pixels need {} bytes of samples, "
             "the file has {}",
             path_, image.format, width, height, need, std::max<std::int64_t>(have, 0));
    }
    for (std::int64_t i = 0; i < count; ++i) {
      std::int64_t v;
      if (ascii) {
        v = number("sample");
      } else if (bytesPerSample == 1) {
        v = bytes_[at_++];
      } else {
        v = std::int64_t(bytes_[at_]) << 8 | bytes_[at_ + 1];
        at_ += 2;
      }
      if (v > maxval)
        fail("{}: corrupt {} file: sample {} is {}, above the maxval {}", path_,
             image.format, i, v, maxval);
      // Interleaved in the file, channel-major in the image.
      std::int64_t p = i / image.channels, c = i % image.channels;
      image.pixels[std::size_t(c * plane + p)] = float(v) / float(maxval);
    }
    return image;
  }

private:
  /// A decimal number after whitespace and comments.
  std::int64_t number(const char *what) {
    for (;;) {
      while (at_ < bytes_.size() && std::isspace(bytes_[at_]))
        ++at_;
      if (at_ < bytes_.size() && bytes_[at_] == '#') {
        while (at_ < bytes_.size() && bytes_[at_] != '\n')
          ++at_;
        continue;
      }
      break;
    }
    if (at_ >= bytes_.size())
      fail("{}: truncated Netpbm file: it ends before the {}", path_, what);
    if (!std::isdigit(bytes_[at_]))
      fail("{}: corrupt Netpbm file: expected the {} (a decimal number) at "
           "byte {}, found '{}'",
           path_, what, at_, char(bytes_[at_]));
    std::int64_t v = 0;
    while (at_ < bytes_.size() && std::isdigit(bytes_[at_])) {
      v = v * 10 + (bytes_[at_++] - '0');
      if (v > (std::int64_t(1) << 40))
        fail("{}: corrupt Netpbm file: the {} is too large", path_, what);
    }
    if (at_ < bytes_.size() && !std::isspace(bytes_[at_]) && bytes_[at_] != '#')
      fail("{}: corrupt Netpbm file: expected whitespace after the {} at byte "
           "{}",
           path_, what, at_);
    return v;
  }

  const std::string &path_;
  const std::vector<std::uint8_t> &bytes_;
  std::size_t at_ = 0;
};

bool isPng(const std::vector<std::uint8_t> &b) {
  static const std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G',
                                             '\r', '\n', 0x1a, '\n'};
  return b.size() >= 8 && std::memcmp(b.data(), kSignature, 8) == 0;
}

bool isNetpbm(const std::vector<std::uint8_t> &b) {
  return b.size() >= 2 && b[0] == 'P' &&
         (b[1] == '2' || b[1] == '3' || b[1] == '5' || b[1] == '6');
}

} // namespace

Image readImage(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    fail("{}: a directory, not an image file", path);
  std::vector<std::uint8_t> bytes = readFile(path);
  if (isPng(bytes))
    return readPng(path, bytes);
  if (isNetpbm(bytes))
    return NetpbmReader(path, bytes).read();
  fail("{}: not an image this reads: expected PNG, or PGM/PPM (P2, P3, P5, "
       "P6){}",
       path, bytes.empty() ? " (the file is empty)" : "");
}

Image convertChannels(const Image &image, std::int64_t channels) {
  if (image.channels == channels)
    return image;
  Image out = image;
  std::size_t plane = std::size_t(image.height * image.width);
  out.channels = channels;
  out.pixels.assign(std::size_t(channels) * plane, 0.0f);
  if (image.channels == 1 && channels == 3) {
    for (int c = 0; c < 3; ++c)
      std::copy_n(image.pixels.begin(), plane, out.pixels.begin() + c * plane);
  } else if (image.channels == 3 && channels == 1) {
    const float *r = image.pixels.data(), *g = r + plane, *b = g + plane;
    for (std::size_t p = 0; p < plane; ++p)
      out.pixels[p] = 0.299f * r[p] + 0.587f * g[p] + 0.114f * b[p];
  } else {
    fail("cannot convert a {}-channel image to {} channels", image.channels,
         channels);
  }
  return out;
}

Image resizeBilinear(const Image &image, std::int64_t height,
                     std::int64_t width) {
  if (image.height == height && image.width == width)
    return image;
  // PyTorch's upsample_bilinear2d (align_corners=False): the source of
  // output index d is scale * (d + 0.5) - 0.5, clamped at 0, between the
  // pixel below and the next (the last pixel repeated at the edge).
  struct Tap {
    std::int64_t i0, i1;
    float w0, w1;
  };
  auto taps = [](std::int64_t in, std::int64_t out) {
    std::vector<Tap> t(static_cast<std::size_t>(out));
    float scale = float(in) / float(out);
    for (std::int64_t d = 0; d < out; ++d) {
      float src = std::max(scale * (float(d) + 0.5f) - 0.5f, 0.0f);
      std::int64_t i0 = std::int64_t(src);
      float lambda = src - float(i0);
      t[std::size_t(d)] = {i0, i0 < in - 1 ? i0 + 1 : i0, 1.0f - lambda,
                           lambda};
    }
    return t;
  };
  std::vector<Tap> rows = taps(image.height, height),
                   cols = taps(image.width, width);
  Image out = image;
  out.height = height;
  out.width = width;
  out.pixels.assign(std::size_t(image.channels * height * width), 0.0f);
  for (std::int64_t c = 0; c < image.channels; ++c) {
    const float *in = image.pixels.data() + c * image.height * image.width;
    float *o = out.pixels.data() + c * height * width;
    for (std::int64_t y = 0; y < height; ++y) {
      const Tap &r = rows[std::size_t(y)];
      const float *row0 = in + r.i0 * image.width, *row1 = in + r.i1 * image.width;
      for (std::int64_t x = 0; x < width; ++x) {
        const Tap &k = cols[std::size_t(x)];
        o[y * width + x] = r.w0 * (k.w0 * row0[k.i0] + k.w1 * row0[k.i1]) +
                           r.w1 * (k.w0 * row1[k.i0] + k.w1 * row1[k.i1]);
      }
    }
  }
  return out;
}

} // namespace cnnrt::cli
