//===- CudaSession.h - One device's context for a model's GPU code -*- C++ -*-===//
//
// What every entry point of a model's GPU code (model_abi.h: forward_cuda,
// train_step_cuda) needs on one device: the primary context, a stream, the
// model's PTX JIT-loaded once, device allocations kept until the session
// ends, and the service of their cnnrt_gpu_alloc / cnnrt_gpu_launch calls
// (cnnrt/Gpu.h). CudaForward and CudaTrainStep run on a session; they may
// share one (the trainer's evaluation reads the training arena in place).
//
// An entry point's calls with fixed descriptors (a Replay) run eagerly the
// first time (launches go straight to the stream, a failure shows at
// once); the second time the whole call is captured into a CUDA graph, and
// that call and every later one replays it with a single cuGraphLaunch.
//
// Temporaries are cached per request index: the n-th cnnrt_gpu_alloc of a
// call gets the n-th buffer when big enough, else a bigger one, and the
// older buffer stays allocated (a graph may use it) until the session
// ends. Calls of different entry points share them: everything runs in
// order on the one stream, and a temporary lives for one call only.
//
// The C calls cannot fail visibly, so the session keeps the first failure
// of a call (sticky), skips what follows, and throws it when the entry
// point returns.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_CUDASESSION_H
#define CNNRT_CUDASESSION_H

#include "cnnrt/CudaDriver.h"
#include "cnnrt/CudaModule.h"
#include "cnnrt/Gpu.h"
#include "cnnrt/model_abi.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cnnrt::cuda {

class Session : private GpuCalls {
public:
  /// Device `ordinal` of `driver`: its primary context, a stream, the
  /// model's PTX loaded. The model must have GPU code (checkGpuCode) for
  /// an arch the device runs. Throws Error.
  Session(const Driver &driver, const cnnrt_model &model, int ordinal = 0);
  ~Session() override;
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  const Driver &driver() const { return driver_; }
  const cnnrt_model &model() const { return model_; }
  const DeviceInfo &device() const { return device_; }
  /// The stream every copy and launch of the session goes to.
  CUstream stream() const { return stream_; }

  struct Buffer {
    CUdeviceptr address = 0;
    std::int64_t bytes = 0;
  };
  /// A device allocation of `bytes` (`what` names it in errors), kept
  /// until the session ends.
  Buffer allocate(std::int64_t bytes, const std::string &what);

  // Copies on the stream, in order with the launches; `what` says what is
  // copied ("the model's weights to the device"). Throw Error.
  void upload(CUdeviceptr to, const void *from, std::int64_t bytes,
              std::string_view what);
  void download(void *to, CUdeviceptr from, std::int64_t bytes,
                std::string_view what);
  /// Waits for the stream: where a kernel's own failure shows.
  void synchronize(std::string_view what);
  void makeCurrent();

  /// The calls of one entry point with one set of descriptors.
  struct Replay {
    std::int64_t calls = 0;
    std::int64_t launches = 0, allocs = 0; ///< of the eager call
    CUgraphExec graph = nullptr;           ///< freed by the session
  };
  /// Runs `call` (which calls the entry point `entry`, e.g. "forward_cuda",
  /// doing `what`, e.g. "the forward pass", on a batch of `batch`) eagerly
  /// the first time for `r`, captured the second, then by replaying its
  /// graph. Throws Error on the first failure of the call's allocations or
  /// launches, of the capture or of the replay.
  void run(Replay &r, const char *entry, const char *what, std::int64_t batch,
           const std::function<void()> &call);

  /// What ran so far: calls that ran eagerly, graphs captured, graph
  /// replays (a call that captures also replays).
  struct Stats {
    std::int64_t eagerCalls = 0, graphsCaptured = 0, graphLaunches = 0;
  };
  const Stats &stats() const { return stats_; }

private:
  std::int64_t alloc(std::int64_t bytes) noexcept override;
  void launch(std::int64_t kernel, const std::int64_t grid[3],
              const std::int64_t block[3], std::int64_t sharedBytes,
              void **params) noexcept override;
  /// One call of the entry point, reporting its first failure.
  void callOnce(const std::function<void()> &call);
  void capture(Replay &r, const std::function<void()> &call);
  /// Frees what was acquired (the destructor; a constructor that failed).
  void release() noexcept;

  const Driver &driver_;
  const cnnrt_model &model_;
  DeviceInfo device_;
  CUcontext context_ = nullptr;
  CUdevice handle_ = 0;
  CUstream stream_ = nullptr;
  std::unique_ptr<Module> module_;
  std::vector<Buffer> temporaries_; ///< by request index
  std::vector<CUdeviceptr> all_;    ///< every allocation, freed at the end
  std::vector<CUgraphExec> graphs_; ///< every instantiated graph
  Stats stats_;

  // The call in progress: its entry point, what it does, its batch size,
  // its counts and its first failure ("" while none).
  const char *entry_ = "", *what_ = "";
  std::int64_t batch_ = 0, requests_ = 0, launches_ = 0;
  std::string failure_;
};

} // namespace cnnrt::cuda

#endif // CNNRT_CUDASESSION_H
