//===- idx_fuzzer.cpp - The IDX reader (gzip included) on arbitrary bytes -===//
//
// The bytes as an IDX file, plain or gzip (detected by the magic, as for
// files): decoded, then, when they hold images, made into a data set with
// labels of the same count. Errors (cnnrt::Error) are expected; a crash, a
// sanitizer report or a data set whose sizes disagree is a bug.
//
//===----------------------------------------------------------------------===//
#include "cnnrt/Error.h"
#include "cnnrt/Idx.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  try {
    cnnrt::IdxArray images =
        cnnrt::decodeIdx(std::vector<std::uint8_t>(data, data + size), "fuzz");
    std::uint64_t count = 1;
    for (std::int64_t d : images.dims)
      count *= std::uint64_t(d);
    if (count != images.data.size())
      std::abort(); // the dimensions must describe the data exactly
    if (images.dims.size() != 3)
      return 0;
    cnnrt::IdxArray labels;
    labels.dims = {images.dims[0]};
    labels.data.assign(std::size_t(images.dims[0]), 1);
    cnnrt::Dataset d =
        cnnrt::makeIdxDataset(images, "fuzz", labels, "labels", 10);
    if (d.images.size() != std::size_t(d.count * d.height * d.width))
      std::abort();
  } catch (const cnnrt::Error &) {
  }
  return 0;
}
