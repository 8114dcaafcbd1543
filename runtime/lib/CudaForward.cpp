//===- CudaForward.cpp - A model's eval-mode forward on a GPU -------------===//

#include "cnnrt/CudaForward.h"

#include "cnnrt/Error.h"


namespace cnnrt::cuda {

std::string unavailable(const cnnrt_model &model, int ordinal) {
  if (!model.forward_cuda)
    return fmt::format("{} was compiled without GPU code (cnnc --target=cuda "
                       "adds it)",
                       model.name);
  std::string why;
  const Driver *driver = Driver::get(why);
  if (!driver)
    return why;
  try {
    return archMismatch(model, driver->device(ordinal));
  } catch (const Error &e) { // the driver cannot describe its device
    return e.what();
  }
}

CudaForward::CudaForward(const Driver &driver, const cnnrt_model &model,
                         int ordinal) {
  if (!model.forward_cuda)
    fail("internal error: {} has no GPU code", model.name);
  own_ = std::make_unique<Session>(driver, model, ordinal);
  session_ = own_.get();
  arena_ = session_->allocate(model.arena_bytes, "the model's arena");
}

CudaForward::CudaForward(Session &session, CUdeviceptr arena)
    : session_(&session) {
  if (!session.model().forward_cuda)
    fail("internal error: {} has no GPU code", session.model().name);
  arena_.address = arena;
}

void CudaForward::uploadArena(const void *hostArena) {
  session_->makeCurrent();
  session_->upload(arena_.address, hostArena, session_->model().arena_bytes,
                   "the model's weights to the device");
  // The host arena may change as soon as this returns.
  session_->synchronize("the model's weights to the device");
}

void CudaForward::forward(const float *input, std::int64_t n, float *logits) {
  if (n <= 0)
    return;
  Session &s = *session_;
  s.makeCurrent();
  const cnnrt_model &m = s.model();
  std::int64_t c = m.input_shape[0], h = m.input_shape[1],
               w = m.input_shape[2], k = m.num_classes;
  std::int64_t inBytes = n * c * h * w * std::int64_t(sizeof(float));
  std::int64_t outBytes = n * k * std::int64_t(sizeof(float));
  auto found = plans_.find(n);
  if (found == plans_.end()) {
    // A batch size larger than any before gets larger buffers; the old
    // ones stay allocated for the graphs of the smaller sizes.
    if (input_.bytes < inBytes)
      input_ = s.allocate(inBytes, fmt::format("the images of a batch of {}", n));
    if (logits_.bytes < outBytes)
      logits_ =
          s.allocate(outBytes, fmt::format("the logits of a batch of {}", n));
    Plan p;
    p.input = input_.address;
    p.logits = logits_.address;
    found = plans_.emplace(n, p).first;
  }
  Plan &p = found->second;
  s.upload(p.input, input, inBytes,
           fmt::format("a batch of {} images to the device", n));
  // Device addresses in MLIR's descriptors, with the guarantees of
  // model_abi.h (offset 0, contiguous, 64-byte aligned: cuMemAlloc gives
  // 256).
  auto *arena = reinterpret_cast<std::int8_t *>(arena_.address);
  auto *x = reinterpret_cast<float *>(p.input);
  auto *y = reinterpret_cast<float *>(p.logits);
  cnnrt_memref1d_i8 a{arena, arena, 0, {m.arena_bytes}, {1}};
  cnnrt_memref4d_f32 in{x, x, 0, {n, c, h, w}, {c * h * w, h * w, w, 1}};
  cnnrt_memref2d_f32 out{y, y, 0, {n, k}, {k, 1}};
  s.run(p.replay, "forward_cuda", "the forward pass", n,
        [&] { m.forward_cuda(&a, &in, &out); });
  s.download(logits, p.logits, outBytes,
             fmt::format("the logits of a batch of {} to the host", n));
  // Where a kernel's own failure (a bad address, say) shows.
  s.synchronize(
      fmt::format("the model's kernels on a batch of {}", n));
}

} // namespace cnnrt::cuda
