//===- CudaSession.cpp - One device's context for a model's GPU code ------===//

#include "cnnrt/CudaSession.h"

#include "cnnrt/Error.h"

#include <algorithm>
#include <limits>

namespace cnnrt::cuda {

Session::Session(const Driver &driver, const cnnrt_model &model, int ordinal)
    : driver_(driver), model_(model) {
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
  } catch (...) {
    release();
    throw;
  }
}

Session::~Session() { release(); }

void Session::release() noexcept {
  // Failures while tearing down change nothing for the caller: ignored.
  if (context_)
    driver_.cuCtxSetCurrent(context_);
  if (stream_)
    driver_.cuStreamSynchronize(stream_);
  for (CUgraphExec g : graphs_)
    driver_.cuGraphExecDestroy(g);
  graphs_.clear();
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

void Session::makeCurrent() {
  driver_.check(driver_.cuCtxSetCurrent(context_),
                fmt::format("cuCtxSetCurrent (device {})", device_.ordinal));
}

Session::Buffer Session::allocate(std::int64_t bytes, const std::string &what) {
  CUdeviceptr address = 0;
  // cuMemAlloc refuses 0 bytes; an empty buffer still gets an address.
  std::size_t size = std::size_t(std::max<std::int64_t>(bytes, 1));
  driver_.check(driver_.cuMemAlloc_v2(&address, size),
                fmt::format("cuMemAlloc_v2 ({}, {}, on device {})", what,
                            byteSize(std::uint64_t(bytes)), device_.ordinal));
  all_.push_back(address);
  return {address, bytes};
}

void Session::upload(CUdeviceptr to, const void *from, std::int64_t bytes,
                     std::string_view what) {
  driver_.check(
      driver_.cuMemcpyHtoDAsync_v2(to, from, std::size_t(bytes), stream_),
      fmt::format("cuMemcpyHtoDAsync_v2 ({})", what));
}

void Session::download(void *to, CUdeviceptr from, std::int64_t bytes,
                       std::string_view what) {
  driver_.check(
      driver_.cuMemcpyDtoHAsync_v2(to, from, std::size_t(bytes), stream_),
      fmt::format("cuMemcpyDtoHAsync_v2 ({})", what));
}

void Session::synchronize(std::string_view what) {
  driver_.check(driver_.cuStreamSynchronize(stream_),
                fmt::format("cuStreamSynchronize ({})", what));
}

void Session::run(Replay &r, const char *entry, const char *what,
                  std::int64_t batch, const std::function<void()> &call) {
  entry_ = entry;
  what_ = what;
  batch_ = batch;
  if (r.calls == 0) {
    callOnce(call);
    r.launches = launches_;
    r.allocs = requests_;
    ++stats_.eagerCalls;
  } else {
    if (!r.graph)
      capture(r, call);
    driver_.check(driver_.cuGraphLaunch(r.graph, stream_),
                  fmt::format("cuGraphLaunch ({}, batch size {})", what, batch));
    ++stats_.graphLaunches;
  }
  ++r.calls;
}

void Session::callOnce(const std::function<void()> &call) {
  requests_ = launches_ = 0;
  failure_.clear();
  {
    GpuCallsScope scope(this);
    call();
  }
  if (!failure_.empty())
    throw Error(failure_);
}

void Session::capture(Replay &r, const std::function<void()> &call) {
  // Relaxed: a temporary that has to grow while capturing is allocated
  // (cuMemAlloc is not stream-ordered and would end a stricter capture).
  driver_.check(driver_.cuStreamBeginCapture_v2(stream_,
                                                CU_STREAM_CAPTURE_MODE_RELAXED),
                fmt::format("cuStreamBeginCapture_v2 ({}, batch size {})",
                            what_, batch_));
  std::string failure;
  try {
    callOnce(call);
  } catch (const Error &e) {
    failure = e.what();
  }
  // The capture ends whatever happened, or the stream stays capturing.
  CUgraph graph = nullptr;
  CUresult result = driver_.cuStreamEndCapture(stream_, &graph);
  if (failure.empty() && result != CUDA_SUCCESS)
    failure = fmt::format("cuStreamEndCapture ({}, batch size {}): {}", what_,
                          batch_, driver_.describe(result));
  if (failure.empty() && (launches_ != r.launches || requests_ != r.allocs))
    failure = fmt::format(
        "internal error: {} of {} made {} launches and {} allocations on its "
        "first call with batch size {}, but {} and {} on its second; a "
        "model's GPU code must make the same calls each time",
        entry_, model_.name, r.launches, r.allocs, batch_, launches_,
        requests_);
  if (failure.empty()) {
    result = driver_.cuGraphInstantiateWithFlags(&r.graph, graph, 0);
    if (result != CUDA_SUCCESS) {
      r.graph = nullptr;
      failure = fmt::format("cuGraphInstantiateWithFlags ({}, batch size "
                            "{}): {}",
                            what_, batch_, driver_.describe(result));
    } else {
      graphs_.push_back(r.graph);
    }
  }
  // The instantiated graph does not need its template.
  if (graph)
    driver_.cuGraphDestroy(graph);
  if (!failure.empty())
    throw Error(failure);
  ++stats_.graphsCaptured;
}

std::int64_t Session::alloc(std::int64_t bytes) noexcept {
  if (!failure_.empty())
    return 0;
  std::size_t index = std::size_t(requests_++);
  try {
    if (bytes < 0) {
      failure_ = fmt::format("internal error: {} of {} asked for a temporary "
                             "of {} bytes",
                             entry_, model_.name, bytes);
      return 0;
    }
    if (index < temporaries_.size() && temporaries_[index].bytes >= bytes)
      return std::int64_t(temporaries_[index].address);
    Buffer b = allocate(bytes, fmt::format("temporary {} of {}, batch size {}",
                                           index, what_, batch_));
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

void Session::launch(std::int64_t kernel, const std::int64_t grid[3],
                     const std::int64_t block[3], std::int64_t sharedBytes,
                     void **params) noexcept {
  if (!failure_.empty())
    return;
  std::int64_t index = launches_++;
  try {
    if (kernel < 0 || std::uint64_t(kernel) >= module_->numKernels()) {
      failure_ = fmt::format("internal error: {} of {} launched kernel {}, "
                             "but the model has {} kernels",
                             entry_, model_.name, kernel,
                             module_->numKernels());
      return;
    }
    const char *name = model_.gpu_kernel_names[kernel];
    auto where = [&] {
      return fmt::format("kernel '{}', launch {} of {}, grid {}x{}x{}, block "
                         "{}x{}x{}, {} bytes of shared memory, batch size {}",
                         printable(name), index, what_, grid[0], grid[1],
                         grid[2], block[0], block[1], block[2], sharedBytes,
                         batch_);
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
