//===- TrainCheckpoint.h - Checkpoints training resumes from ----*- C++ -*-===//
//
// A training checkpoint is a model checkpoint (every parameter and buffer
// under its state_dict names, aliases included, so `eval --load` and
// PyTorch's load_state_dict accept it) plus the optimizer's state and where
// training stands:
//
//   optimizer.momentum_buffer.<name>   F32, the parameter's shape; one per
//                                      parameter, present once a step has run
//   __metadata__                       format=pt, model, epoch (completed),
//                                      step (steps run), first_step (1 until
//                                      a step has run), seed, epochs,
//                                      batch_size, lr, momentum, dampening,
//                                      weight_decay, nesterov, penalty, data,
//                                      classes, limit, normalize, loss
//
// PyTorch keys an optimizer's state by parameter index, not by name; the
// names here are the runtime's choice. Model loaders skip "optimizer.*"
// (Model::load). Written atomically.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_TRAINCHECKPOINT_H
#define CNNRT_MAIN_TRAINCHECKPOINT_H

#include "Model.h"

#include "cnnrt/Safetensors.h"

#include <cstdint>
#include <string>
#include <utility>

namespace cnnrt::cli {

/// Where training stands.
struct TrainProgressState {
  std::int64_t epoch = 0; ///< completed epochs
  std::int64_t step = 0;  ///< steps run: the next step's counter
  bool firstStep = true;  ///< no step has run: no momentum buffers yet
};

/// The name of a parameter's momentum buffer in a checkpoint.
std::string momentumName(const std::string &param);

/// Writes the model's tensors, the momentum buffers (unless firstStep) and
/// `metadata` plus the state's keys (epoch, step, first_step).
void saveTrainCheckpoint(const Model &model, const std::string &path,
                         const TrainProgressState &state, Metadata metadata);

/// Where training stands, from a checkpoint's metadata (epoch, step,
/// first_step), checked. Throws Error naming `path` and the key.
TrainProgressState readProgress(const Metadata &metadata,
                                const std::string &path);

struct ResumePoint {
  TrainProgressState state;
  Metadata metadata; ///< the run's flags, to continue with the same ones
};

/// Loads a training checkpoint into the model: its tensors strictly, the
/// momentum buffers (required unless first_step is 1; no other optimizer
/// tensors allowed). Everything is checked before the arena changes.
ResumePoint loadTrainCheckpoint(Model &model, const std::string &path);

/// The --save side of a run: a checkpoint after every epoch, and what is
/// left on disk when the run stops early.
class CheckpointSaver {
public:
  /// `path` "" for a run without --save; `metadata` the run's settings.
  CheckpointSaver(std::string path, Metadata metadata)
      : path_(std::move(path)), metadata_(std::move(metadata)) {}

  bool enabled() const { return !path_.empty(); }
  /// The epoch this run saved last, -1 before its first save.
  std::int64_t savedEpoch() const { return savedEpoch_; }

  /// Saves the state after an epoch whose mean loss was `loss`.
  void save(const Model &model, const TrainProgressState &state, double loss);
  /// For the message of a run that stops: "the last checkpoint, CKPT
  /// (after epoch 2), is kept", "CKPT is left as it was", ...
  std::string keptText() const;

private:
  std::string path_;
  Metadata metadata_;
  std::int64_t savedEpoch_ = -1;
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_TRAINCHECKPOINT_H
