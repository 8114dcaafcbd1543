//===- Gpu.h - What serves a model's forward_cuda calls ----------*- C++ -*-===//
//
// A model compiled with --target=cuda runs its forward_cuda on the host to
// enqueue work: it asks for temporaries with cnnrt_gpu_alloc and starts
// kernels with cnnrt_gpu_launch (model_abi.h). libcnnrt defines those two C
// functions; they forward to the current GpuCalls, which the CUDA wing
// (cnnrt/CudaForward.h) sets around each forward_cuda call. Without one,
// allocations return 0 and launches do nothing.
//
// The C calls cannot fail visibly (the generated code checks nothing), so
// a GpuCalls keeps its first failure and skips the rest of the call: its
// owner reports the failure once forward_cuda has returned.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_GPU_H
#define CNNRT_GPU_H

#include <cstdint>

namespace cnnrt {

class GpuCalls {
public:
  virtual ~GpuCalls() = default;
  /// A device buffer of at least `bytes` for the current call, or 0.
  virtual std::int64_t alloc(std::int64_t bytes) noexcept = 0;
  /// Enqueues `kernel` (an index into the model's gpu_kernel_names).
  virtual void launch(std::int64_t kernel, const std::int64_t grid[3],
                      const std::int64_t block[3], std::int64_t sharedBytes,
                      void **params) noexcept = 0;
};

/// Makes `calls` (or none) the current one for as long as it lives; the
/// previous one is current again afterwards. Not thread-safe: one model
/// call at a time, as with the replica sums.
class GpuCallsScope {
public:
  explicit GpuCallsScope(GpuCalls *calls);
  ~GpuCallsScope();
  GpuCallsScope(const GpuCallsScope &) = delete;
  GpuCallsScope &operator=(const GpuCallsScope &) = delete;

private:
  GpuCalls *previous_;
};

} // namespace cnnrt

#endif // CNNRT_GPU_H
