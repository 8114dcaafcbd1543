//===- Metrics.cpp - Accuracy and cross-entropy over batches --------------===//

#include "Metrics.h"

#include <cmath>

namespace cnnrt::cli {

std::int64_t argmax(const float *logits, std::int64_t k) {
  std::int64_t best = 0;
  for (std::int64_t j = 0; j < k; ++j) {
    if (std::isnan(logits[j]))
      return j;
    if (logits[j] > logits[best])
      best = j;
  }
  return best;
}

double crossEntropy(const float *logits, std::int64_t k, std::int64_t label) {
  double max = logits[0];
  for (std::int64_t j = 1; j < k; ++j)
    max = std::fmax(max, double(logits[j]));
  double sum = 0;
  for (std::int64_t j = 0; j < k; ++j)
    sum += std::exp(double(logits[j]) - max);
  // log s − (z − max), as PyTorch's log_softmax: (log s + max) − z loses
  // log s when the logits are huge (1e20 + ln 10 is 1e20 in double).
  return std::log(sum) - (double(logits[label]) - max);
}

void ClassificationMetrics::add(const float *logits,
                                const std::int64_t *labels, std::int64_t n,
                                std::int64_t k) {
  for (std::int64_t i = 0; i < n; ++i) {
    const float *row = logits + i * k;
    correct += argmax(row, k) == labels[i];
    lossSum += crossEntropy(row, k, labels[i]);
  }
  count += n;
}

} // namespace cnnrt::cli
