//===- Idx.cpp - IDX files (MNIST, Fashion-MNIST) -------------------------===//

#include "cnnrt/Idx.h"
#include "cnnrt/Error.h"
#include "cnnrt/File.h"

#include <fmt/ranges.h>

#include <sys/stat.h>

namespace cnnrt {

IdxArray readIdx(const std::string &path) {
  return decodeIdx(readFile(path), path);
}

namespace {

/// The magic number and dimensions, checked; `size` is what the bytes hold.
struct IdxHeader {
  std::vector<std::int64_t> dims;
  std::size_t headerSize = 0;
  std::uint64_t count = 1; ///< data bytes the dimensions need
};

IdxHeader decodeHeader(const std::vector<std::uint8_t> &bytes,
                       const std::string &path) {
  if (bytes.size() < 4)
    fail("{}: truncated IDX file: {} bytes, too short for the magic number",
         path, bytes.size());
  if (bytes[0] != 0 || bytes[1] != 0)
    fail("{}: not an IDX file: magic {:02x} {:02x} {:02x} {:02x}", path,
         bytes[0], bytes[1], bytes[2], bytes[3]);
  if (bytes[2] != 0x08)
    fail("{}: IDX element type 0x{:02x} is not unsigned byte (0x08)", path,
         bytes[2]);
  std::size_t ndims = bytes[3];
  if (ndims == 0)
    fail("{}: IDX file with 0 dimensions", path);
  IdxHeader h;
  h.headerSize = 4 + 4 * ndims;
  if (bytes.size() < h.headerSize)
    fail("{}: truncated IDX header: {} dimensions need {} bytes, the file has "
         "{}",
         path, ndims, h.headerSize, bytes.size());
  for (std::size_t i = 0; i < ndims; ++i) {
    const std::uint8_t *p = bytes.data() + 4 + 4 * i;
    std::uint32_t d = std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 |
                      std::uint32_t(p[2]) << 8 | p[3];
    if (d == 0)
      fail("{}: IDX dimension {} is 0", path, i);
    h.dims.push_back(d);
    // Checked before the product, which could wrap past 2^64 (to 0).
    if (h.count > (std::uint64_t(1) << 40) / d)
      fail("{}: IDX dimensions {} are implausibly large", path,
           fmt::join(h.dims, " x "));
    h.count *= d;
  }
  return h;
}

} // namespace

IdxArray decodeIdx(std::vector<std::uint8_t> bytes, const std::string &path) {
  if (isGzip(bytes)) {
    // Inflate no more than the header asks for (and a byte to tell extra
    // data), so that a gzip bomb is an error, not exhausted memory.
    IdxHeader h = decodeHeader(gunzipPrefix(bytes, path, 4 + 4 * 255), path);
    std::uint64_t size = h.headerSize + h.count;
    bytes = gunzipPrefix(bytes, path, std::size_t(size) + 1);
    if (bytes.size() > size)
      fail("{}: the gzip data inflates to more than the {} bytes of an IDX "
           "file of dimensions {}",
           path, size, fmt::join(h.dims, " x "));
  }
  IdxHeader h = decodeHeader(bytes, path);
  IdxArray out;
  out.dims = h.dims;
  std::uint64_t have = bytes.size() - h.headerSize;
  if (have < h.count)
    fail("{}: truncated IDX data: dimensions {} need {} bytes, the file has "
         "{}",
         path, fmt::join(out.dims, " x "), h.count, have);
  if (have > h.count)
    fail("{}: {} trailing bytes after the IDX data (dimensions {})", path,
         have - h.count, fmt::join(out.dims, " x "));
  out.data.assign(bytes.begin() + std::ptrdiff_t(h.headerSize), bytes.end());
  return out;
}

Dataset loadIdxDataset(const std::string &imagesPath,
                       const std::string &labelsPath,
                       std::int64_t numClasses) {
  IdxArray images = readIdx(imagesPath);
  if (images.dims.size() != 3)
    fail("{}: expected 3 dimensions (count, rows, columns) for images, found "
         "{}",
         imagesPath, images.dims.size());
  return makeIdxDataset(images, imagesPath, readIdx(labelsPath), labelsPath,
                        numClasses);
}

Dataset makeIdxDataset(const IdxArray &images, const std::string &imagesPath,
                       const IdxArray &labels, const std::string &labelsPath,
                       std::int64_t numClasses) {
  if (images.dims.size() != 3)
    fail("{}: expected 3 dimensions (count, rows, columns) for images, found "
         "{}",
         imagesPath, images.dims.size());
  if (labels.dims.size() != 1)
    fail("{}: expected 1 dimension (count) for labels, found {}", labelsPath,
         labels.dims.size());
  if (labels.dims[0] != images.dims[0])
    fail("{} has {} images but {} has {} labels", imagesPath, images.dims[0],
         labelsPath, labels.dims[0]);
  Dataset d;
  d.count = images.dims[0];
  d.channels = 1;
  d.height = images.dims[1];
  d.width = images.dims[2];
  d.numClasses = numClasses;
  d.labels.resize(std::size_t(d.count));
  for (std::int64_t i = 0; i < d.count; ++i) {
    std::uint8_t l = labels.data[std::size_t(i)];
    if (l >= numClasses)
      fail("{}: record {}: label {} is not below the {} classes", labelsPath,
           i, l, numClasses);
    d.labels[std::size_t(i)] = l;
  }
  d.images.resize(images.data.size());
  for (std::size_t i = 0; i < images.data.size(); ++i)
    d.images[i] = float(images.data[i]) / 255.0f;
  return d;
}

static std::string pick(const std::string &dir, const std::string &stem) {
  std::string gz = dir + "/" + stem + ".gz";
  struct stat st;
  return ::stat(gz.c_str(), &st) == 0 ? gz : dir + "/" + stem;
}

Dataset loadMnistLike(const std::string &dir, Split split) {
  std::string prefix = split == Split::Train ? "train" : "t10k";
  return loadIdxDataset(pick(dir, prefix + "-images-idx3-ubyte"),
                        pick(dir, prefix + "-labels-idx1-ubyte"));
}

} // namespace cnnrt
