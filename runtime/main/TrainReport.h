//===- TrainReport.h - What `train` prints and logs --------------*- C++ -*-===//
//
// All a person or a script sees of a run: the plan before the first step;
// during an epoch the progress bar (or nothing) and the --print-every lines;
// each epoch's summary line and --log record; the final accuracies, time
// and checkpoint; and, when training stops early, why and what is kept.
// Messages that end the run clear the bar first, so they start a line.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_TRAINREPORT_H
#define CNNRT_MAIN_TRAINREPORT_H

#include "Metrics.h"
#include "Model.h"
#include "Progress.h"
#include "TrainLog.h"
#include "TrainPlan.h"

#include <cstdint>
#include <string>

namespace cnnrt::cli {

class TrainReport {
public:
  /// Opens the --log file (appending when resuming), on the `leader` of a
  /// data-parallel run only. Throws Error.
  TrainReport(const TrainPlan &plan, bool leader);

  /// The plan: model, weights, data, optimizer, schedule.
  void describe(const Model &model) const;
  /// A resumed run that already has all its epochs.
  void nothingToTrain() const;

  /// Epochs and batches are 1-based here, as printed.
  void startEpoch(std::int64_t epoch);
  /// After a step: its loss, the epoch's mean loss, images and seconds so
  /// far, and the steps run in all.
  void stepDone(std::int64_t epoch, std::int64_t batch, double loss,
                double meanLoss, std::int64_t images, double seconds,
                std::int64_t stepsRun);
  /// The log records both accuracies and the validation loss every epoch,
  /// which costs an evaluation of both splits; without a log they are
  /// computed once, at the end.
  bool wantsEpochAccuracy() const { return !plan_.flags.log.empty(); }
  /// The epoch's summary line (with the accuracies and the validation loss
  /// if `withAccuracy`).
  void epochDone(const EpochRecord &record, std::int64_t images,
                 bool withAccuracy);
  /// The epoch's log record; written after its checkpoint, so that the log
  /// never lists an epoch the checkpoint lacks.
  void logEpoch(const EpochRecord &record) { log_.write(record); }

  /// The final accuracies, training time and the last checkpoint.
  void finish(const ClassificationMetrics &train,
              const ClassificationMetrics &val, std::int64_t savedEpoch,
              std::int64_t stepsRun);

  /// A step on the GPU failed (`why`, the driver's words): throws Error
  /// saying where and what `kept`.
  [[noreturn]] void stepFailed(const std::string &why, std::int64_t epoch,
                               std::int64_t batch, const std::string &kept);
  /// Training diverged: throws Error saying where and what `kept`.
  [[noreturn]] void lossNotFinite(const StepLoss &loss, std::int64_t epoch,
                                  std::int64_t batch, std::int64_t step,
                                  const std::string &kept);
  [[noreturn]] void weightsNotFinite(const std::string &tensor,
                                     std::int64_t epoch, std::int64_t step,
                                     const std::string &kept);

  /// A stop signal ended the run `where` ("after epoch 2"): one line on
  /// stderr with what is `kept` and the command that resumes (none when
  /// `resume` is ""). Returns the exit status, 128 + the signal.
  int interrupted(int signal, const std::string &where,
                  const std::string &kept, const std::string &resume);

private:
  const TrainPlan &plan_;
  TrainLog log_;
  Progress progress_;
  double windowLoss_ = 0;       ///< --print-every: the window's loss sum
  std::int64_t windowSteps_ = 0;
  double trainSeconds_ = 0;     ///< in all epochs, without evaluation
  std::int64_t trainedImages_ = 0;
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_TRAINREPORT_H
