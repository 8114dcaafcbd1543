//===- CudaTrainStep.cpp - A model's training step on a GPU ---------------===//

#include "cnnrt/CudaTrainStep.h"

#include "cnnrt/Error.h"

#include <algorithm>

namespace cnnrt::cuda {

namespace {

/// `model`, once it is known to have the GPU training step.
const cnnrt_model &withTrainStep(const cnnrt_model &model) {
  if (!model.train_step_cuda || !model.forward_cuda)
    fail("internal error: {} has no GPU training code", model.name);
  return model;
}

constexpr std::int64_t kF32 = sizeof(float), kI32 = sizeof(std::int32_t);

} // namespace

std::string trainingUnavailable(const cnnrt_model &model, int ordinal) {
  if (!model.train_step_cuda)
    return fmt::format("{} was compiled without GPU training code (cnnc "
                       "--target=cuda adds it to a model with a train step)",
                       model.name);
  return unavailable(model, ordinal);
}

CudaTrainStep::CudaTrainStep(const Driver &driver, const cnnrt_model &model,
                             int ordinal)
    : session_(driver, withTrainStep(model), ordinal),
      arena_(session_.allocate(model.train_arena_bytes,
                               "the model's training arena")),
      forward_(session_, arena_.address) {
  loss_ = session_.allocate(2 * kF32, "the loss of a training step");
  scalars_ = session_.allocate(sizeof(cnnrt_train_scalars),
                               "the scalars of a training step");
}

void CudaTrainStep::uploadArena(const void *hostArena) {
  session_.makeCurrent();
  session_.upload(arena_.address, hostArena, arena_.bytes,
                  "the training arena to the device");
  // The host arena may change as soon as this returns.
  session_.synchronize("the training arena to the device");
}

void CudaTrainStep::downloadArena(void *hostArena) {
  session_.makeCurrent();
  session_.download(hostArena, arena_.address, arena_.bytes,
                    "the training arena to the host");
  session_.synchronize("the training steps");
}

void CudaTrainStep::uploadData(const float *images, const std::int32_t *labels,
                               std::int64_t count) {
  if (count_ >= 0)
    fail("internal error: the training data set is already on the device");
  const cnnrt_model &m = session_.model();
  std::int64_t sample = m.input_shape[0] * m.input_shape[1] * m.input_shape[2];
  session_.makeCurrent();
  images_ = session_.allocate(
      count * sample * kF32,
      fmt::format("the images of the training set, {} samples", count));
  labels_ = session_.allocate(
      count * kI32,
      fmt::format("the labels of the training set, {} samples", count));
  session_.upload(images_.address, images, images_.bytes,
                  "the training set's images to the device");
  session_.upload(labels_.address, labels, labels_.bytes,
                  "the training set's labels to the device");
  session_.synchronize("the training set to the device");
  count_ = count;
}

void CudaTrainStep::step(const std::int32_t *indices, std::int64_t n,
                         const cnnrt_train_scalars &scalars,
                         const float *givenMasks) {
  const cnnrt_model &m = session_.model();
  if (count_ < 0)
    fail("internal error: a training step before the data set's upload");
  if (n <= 0)
    fail("internal error: a training step on {} samples", n);
  for (std::int64_t i = 0; i < n; ++i)
    if (indices[i] < 0 || indices[i] >= count_)
      fail("internal error: sample {} of a training batch is {}, outside the "
           "data set's [0, {})",
           i, indices[i], count_);
  session_.makeCurrent();
  // At least one mask element, as the ABI wants, even without dropout.
  std::int64_t maskBytes =
      std::max<std::int64_t>(n * m.mask_elems_per_sample, 1) * kF32;
  std::int64_t k = m.num_classes;
  auto found = plans_.find(n);
  if (found == plans_.end()) {
    // As CudaForward's: buffers grow, the old ones stay for older graphs.
    if (batch_.bytes < n * kI32)
      batch_ = session_.allocate(
          n * kI32, fmt::format("the indices of a training batch of {}", n));
    if (logits_.bytes < n * k * kF32)
      logits_ = session_.allocate(
          n * k * kF32, fmt::format("the logits of a training batch of {}", n));
    if (masks_.bytes < maskBytes)
      masks_ = session_.allocate(
          maskBytes,
          fmt::format("the dropout masks of a training batch of {}", n));
    Plan p;
    p.batch = batch_.address;
    p.logits = logits_.address;
    p.masks = masks_.address;
    found = plans_.emplace(n, p).first;
  }
  Plan &p = found->second;
  // Host copies that outlive the call: the copies are asynchronous.
  indices_.assign(indices, indices + n);
  hostScalars_ = scalars;
  session_.upload(p.batch, indices_.data(), n * kI32,
                  fmt::format("the indices of a training batch of {}", n));
  session_.upload(scalars_.address, &hostScalars_, sizeof hostScalars_,
                  "the scalars of a training step");
  if (scalars.masks_given) {
    if (!givenMasks)
      fail("internal error: masks_given without masks");
    session_.upload(p.masks, givenMasks, maskBytes,
                    fmt::format("the dropout masks of a training batch of {}",
                                n));
  }
  std::int64_t c = m.input_shape[0], h = m.input_shape[1],
               w = m.input_shape[2];
  // Device addresses in MLIR's descriptors (model_abi.h's guarantees:
  // offset 0, contiguous, cuMemAlloc's 256-byte alignment).
  auto *arena = reinterpret_cast<std::int8_t *>(arena_.address);
  auto *x = reinterpret_cast<float *>(images_.address);
  auto *y = reinterpret_cast<std::int32_t *>(labels_.address);
  auto *b = reinterpret_cast<std::int32_t *>(p.batch);
  auto *z = reinterpret_cast<float *>(p.logits);
  auto *l = reinterpret_cast<float *>(loss_.address);
  auto *mask = reinterpret_cast<float *>(p.masks);
  auto *s = reinterpret_cast<std::int8_t *>(scalars_.address);
  std::int64_t count = count_, maskFloats = maskBytes / kF32,
               scalarBytes = sizeof(cnnrt_train_scalars);
  cnnrt_memref1d_i8 a{arena, arena, 0, {m.train_arena_bytes}, {1}};
  cnnrt_memref4d_f32 images{
      x, x, 0, {count, c, h, w}, {c * h * w, h * w, w, 1}};
  cnnrt_memref1d_i32 labels{y, y, 0, {count}, {1}};
  cnnrt_memref1d_i32 batch{b, b, 0, {n}, {1}};
  cnnrt_memref2d_f32 logits{z, z, 0, {n, k}, {k, 1}};
  cnnrt_memref1d_f32 loss{l, l, 0, {2}, {1}};
  cnnrt_memref1d_f32 masks{mask, mask, 0, {maskFloats}, {1}};
  cnnrt_memref1d_i8 sc{s, s, 0, {scalarBytes}, {1}};
  session_.run(p.replay, "train_step_cuda", "the training step", n, [&] {
    m.train_step_cuda(&a, &images, &labels, &batch, &logits, &loss, &masks,
                      &sc);
  });
  last_ = &p;
  lastN_ = n;
}

std::array<float, 2> CudaTrainStep::loss() {
  std::array<float, 2> out{};
  session_.makeCurrent();
  session_.download(out.data(), loss_.address, 2 * kF32,
                    "the loss of a training step to the host");
  session_.synchronize(
      fmt::format("the training step on a batch of {}", lastN_));
  return out;
}

void CudaTrainStep::downloadLogits(float *logits) {
  if (!last_)
    fail("internal error: logits before a training step");
  session_.makeCurrent();
  session_.download(logits, last_->logits,
                    lastN_ * session_.model().num_classes * kF32,
                    "the logits of a training step to the host");
  session_.synchronize("the logits of a training step to the host");
}

void CudaTrainStep::downloadMasks(float *masks) {
  if (!last_)
    fail("internal error: masks before a training step");
  std::int64_t floats = lastN_ * session_.model().mask_elems_per_sample;
  if (floats == 0)
    return;
  session_.makeCurrent();
  session_.download(masks, last_->masks, floats * kF32,
                    "the dropout masks of a training step to the host");
  session_.synchronize("the dropout masks of a training step to the host");
}

} // namespace cnnrt::cuda
