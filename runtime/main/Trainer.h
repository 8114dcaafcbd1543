//===- Trainer.h - `train`'s loop: epochs of compiled steps ------*- C++ -*-===//
//
// The lecture's training loop: for each epoch a fresh shuffle, batches of
// --batch-size (the last one partial, kept), one compiled train_step per
// batch (forward, cross-entropy + penalty, backward, fused SGD update), the
// mean loss per epoch; then accuracy on the training and validation splits
// with the eval-mode forward.
//
// Reproducibility, which --resume relies on: epoch k's order depends only on
// (seed, k) (epochPermutation), a step's dropout masks only on (seed, global
// step), and everything else is the arena's state, which the checkpoint
// holds whole. So 1 epoch + resume for 1 gives the bits of 2 epochs.
//
// The plan (TrainPlan) is settled before the Trainer starts; what it prints
// and logs is TrainReport's, what it saves CheckpointSaver's.
//
// With --device cuda the steps run on the GPU (CudaTraining.h): the
// training split is copied to the device once, each step gets its indices
// of the same permutation, and the evaluations run there too.
//
// A replica of a data-parallel run (Replicas.h) trains on its shard of each
// global batch: samples [n·r/R, n·(r+1)/R) of the batch's n, for rank r of
// R; the compiled step sums the rest. Every replica sees the same losses
// and weights, so every decision (stop, diverged) is the same everywhere;
// a stop signal on any rank stops all after the same step. Evaluation is
// shared out by batches and summed; only rank 0 saves and logs. After every
// epoch the replicas check that their weights are bit-identical. With
// --shards the batch is split the same way for any rank count
// (FixedShards.h).
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_TRAINER_H
#define CNNRT_MAIN_TRAINER_H

#include "CudaTraining.h"
#include "FixedShards.h"
#include "Metrics.h"
#include "Model.h"
#include "Replicas.h"
#include "StepBuffers.h"
#include "StopSignals.h"
#include "TrainCheckpoint.h"
#include "TrainPlan.h"
#include "TrainReport.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cnnrt::cli {

class Trainer {
public:
  /// `model` holds the plan's weights (planTraining put them there). Opens
  /// the --log file; throws Error.
  Trainer(Model &model, const TrainPlan &plan, const Replicas &replicas);

  /// Trains the epochs left, then reports the accuracies; returns the exit
  /// status (non-zero after SIGINT or SIGTERM, see StopSignals). Throws
  /// Error when training diverges or a file cannot be written.
  int run();

private:
  /// What of --save is left, for a stop's message (rank 0 saves).
  std::string keptText() const;
  /// Returns the batches it ran: fewer than an epoch's when a stop signal
  /// cut it short (then nothing of it is saved).
  std::int64_t trainEpoch(std::int64_t epoch, StepBuffers &buffers,
                          const StopSignals &signals);
  /// One step of --shards: this process's shards of the batch of `n`
  /// samples `batch` (indices into the training split).
  StepLoss shardedStep(const std::int64_t *batch, std::int64_t n);
  /// After an epoch's steps: checks the weights, evaluates (if the log
  /// wants it), reports, saves, logs.
  void endEpoch(std::int64_t epoch, double loss, std::int64_t images,
                double seconds);
  /// Reports the stop; returns the exit status.
  int stop(int signal, const std::string &where);
  /// Both splits with the eval-mode forward, into the metrics below.
  void evaluateSplits();
  /// The stop signal this replica or any other received after the step
  /// (the same answer on every replica), else 0.
  int stopSignal(const StopSignals &signals) const;
  /// Throws Error (on every replica alike) unless all replicas hold the
  /// same bits after `epoch`.
  void checkReplicasAgree(std::int64_t epoch) const;

  Model &model_;
  const TrainPlan &plan_;
  const Replicas &replicas_;
  TrainProgressState state_;
  std::vector<std::int64_t> labels_; ///< a batch's, before train_step's I32
  std::vector<std::int64_t> shard_;  ///< this replica's samples of a batch
  std::vector<float> shardMasks_;    ///< their dropout masks, for a GPU
  CheckpointSaver checkpoints_;
  TrainReport report_;
  ClassificationMetrics trainMetrics_, valMetrics_;
  bool evaluated_ = false; ///< the metrics hold the current weights'
  /// The steps and evaluation on the GPU (plan.gpu), which then holds the
  /// training state: the host arena is brought up to date after every
  /// epoch, before the weights check and the checkpoint read it.
  std::unique_ptr<CudaTraining> gpu_;
  /// The steps of --shards, which then hold this process's copies.
  std::unique_ptr<FixedShards> shards_;
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_TRAINER_H
