//===- StepBuffers.cpp - What one compiled training step reads and writes -===//

#include "StepBuffers.h"

#include "DropoutMasks.h"

#include <fmt/format.h>

namespace cnnrt::cli {

StepBuffers::StepBuffers(const Model &model, std::int64_t capacity)
    : images_(std::size_t(capacity * model.sampleSize()) * sizeof(float),
              fmt::format("the images of a batch of {}", capacity)),
      logits_(std::size_t(capacity * model.numClasses()) * sizeof(float),
              fmt::format("the logits of a batch of {}", capacity)),
      labels_(std::size_t(capacity) * sizeof(std::int32_t),
              fmt::format("the labels of a batch of {}", capacity)),
      masks_(std::size_t(model.maskFloats(capacity)) * sizeof(float),
             fmt::format("the dropout masks of a batch of {}", capacity)) {}

StepLoss StepBuffers::step(Model &model, std::int64_t n, const SgdParams &sgd,
                           bool firstStep, std::uint64_t seed,
                           std::int64_t step, std::int64_t shardOffset) {
  auto *masks = reinterpret_cast<float *>(masks_.data());
  bool given = shardOffset >= 0 && model.numDropoutSites() > 0;
  if (given)
    shardDropoutMasks(model, shardOffset, n, seed, step, masks);
  return model.trainStep(images(), labels(), n,
                         reinterpret_cast<float *>(logits_.data()), masks,
                         given, sgd, firstStep, seed, step);
}

} // namespace cnnrt::cli
