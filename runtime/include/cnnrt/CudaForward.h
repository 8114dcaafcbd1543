//===- CudaForward.h - A model's eval-mode forward on a GPU ------*- C++ -*-===//
//
// Runs a model's forward_cuda (model_abi.h, --target=cuda) on one device,
// in a cuda::Session (cnnrt/CudaSession.h: the PTX, the temporaries, the
// graphs): one device arena with the CPU arena's layout (weights are copied
// from the host arena, so checkpoints are the same files), or a training
// arena shared with a CudaTrainStep; device buffers for a batch's images
// and logits.
//
// Per batch size, the first call runs forward_cuda eagerly; the second
// captures it into a CUDA graph, replayed from then on (Session::run). A
// data set's partial last batch gets a graph of its own only if it comes
// twice.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_CUDAFORWARD_H
#define CNNRT_CUDAFORWARD_H

#include "cnnrt/CudaDriver.h"
#include "cnnrt/CudaModule.h"
#include "cnnrt/CudaSession.h"
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

class CudaForward {
public:
  /// Device `ordinal` of `driver`, in a session of its own (the model's PTX
  /// loaded), the arena allocated. The model must have forward_cuda.
  /// Throws Error.
  CudaForward(const Driver &driver, const cnnrt_model &model, int ordinal = 0);
  /// On `session`, reading the model's tensors from the device arena at
  /// `arena` (laid out as the host's: a training arena starts with them),
  /// which the caller keeps current; uploadArena is then not for it.
  CudaForward(Session &session, CUdeviceptr arena);
  CudaForward(const CudaForward &) = delete;
  CudaForward &operator=(const CudaForward &) = delete;

  const DeviceInfo &device() const { return session_->device(); }

  /// Copies the model's tensors (the first arena_bytes of a host arena laid
  /// out as cnnrt::Layout lays it out) to the device arena. Call after the
  /// weights change, before forward.
  void uploadArena(const void *hostArena);

  /// Eval-mode forward of n samples: `input` [n, C, H, W] and `logits`
  /// [n, K] in host memory. Throws Error on any failure of the driver or
  /// of forward_cuda's calls.
  void forward(const float *input, std::int64_t n, float *logits);

  using Stats = Session::Stats;
  /// The session's (shared with a CudaTrainStep on the same one).
  const Stats &stats() const { return session_->stats(); }

private:
  /// One batch size: its buffers and its replays.
  struct Plan {
    CUdeviceptr input = 0, logits = 0;
    Session::Replay replay;
  };

  std::unique_ptr<Session> own_; ///< unless given one
  Session *session_;
  Session::Buffer arena_, input_, logits_;
  std::map<std::int64_t, Plan> plans_;
};

} // namespace cnnrt::cuda

#endif // CNNRT_CUDAFORWARD_H
