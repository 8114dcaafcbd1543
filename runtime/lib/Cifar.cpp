//===- Cifar.cpp - CIFAR-10 binary batches --------------------------------===//

#include "cnnrt/Cifar.h"
#include "cnnrt/Error.h"
#include "cnnrt/File.h"

#include <array>

namespace cnnrt {

namespace {
constexpr std::int64_t kImageBytes = 3 * 32 * 32;
constexpr std::int64_t kRecordBytes = 1 + kImageBytes;

/// newLabel[c] is the label class c gets, or -1 if it is dropped.
std::array<int, 10> labelMap(const std::vector<int> &classes) {
  std::array<int, 10> newLabel;
  newLabel.fill(classes.empty() ? 0 : -1);
  if (classes.empty()) {
    for (int c = 0; c < 10; ++c)
      newLabel[std::size_t(c)] = c;
  }
  for (std::size_t i = 0; i < classes.size(); ++i) {
    int c = classes[i];
    if (c < 0 || c > 9)
      fail("CIFAR-10 class {} is not in 0..9", c);
    if (newLabel[std::size_t(c)] >= 0)
      fail("CIFAR-10 class {} is listed twice", c);
    newLabel[std::size_t(c)] = int(i);
  }
  return newLabel;
}

} // namespace

Dataset loadCifar10(const std::string &dir, Split split,
                    const std::vector<int> &classes) {
  labelMap(classes); // a bad class list fails before any file is read
  std::vector<std::string> files;
  if (split == Split::Train) {
    for (int i = 1; i <= 5; ++i)
      files.push_back(dir + "/data_batch_" + std::to_string(i) + ".bin");
  } else {
    files.push_back(dir + "/test_batch.bin");
  }

  Dataset d;
  d.channels = 3;
  d.height = 32;
  d.width = 32;
  d.numClasses = classes.empty() ? 10 : std::int64_t(classes.size());
  for (const std::string &path : files)
    appendCifar10Batch(d, readFile(path), path, classes);
  return d;
}

void appendCifar10Batch(Dataset &d, const std::vector<std::uint8_t> &bytes,
                        const std::string &path,
                        const std::vector<int> &classes) {
  std::array<int, 10> newLabel = labelMap(classes);
  if (bytes.empty())
    fail("{}: empty CIFAR-10 batch file", path);
  if (bytes.size() % kRecordBytes != 0)
    fail("{}: truncated CIFAR-10 batch: {} bytes is not a whole number of "
         "{}-byte records (record {} is incomplete)",
         path, bytes.size(), kRecordBytes, bytes.size() / kRecordBytes);
  std::int64_t records = std::int64_t(bytes.size()) / kRecordBytes;
  d.images.reserve(d.images.size() + std::size_t(records * kImageBytes));
  for (std::int64_t r = 0; r < records; ++r) {
    const std::uint8_t *rec = bytes.data() + r * kRecordBytes;
    if (rec[0] > 9)
      fail("{}: record {}: label {} is not a CIFAR-10 class (0..9)", path, r,
           rec[0]);
    int label = newLabel[rec[0]];
    if (label < 0)
      continue;
    d.labels.push_back(label);
    // The file already holds CHW planes, the order NCHW wants.
    std::size_t at = d.images.size();
    d.images.resize(at + kImageBytes);
    for (std::int64_t k = 0; k < kImageBytes; ++k)
      d.images[at + std::size_t(k)] = float(rec[1 + k]) / 255.0f;
  }
  d.count = std::int64_t(d.labels.size());
}

} // namespace cnnrt
