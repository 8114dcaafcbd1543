//===- Metrics.h - Accuracy and cross-entropy over batches -------*- C++ -*-===//
//
// Accumulates, batch by batch, what `eval` (and later `train`) reports: the
// number of correct predictions (argmax of the logits, the first maximum on
// ties as torch.argmax) and the sum of the per-sample cross-entropy losses
// -log softmax(logits)[label], computed in double with the max subtracted.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_METRICS_H
#define CNNRT_MAIN_METRICS_H

#include <cstdint>

namespace cnnrt::cli {

struct ClassificationMetrics {
  std::int64_t count = 0;
  std::int64_t correct = 0;
  double lossSum = 0;

  /// Adds `n` samples: logits [n, k] row-major, labels in [0, k).
  void add(const float *logits, const std::int64_t *labels, std::int64_t n,
           std::int64_t k);

  double accuracy() const { return count ? double(correct) / double(count) : 0; }
  /// Mean cross-entropy, PyTorch's cross_entropy with reduction='mean'.
  double meanLoss() const { return count ? lossSum / double(count) : 0; }
};

/// Index of the largest logit, the first on ties; a NaN counts as largest.
std::int64_t argmax(const float *logits, std::int64_t k);

/// -log softmax(logits)[label], in double.
double crossEntropy(const float *logits, std::int64_t k, std::int64_t label);

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_METRICS_H
