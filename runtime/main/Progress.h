//===- Progress.h - What `train` shows while it runs -------------*- C++ -*-===//
//
// On a terminal, a progress bar with the running loss and images/s,
// redrawn in place (carriage return) at most ten times a second; lines that
// must stay (an epoch's summary, a --print-every line) clear it first. To a
// file or pipe, only those lines: a log a person or a script can read.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_PROGRESS_H
#define CNNRT_MAIN_PROGRESS_H

#include "Timing.h"

#include <cstdint>
#include <string>

namespace cnnrt::cli {

class Progress {
public:
  /// `bar`: draw the bar (stdout is a terminal, or --progress bar).
  explicit Progress(bool bar) : bar_(bar) {}
  ~Progress() { clear(); }

  /// Epoch `epoch` (1-based) of `epochs` begins, in `batches` batches.
  void startEpoch(std::int64_t epoch, std::int64_t epochs,
                  std::int64_t batches);
  /// After batch `batch` (1-based): the epoch's mean loss so far, images
  /// and seconds since the epoch began.
  void update(std::int64_t batch, double meanLoss, std::int64_t images,
              double seconds);
  /// Prints a line that stays (with its newline added).
  void line(const std::string &text);
  /// Removes the bar, e.g. before an error message.
  void clear();

private:
  void draw();

  bool bar_;
  bool shown_ = false;
  std::int64_t epoch_ = 0, epochs_ = 0, batches_ = 0, batch_ = 0;
  double loss_ = 0, imagesPerSecond_ = 0, lastDraw_ = -1;
  Stopwatch clock_;
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_PROGRESS_H
