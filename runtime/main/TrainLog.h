//===- TrainLog.h - Per-epoch metrics for plotting ---------------*- C++ -*-===//
//
// `train --log FILE` writes one record per epoch: CSV with a header line, or
// JSON lines when FILE ends in .jsonl. The columns: epoch, step, loss,
// train_acc, val_acc, seconds, val_loss (the last added later: a resumed run
// appending to a log without it keeps its columns). Each record is appended (one write,
// flushed) as its epoch ends, after the epoch's checkpoint is saved, so a
// run that stops early leaves every finished epoch's record. A fresh run
// truncates the file; a resumed run appends to it.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_TRAINLOG_H
#define CNNRT_MAIN_TRAINLOG_H

#include <cstdint>
#include <cstdio>
#include <string>

namespace cnnrt::cli {

struct EpochRecord {
  std::int64_t epoch = 0;  ///< 1-based
  std::int64_t step = 0;   ///< steps run by the epoch's end
  double loss = 0;         ///< mean training loss of the epoch's batches
  double trainAccuracy = 0, valAccuracy = 0;
  double valLoss = 0;      ///< mean cross-entropy on the validation split
  double seconds = 0;      ///< the epoch's training time, without evaluation
};

class TrainLog {
public:
  TrainLog() = default;
  TrainLog(const TrainLog &) = delete;
  TrainLog &operator=(const TrainLog &) = delete;
  ~TrainLog();

  /// Opens (and, unless `append`, truncates) `path`; throws Error naming it.
  void open(const std::string &path, bool append);
  bool enabled() const { return file_ != nullptr; }
  void write(const EpochRecord &record);

private:
  std::string path_;
  std::FILE *file_ = nullptr;
  bool jsonl_ = false;
  bool valLoss_ = true; ///< CSV: the file's header has val_loss
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_TRAINLOG_H
