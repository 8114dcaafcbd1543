//===- Evaluate.cpp - The eval-mode pass over a data set ------------------===//

#include "Evaluate.h"

#include "cnnrt/Batching.h"

namespace cnnrt::cli {

ClassificationMetrics evaluate(Model &model, const Dataset &d,
                               std::int64_t batchSize, int part, int parts) {
  CpuForward forward(model, "");
  return evaluate(forward, d, batchSize, part, parts);
}

ClassificationMetrics evaluate(Forward &forward, const Dataset &d,
                               std::int64_t batchSize, int part, int parts) {
  Model &model = forward.model();
  std::vector<std::int64_t> order = identityOrder(d.count);
  AlignedBuffer images(std::size_t(batchSize * d.imageSize()) * sizeof(float),
                       "the images of an evaluation batch");
  AlignedBuffer logits(std::size_t(batchSize * model.numClasses()) *
                           sizeof(float),
                       "the logits of an evaluation batch");
  std::vector<std::int64_t> labels(std::size_t(batchSize), 0);
  auto *x = reinterpret_cast<float *>(images.data());
  auto *y = reinterpret_cast<float *>(logits.data());
  ClassificationMetrics metrics;
  for (std::int64_t b = part, nb = numBatches(d.count, batchSize); b < nb;
       b += parts) {
    std::int64_t n = gatherBatch(d, order, b, batchSize, x, labels.data());
    forward.run(x, n, y);
    metrics.add(y, labels.data(), n, model.numClasses());
  }
  return metrics;
}

} // namespace cnnrt::cli
