//===- StepBuffers.h - What a training step reads and writes -----*- C++ -*-===//
//
// train_step takes its batch, labels, logits and dropout masks in 64-byte
// aligned buffers (model_abi.h). `train` and `bench --train` each keep one
// set, sized for their batch, and reuse it for every step.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_STEPBUFFERS_H
#define CNNRT_MAIN_STEPBUFFERS_H

#include "Model.h"

#include "cnnrt/Tensor.h"

#include <cstdint>

namespace cnnrt::cli {

class StepBuffers {
public:
  /// Room for batches of up to `capacity` samples of `model`.
  StepBuffers(const Model &model, std::int64_t capacity);

  /// The batch's images (capacity * sampleSize floats, NCHW) and labels.
  float *images() { return reinterpret_cast<float *>(images_.data()); }
  std::int32_t *labels() {
    return reinterpret_cast<std::int32_t *>(labels_.data());
  }

  /// One step on the first `n` samples, with dropout masks generated from
  /// (seed, step); the logits are left in the buffer. A replica of a
  /// data-parallel run passes where its shard starts in the global batch
  /// (`shardOffset` >= 0, `n` may then be 0): the masks are then the
  /// global batch's there (DropoutMasks.h).
  StepLoss step(Model &model, std::int64_t n, const SgdParams &sgd,
                bool firstStep, std::uint64_t seed, std::int64_t step,
                std::int64_t shardOffset = -1);

private:
  AlignedBuffer images_, logits_, labels_, masks_;
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_STEPBUFFERS_H
