//===- Batching.h - Epoch order and batch gathering --------------*- C++ -*-===//
//
// Each epoch visits the data set in a fresh order: a Fisher-Yates shuffle
// driven by the Philox stream (seed, Shuffle domain, stream = epoch), so an
// epoch's order is reproducible from (seed, epoch) alone, e.g. when resuming.
// Batches are consecutive slices of the order; the last one may be partial and
// is kept, as with PyTorch's DataLoader(drop_last=False).
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_BATCHING_H
#define CNNRT_BATCHING_H

#include "cnnrt/Dataset.h"

#include <cstdint>
#include <vector>

namespace cnnrt {

/// A permutation of [0, n) for the given epoch. n must be below 2^32.
std::vector<std::int64_t> epochPermutation(std::int64_t n, std::uint64_t seed,
                                           std::uint32_t epoch);

/// [0, n) in order, for evaluation.
std::vector<std::int64_t> identityOrder(std::int64_t n);

/// ceil(n / batchSize).
std::int64_t numBatches(std::int64_t n, std::int64_t batchSize);

/// Copies batch `batch` of `order` into `images` (room for batchSize images,
/// NCHW) and `labels` (room for batchSize); returns how many samples it holds
/// (batchSize, or fewer for the last batch). Throws on a batch index out of
/// range or an order entry outside the data set.
std::int64_t gatherBatch(const Dataset &data,
                         const std::vector<std::int64_t> &order,
                         std::int64_t batch, std::int64_t batchSize,
                         float *images, std::int64_t *labels);

} // namespace cnnrt

#endif // CNNRT_BATCHING_H
