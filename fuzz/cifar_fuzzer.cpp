//===- cifar_fuzzer.cpp - The CIFAR-10 batch reader on arbitrary bytes ----===//
//
// The bytes as a CIFAR-10 binary batch, read as the ten classes and as the
// lecture's airplane/bird pair. Errors (cnnrt::Error) are expected; a crash,
// a sanitizer report, or a data set whose images and labels disagree is a
// bug.
//
//===----------------------------------------------------------------------===//
#include "cnnrt/Cifar.h"
#include "cnnrt/Error.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  std::vector<std::uint8_t> bytes(data, data + size);
  for (const std::vector<int> &classes :
       {std::vector<int>{}, cnnrt::kCifar2Classes}) {
    cnnrt::Dataset d;
    d.channels = 3;
    d.height = d.width = 32;
    d.numClasses = classes.empty() ? 10 : std::int64_t(classes.size());
    try {
      cnnrt::appendCifar10Batch(d, bytes, "fuzz.bin", classes);
    } catch (const cnnrt::Error &) {
      continue;
    }
    if (d.labels.size() != std::size_t(d.count) ||
        d.images.size() != std::size_t(d.count) * 3 * 32 * 32)
      std::abort();
    for (std::int64_t label : d.labels)
      if (label < 0 || label >= d.numClasses)
        std::abort();
  }
  return 0;
}
