//===- CudaForward.cpp - A model's eval-mode forward on a GPU -------------===//

#include "cnnrt/CudaForward.h"

#include "cnnrt/Error.h"

#include <limits>

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
                         int ordinal)
    : driver_(driver), model_(model) {
  if (!model.forward_cuda)
    fail("internal error: {} has no GPU code", model.name);
  checkGpuCode(model);
  try {
    device_ = driver.device(ordinal);
    std::string mismatch = archMismatch(model, device_);
    if (!mismatch.empty())
      throw Error(mismatch);
    driver.check(driver.cuDeviceGet(&handle_, ordinal),
                 fmt::format("cuDeviceGet (device {})", ordinal));
    // The primary context: the one the CUDA runtime and libraries share.
    driver.check(driver.cuDevicePrimaryCtxRetain(&context_, handle_),
                 fmt::format("cuDevicePrimaryCtxRetain (device {})", ordinal));
    makeCurrent();
    driver.check(driver.cuStreamCreate(&stream_, CU_STREAM_NON_BLOCKING),
                 "cuStreamCreate");
    module_ = std::make_unique<Module>(driver, model);
    arena_ = allocate(model.arena_bytes, "the model's arena");
  } catch (...) {
    release();
    throw;
  }
}

CudaForward::~CudaForward() { release(); }

void CudaForward::release() noexcept {
  // Failures while tearing down change nothing for the caller: ignored.
  if (context_)
    driver_.cuCtxSetCurrent(context_);
  if (stream_)
    driver_.cuStreamSynchronize(stream_);
  for (auto &[n, plan] : plans_)
    if (plan.graph)
      driver_.cuGraphExecDestroy(plan.graph);
  plans_.clear();
  module_.reset();
  for (CUdeviceptr p : all_)
    driver_.cuMemFree_v2(p);
  all_.clear();
  if (stream_)
    driver_.cuStreamDestroy_v2(stream_);
  stream_ = nullptr;
  if (context_)
    driver_.cuDevicePrimaryCtxRelease_v2(handle_);
  context_ = nullptr;
}

void CudaForward::makeCurrent() {
  driver_.check(driver_.cuCtxSetCurrent(context_),
                fmt::format("cuCtxSetCurrent (device {})", device_.ordinal));
}

CudaForward::Buffer CudaForward::allocate(std::int64_t bytes,
                                          const std::string &what) {
  CUdeviceptr address = 0;
  // cuMemAlloc refuses 0 bytes; a model without tensors still gets an
  // address.
  std::size_t size = std::size_t(std::max<std::int64_t>(bytes, 1));
  driver_.check(driver_.cuMemAlloc_v2(&address, size),
                fmt::format("cuMemAlloc_v2 ({}, {}, on device {})", what,
                            byteSize(std::uint64_t(bytes)), device_.ordinal));
  all_.push_back(address);
  return {address, bytes};
}

void CudaForward::uploadArena(const void *hostArena) {
  makeCurrent();
  driver_.check(driver_.cuMemcpyHtoDAsync_v2(arena_.address, hostArena,
                                             std::size_t(model_.arena_bytes),
                                             stream_),
                "cuMemcpyHtoDAsync_v2 (the model's weights to the device)");
  // The host arena may change as soon as this returns.
  driver_.check(driver_.cuStreamSynchronize(stream_),
                "cuStreamSynchronize (the model's weights to the device)");
}

