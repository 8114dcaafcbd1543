//===- StepBuffers.cpp - What one compiled training step reads and writes -===//

#include "StepBuffers.h"

namespace cnnrt::cli {

StepBuffers::StepBuffers(const Model &model, std::int64_t capacity)
    : images_(std::size_t(capacity * model.sampleSize()) * sizeof(float)),
      logits_(std::size_t(capacity * model.numClasses()) * sizeof(float)),
      labels_(std::size_t(capacity) * sizeof(std::int32_t)),
      masks_(std::size_t(model.maskFloats(capacity)) * sizeof(float)) {}

StepLoss StepBuffers::step(Model &model, std::int64_t n, const SgdParams &sgd,
                           bool firstStep, std::uint64_t seed,
                           std::int64_t step) {
  return model.trainStep(images(), labels(), n,
                         reinterpret_cast<float *>(logits_.data()),
                         reinterpret_cast<float *>(masks_.data()),
                         /*masksGiven=*/false, sgd, firstStep, seed, step);
}

} // namespace cnnrt::cli
