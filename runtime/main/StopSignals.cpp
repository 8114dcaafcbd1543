//===- StopSignals.cpp - Ctrl-C and kill during training ------------------===//

#include "StopSignals.h"

namespace cnnrt::cli {

namespace {

volatile std::sig_atomic_t received_ = 0;

extern "C" void onStopSignal(int signal) { received_ = signal; }

} // namespace

StopSignals::StopSignals() {
  received_ = 0;
  struct sigaction action = {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGINT, &action, &oldInt_);
  sigaction(SIGTERM, &action, &oldTerm_);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &oldInt_, nullptr);
  sigaction(SIGTERM, &oldTerm_, nullptr);
}

int StopSignals::received() const { return received_; }

const char *StopSignals::name(int signal) {
  if (signal == SIGINT)
    return "SIGINT";
  return signal == SIGTERM ? "SIGTERM" : "a signal";
}

} // namespace cnnrt::cli