void CudaForward::forward(const float *input, std::int64_t n, float *logits) {
  if (n <= 0)
    return;
  makeCurrent();
  const cnnrt_model &m = model_;
  std::int64_t sample = m.input_shape[0] * m.input_shape[1] * m.input_shape[2];
  std::int64_t inBytes = n * sample * std::int64_t(sizeof(float));
  std::int64_t outBytes = n * m.num_classes * std::int64_t(sizeof(float));
  auto found = plans_.find(n);
  if (found == plans_.end()) {
    // A batch size larger than any before gets larger buffers; the old
    // ones stay allocated for the graphs of the smaller sizes.
    if (input_.bytes < inBytes)
      input_ = allocate(inBytes, fmt::format("the images of a batch of {}", n));
    if (logits_.bytes < outBytes)
      logits_ =
          allocate(outBytes, fmt::format("the logits of a batch of {}", n));
    Plan p;
    p.input = input_.address;
    p.logits = logits_.address;
    found = plans_.emplace(n, p).first;
  }
  Plan &p = found->second;
  driver_.check(driver_.cuMemcpyHtoDAsync_v2(p.input, input,
                                             std::size_t(inBytes), stream_),
                fmt::format("cuMemcpyHtoDAsync_v2 (a batch of {} images to "
                            "the device)",
                            n));
  if (p.calls == 0) {
    callForwardCuda(p, n);
    p.launches = launches_;
    p.allocs = requests_;
    ++stats_.eagerCalls;
  } else {
    if (!p.graph)
      capture(p, n);
    driver_.check(driver_.cuGraphLaunch(p.graph, stream_),
                  fmt::format("cuGraphLaunch (the forward pass, batch size {})",
                              n));
    ++stats_.graphLaunches;
  }
  ++p.calls;
  driver_.check(driver_.cuMemcpyDtoHAsync_v2(logits, p.logits,
                                             std::size_t(outBytes), stream_),
                fmt::format("cuMemcpyDtoHAsync_v2 (the logits of a batch of "
                            "{} to the host)",
                            n));
  // Where a kernel's own failure (a bad address, say) shows.
  driver_.check(driver_.cuStreamSynchronize(stream_),
                fmt::format("cuStreamSynchronize (the model's kernels on a "
                            "batch of {})",
                            n));
}

void CudaForward::callForwardCuda(Plan &p, std::int64_t n) {
  const cnnrt_model &m = model_;
  std::int64_t c = m.input_shape[0], h = m.input_shape[1],
               w = m.input_shape[2], k = m.num_classes;
  // Device addresses in MLIR's descriptors, with the guarantees of
  // model_abi.h (offset 0, contiguous, 64-byte aligned: cuMemAlloc gives
  // 256).
  auto *arena = reinterpret_cast<std::int8_t *>(arena_.address);
  auto *x = reinterpret_cast<float *>(p.input);
  auto *y = reinterpret_cast<float *>(p.logits);
  cnnrt_memref1d_i8 a{arena, arena, 0, {m.arena_bytes}, {1}};
  cnnrt_memref4d_f32 in{x, x, 0, {n, c, h, w}, {c * h * w, h * w, w, 1}};
  cnnrt_memref2d_f32 out{y, y, 0, {n, k}, {k, 1}};
  batch_ = n;
  requests_ = launches_ = 0;
  failure_.clear();
  {
    GpuCallsScope scope(this);
    m.forward_cuda(&a, &in, &out);
  }
  if (!failure_.empty())
    throw Error(failure_);
}

void CudaForward::capture(Plan &p, std::int64_t n) {
  // Relaxed: a temporary that has to grow while capturing is allocated
  // (cuMemAlloc is not stream-ordered and would end a stricter capture).
  driver_.check(driver_.cuStreamBeginCapture_v2(stream_,
                                                CU_STREAM_CAPTURE_MODE_RELAXED),
                fmt::format("cuStreamBeginCapture_v2 (the forward pass, batch "
                            "size {})",
                            n));
  std::string failure;
  try {
    callForwardCuda(p, n);
  } catch (const Error &e) {
    failure = e.what();
  }
  // The capture ends whatever happened, or the stream stays capturing.
  CUgraph graph = nullptr;
  CUresult r = driver_.cuStreamEndCapture(stream_, &graph);
  if (failure.empty() && r != CUDA_SUCCESS)
    failure = fmt::format("cuStreamEndCapture (the forward pass, batch size "
                          "{}): {}",
                          n, driver_.describe(r));
  if (failure.empty() && (launches_ != p.launches || requests_ != p.allocs))
    failure = fmt::format(
        "internal error: forward_cuda of {} made {} launches and {} "
        "allocations on its first call with batch size {}, but {} and {} on "
        "its second; a model's GPU code must make the same calls each time",
        model_.name, p.launches, p.allocs, n, launches_, requests_);
  if (failure.empty()) {
    r = driver_.cuGraphInstantiateWithFlags(&p.graph, graph, 0);
    if (r != CUDA_SUCCESS) {
      p.graph = nullptr;
      failure = fmt::format("cuGraphInstantiateWithFlags (the forward pass, "
                            "batch size {}): {}",
                            n, driver_.describe(r));
    }
  }
  // The instantiated graph does not need its template.
  if (graph)
    driver_.cuGraphDestroy(graph);
  if (!failure.empty())
    throw Error(failure);
  ++stats_.graphsCaptured;
}

