//===- Batching.cpp - Epoch order and batch gathering ---------------------===//

#include "cnnrt/Batching.h"
#include "cnnrt/Error.h"
#include "cnnrt/Philox.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <utility>

namespace cnnrt {

std::vector<std::int64_t> identityOrder(std::int64_t n) {
  if (n < 0)
    fail("identityOrder: negative size {}", n);
  std::vector<std::int64_t> order(std::size_t(n), 0);
  std::iota(order.begin(), order.end(), std::int64_t(0));
  return order;
}

std::vector<std::int64_t> epochPermutation(std::int64_t n, std::uint64_t seed,
                                           std::uint32_t epoch) {
  if (n < 0 || n > std::int64_t(UINT32_MAX))
    fail("epochPermutation: size {} is not in [0, 2^32)", n);
  std::vector<std::int64_t> order = identityOrder(n);
  PhiloxStream rng(seed, RngDomain::Shuffle, epoch);
  // Fisher-Yates from the back: position i takes a uniform pick of [0, i].
  for (std::int64_t i = n - 1; i > 0; --i) {
    std::int64_t j = rng.nextBelow(std::uint32_t(i + 1));
    std::swap(order[std::size_t(i)], order[std::size_t(j)]);
  }
  return order;
}

std::int64_t numBatches(std::int64_t n, std::int64_t batchSize) {
  if (batchSize <= 0)
    fail("batch size {} is not positive", batchSize);
  return (n + batchSize - 1) / batchSize;
}

std::int64_t gatherBatch(const Dataset &data,
                         const std::vector<std::int64_t> &order,
                         std::int64_t batch, std::int64_t batchSize,
                         float *images, std::int64_t *labels) {
  std::int64_t n = std::int64_t(order.size());
  std::int64_t batches = numBatches(n, batchSize);
  if (batch < 0 || batch >= batches)
    fail("batch {} out of range: {} samples make {} batches of {}", batch, n,
         batches, batchSize);
  std::int64_t begin = batch * batchSize;
  std::int64_t size = std::min(batchSize, n - begin);
  const std::size_t imageBytes = std::size_t(data.imageSize()) * sizeof(float);
  for (std::int64_t k = 0; k < size; ++k) {
    std::int64_t s = order[std::size_t(begin + k)];
    if (s < 0 || s >= data.count)
      fail("batch {}: sample index {} is outside the data set ({} samples)",
           batch, s, data.count);
    std::memcpy(images + k * data.imageSize(), data.image(s), imageBytes);
    labels[k] = data.labels[std::size_t(s)];
  }
  return size;
}

} // namespace cnnrt
