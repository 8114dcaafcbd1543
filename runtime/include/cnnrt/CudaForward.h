//===- CudaForward.h - A model's eval-mode forward on a GPU ------*- C++ -*-===//
//
// Runs a model's forward_cuda (model_abi.h, --target=cuda) on one device:
// its PTX JIT-loaded once, one device arena with the CPU arena's layout
// (weights are copied from the host arena, so checkpoints are the same
// files), device buffers for a batch's images and logits, and the
// temporaries forward_cuda asks for.
//
// Per batch size, the first call runs forward_cuda eagerly (its launches go
// straight to the stream, and a failure is reported at once); the second
// captures the whole call into a CUDA graph, and that call and every later
// one of that size replays the graph with a single cuGraphLaunch. A data
// set's partial last batch gets a graph of its own only if it comes twice.
//
// Temporaries are cached per request index: the n-th cnnrt_gpu_alloc of a
// call gets the n-th buffer when big enough, else a bigger one, and the
// older buffer stays allocated (a graph may use it) until this object goes.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_CUDAFORWARD_H
#define CNNRT_CUDAFORWARD_H

#include "cnnrt/CudaDriver.h"
#include "cnnrt/CudaModule.h"
#include "cnnrt/Gpu.h"
#include "cnnrt/model_abi.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cnnrt::cuda {

/// Why `model` cannot run on device `ordinal` here ("FakeMnist was compiled
/// without GPU code (cnnc --target=cuda adds it)", "no CUDA driver
/// (libcuda.so.1 not found)", "no CUDA GPU (...)", "the model's GPU code is
/// for sm_90, but device 0 (...) is sm_80"), or "" when it can.
std::string unavailable(const cnnrt_model &model, int ordinal = 0);

class CudaForward : private GpuCalls {
public:
  /// Device `ordinal` of `driver`: its primary context, a stream, the
  /// model's PTX loaded, the arena allocated. The model must have
  /// forward_cuda (checkGpuCode). Throws Error.
  CudaForward(const Driver &driver, const cnnrt_model &model, int ordinal = 0);
  ~CudaForward() override;
  CudaForward(const CudaForward &) = delete;
  CudaForward &operator=(const CudaForward &) = delete;

  const DeviceInfo &device() const { return device_; }

  /// Copies the model's tensors (the first arena_bytes of a host arena laid
  /// out as cnnrt::Layout lays it out) to the device arena. Call after the
  /// weights change, before forward.
  void uploadArena(const void *hostArena);

  /// Eval-mode forward of n samples: `input` [n, C, H, W] and `logits`
  /// [n, K] in host memory. Throws Error on any failure of the driver or
  /// of forward_cuda's calls.
  void forward(const float *input, std::int64_t n, float *logits);

  /// What ran so far: calls that ran forward_cuda eagerly, graphs
  /// captured, graph replays (a call that captures also replays).
  struct Stats {
    std::int64_t eagerCalls = 0, graphsCaptured = 0, graphLaunches = 0;
  };
  const Stats &stats() const { return stats_; }

private:
  struct Buffer {
    CUdeviceptr address = 0;
    std::int64_t bytes = 0;
  };
  /// One batch size: its buffers and, from its second call, its graph.
  struct Plan {
    std::int64_t calls = 0;
    CUdeviceptr input = 0, logits = 0;
    std::int64_t launches = 0, allocs = 0; ///< of the eager call
    CUgraphExec graph = nullptr;
  };

  std::int64_t alloc(std::int64_t bytes) noexcept override;
  void launch(std::int64_t kernel, const std::int64_t grid[3],
              const std::int64_t block[3], std::int64_t sharedBytes,
              void **params) noexcept override;

  /// A device allocation, kept until destruction.
  Buffer allocate(std::int64_t bytes, const std::string &what);
  /// Calls forward_cuda for plan `p` of batch size n and reports the first
  /// failure of its calls.
  void callForwardCuda(Plan &p, std::int64_t n);
  void capture(Plan &p, std::int64_t n);
  void makeCurrent();
  /// Frees what was acquired (the destructor; a constructor that failed).
  void release() noexcept;

  const Driver &driver_;
  const cnnrt_model &model_;
  DeviceInfo device_;
  CUcontext context_ = nullptr;
  CUdevice handle_ = 0;
  CUstream stream_ = nullptr;
  std::unique_ptr<Module> module_;
  Buffer arena_, input_, logits_;
  std::vector<Buffer> temporaries_; ///< by request index
  std::vector<CUdeviceptr> all_;    ///< every allocation, freed at the end
  std::map<std::int64_t, Plan> plans_;
  Stats stats_;

  // The state of the forward_cuda call in progress.
  std::int64_t batch_ = 0, requests_ = 0, launches_ = 0;
  std::string failure_; ///< the first failure, "" while none
};

} // namespace cnnrt::cuda

#endif // CNNRT_CUDAFORWARD_H
