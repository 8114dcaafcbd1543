//===- CudaTrainStep.h - A model's training step on a GPU --------*- C++ -*-===//
//
// Runs a model's train_step_cuda (model_abi.h, ABI 8) on one device, in a
// cuda::Session of its own:
//
// - one device arena of train_arena_bytes, the host arena's layout: copied
//   from the host before training and back when the host needs it
//   (checkpoints, the weights check), so checkpoints, momentum buffers and
//   metadata stay the CPU's files and code;
// - the data set, uploaded once (images f32 normalised, labels i32);
// - fixed buffers for a step's indices, logits, masks, loss and scalars.
//
// A step writes only its N indices and the scalars (cnnrt_train_scalars)
// to the device, then runs train_step_cuda: per batch size eagerly the
// first time, captured into a CUDA graph the second, replayed after that
// (Session::run). Nothing comes back unless asked for: the loss, the
// logits, the masks, the arena.
//
// forward() is the eval-mode forward_cuda on the same session and arena:
// the trainer's evaluation needs no copy of the weights.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_CUDATRAINSTEP_H
#define CNNRT_CUDATRAINSTEP_H

#include "cnnrt/CudaForward.h"
#include "cnnrt/CudaSession.h"
#include "cnnrt/model_abi.h"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cnnrt::cuda {

/// Why `model`'s training step cannot run on device `ordinal` here, as
/// unavailable() (cnnrt/CudaForward.h) says it for the forward ("FakeMnist
/// was compiled without GPU training code ..."), or "" when it can.
std::string trainingUnavailable(const cnnrt_model &model, int ordinal = 0);

class CudaTrainStep {
public:
  /// Device `ordinal` of `driver`: a session, the arena allocated. The
  /// model must have train_step_cuda and forward_cuda. Throws Error.
  CudaTrainStep(const Driver &driver, const cnnrt_model &model,
                int ordinal = 0);
  CudaTrainStep(const CudaTrainStep &) = delete;
  CudaTrainStep &operator=(const CudaTrainStep &) = delete;

  const DeviceInfo &device() const { return session_.device(); }
  /// The stream the steps run on: where a step's collective calls go.
  CUstream stream() const { return session_.stream(); }

  /// The whole training arena (train_arena_bytes) to and from the host.
  /// Both wait for the copy.
  void uploadArena(const void *hostArena);
  void downloadArena(void *hostArena);

  /// The data set the steps draw from: `count` samples (images [count, C,
  /// H, W], labels in [0, K)). Once: the graphs hold its address.
  void uploadData(const float *images, const std::int32_t *labels,
                  std::int64_t count);

  /// Enqueues one step on the samples `indices` [n] (each in [0, count))
  /// of the data set. `givenMasks` (n · mask_elems_per_sample floats, or
  /// null to generate them) are used instead of generated ones when
  /// scalars.masks_given is nonzero. Throws Error.
  void step(const std::int32_t *indices, std::int64_t n,
            const cnnrt_train_scalars &scalars,
            const float *givenMasks = nullptr);

  /// The last step's {mean cross-entropy, penalty}; waits for it.
  std::array<float, 2> loss();
  /// The last step's logits [n, K] and masks (n · mask_elems_per_sample
  /// floats); n is that step's. Wait for them.
  void downloadLogits(float *logits);
  void downloadMasks(float *masks);

  /// The eval-mode forward on the training arena's current weights.
  CudaForward &forward() { return forward_; }

  using Stats = Session::Stats;
  /// The session's: the steps' and forward()'s calls together.
  const Stats &stats() const { return session_.stats(); }

private:
  /// One batch size: its buffers and its replays.
  struct Plan {
    CUdeviceptr batch = 0, logits = 0, masks = 0;
    Session::Replay replay;
  };

  Session session_;
  Session::Buffer arena_, images_, labels_, loss_, scalars_;
  Session::Buffer batch_, logits_, masks_;
  std::int64_t count_ = -1; ///< samples in the data set; -1 before upload
  std::map<std::int64_t, Plan> plans_;
  std::int64_t lastN_ = 0;
  const Plan *last_ = nullptr;
  std::vector<std::int32_t> indices_; ///< the step's, as copied
  cnnrt_train_scalars hostScalars_{}; ///< the step's, as copied
  CudaForward forward_;
};

} // namespace cnnrt::cuda

#endif // CNNRT_CUDATRAINSTEP_H