std::int64_t CudaForward::alloc(std::int64_t bytes) noexcept {
  if (!failure_.empty())
    return 0;
  std::size_t index = std::size_t(requests_++);
  if (bytes < 0) {
    failure_ = fmt::format("internal error: forward_cuda of {} asked for a "
                           "temporary of {} bytes",
                           model_.name, bytes);
    return 0;
  }
  if (index < temporaries_.size() && temporaries_[index].bytes >= bytes)
    return std::int64_t(temporaries_[index].address);
  try {
    Buffer b = allocate(bytes, fmt::format("temporary {} of the forward pass, "
                                           "batch size {}",
                                           index, batch_));
    if (index < temporaries_.size())
      temporaries_[index] = b;
    else
      temporaries_.push_back(b);
    return std::int64_t(b.address);
  } catch (const std::exception &e) {
    failure_ = e.what();
    return 0;
  }
}

void CudaForward::launch(std::int64_t kernel, const std::int64_t grid[3],
                         const std::int64_t block[3], std::int64_t sharedBytes,
                         void **params) noexcept {
  if (!failure_.empty())
    return;
  std::int64_t index = launches_++;
  try {
    if (kernel < 0 || std::uint64_t(kernel) >= module_->numKernels()) {
      failure_ = fmt::format("internal error: forward_cuda of {} launched "
                             "kernel {}, but the model has {} kernels",
                             model_.name, kernel, module_->numKernels());
      return;
    }
    const char *name = model_.gpu_kernel_names[kernel];
    auto where = [&] {
      return fmt::format("kernel '{}', launch {} of the forward pass, grid "
                         "{}x{}x{}, block {}x{}x{}, {} bytes of shared memory, "
                         "batch size {}",
                         printable(name), index, grid[0], grid[1], grid[2],
                         block[0], block[1], block[2], sharedBytes, batch_);
    };
    constexpr std::int64_t kMax = std::numeric_limits<unsigned>::max();
    for (int d = 0; d < 3; ++d)
      if (grid[d] < 1 || grid[d] > kMax || block[d] < 1 || block[d] > kMax) {
        failure_ = fmt::format("internal error: bad launch dimensions ({})",
                               where());
        return;
      }
    if (sharedBytes < 0 || sharedBytes > kMax) {
      failure_ = fmt::format("internal error: bad shared memory size ({})",
                             where());
      return;
    }
    CUresult r = driver_.cuLaunchKernel(
        module_->kernel(std::size_t(kernel)), unsigned(grid[0]),
        unsigned(grid[1]), unsigned(grid[2]), unsigned(block[0]),
        unsigned(block[1]), unsigned(block[2]), unsigned(sharedBytes), stream_,
        params, nullptr);
    if (r != CUDA_SUCCESS)
      failure_ = fmt::format("cuLaunchKernel ({}): {}", where(),
                             driver_.describe(r));
  } catch (const std::exception &e) { // formatting ran out of memory
    failure_ = e.what();
  }
}

} // namespace cnnrt::cuda
