//===- StopSignals.h - Ctrl-C and kill during training -----------*- C++ -*-===//
//
// SIGINT or SIGTERM would end `train` in the middle of a step, with no word
// on what was saved. While a StopSignals lives, either signal only raises a
// flag that the training loop reads after every step and at every epoch's
// end; the run then stops, says which checkpoint is kept and how to resume,
// and exits with 128 + the signal's number, as the shell reports a process
// the signal killed.
//
// The handler is one-shot (SA_RESETHAND): a second Ctrl-C ends a slow step
// at once. SA_RESTART keeps a checkpoint being written when the signal
// comes from failing with EINTR.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_STOPSIGNALS_H
#define CNNRT_MAIN_STOPSIGNALS_H

#include <csignal>

namespace cnnrt::cli {

class StopSignals {
public:
  /// Catches SIGINT and SIGTERM until destroyed, then restores the
  /// previous handlers.
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals &) = delete;
  StopSignals &operator=(const StopSignals &) = delete;

  /// SIGINT or SIGTERM once one has come, else 0.
  int received() const;
  /// "SIGINT", "SIGTERM".
  static const char *name(int signal);

private:
  struct sigaction oldInt_ = {}, oldTerm_ = {};
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_STOPSIGNALS_H
