//===- Idx.h - IDX files (MNIST, Fashion-MNIST) ------------------*- C++ -*-===//
//
// IDX: magic 00 00 <type> <ndims>, ndims big-endian u32 dimensions, then the
// data. Only type 0x08 (unsigned byte) occurs in the image data sets. Files may
// be gzip-compressed (detected by the 1f 8b magic, not the file name).
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_IDX_H
#define CNNRT_IDX_H

#include "cnnrt/Dataset.h"

#include <string>
#include <vector>

namespace cnnrt {

/// Where Debian's dataset-fashion-mnist puts the files.
inline constexpr const char *kFashionMnistDir =
    "/usr/share/datasets/fashion-mnist";

struct IdxArray {
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> data;
};

/// Reads an unsigned-byte IDX file, gzip or plain. Throws on a bad magic, a
/// zero dimension, or data shorter or longer than the dimensions say.
IdxArray readIdx(const std::string &path);

/// The same on bytes already in memory; `name` names them in errors.
IdxArray decodeIdx(std::vector<std::uint8_t> bytes, const std::string &name);

/// Images (N x H x W) and labels (N), decoded, into a 1-channel data set;
/// the paths name them in errors.
Dataset makeIdxDataset(const IdxArray &images, const std::string &imagesPath,
                       const IdxArray &labels, const std::string &labelsPath,
                       std::int64_t numClasses);

/// Images (N x H x W) and labels (N) into a 1-channel data set; checks the
/// counts agree and every label is below numClasses.
Dataset loadIdxDataset(const std::string &imagesPath,
                       const std::string &labelsPath,
                       std::int64_t numClasses = 10);

/// {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] in `dir`; the .gz name is
/// tried first.
Dataset loadMnistLike(const std::string &dir, Split split);

} // namespace cnnrt

#endif // CNNRT_IDX_H
