//===- TrainLog.cpp - Per-epoch metrics for plotting ----------------------===//

#include "TrainLog.h"

#include "cnnrt/Error.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace cnnrt::cli {

namespace {
constexpr char kHeader[] = "epoch,step,loss,train_acc,val_acc,seconds,val_loss\n";
} // namespace

void TrainLog::open(const std::string &path, bool append) {
  path_ = path;
  jsonl_ = path.size() >= 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0;
  // One trainer per log: a second one would interleave its rows (and,
  // opening to write, empty the first one's). Locked before truncating.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0)
    fail("cannot open '{}' for the training log: {}", path,
         std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      fail("the training log '{}' is being written by another process; "
           "give each run its own --log",
           path);
    fail("cannot lock the training log '{}': {}", path, std::strerror(err));
  }
  if ((!append && ::ftruncate(fd, 0) != 0) ||
      !(file_ = ::fdopen(fd, append ? "a" : "w"))) {
    int err = errno;
    ::close(fd);
    fail("cannot open '{}' for the training log: {}", path,
         std::strerror(err));
  }
  // A CSV header, unless appending to a file that has one; a header
  // without val_loss (an older trainer's) keeps its columns.
  std::fseek(file_, 0, SEEK_END);
  if (jsonl_)
    return;
  if (std::ftell(file_) == 0) {
    std::fputs(kHeader, file_);
    std::fflush(file_);
    return;
  }
  char first[sizeof kHeader] = {};
  ssize_t n = ::pread(fd, first, sizeof first - 1, 0);
  valLoss_ = n == ssize_t(sizeof first - 1) && std::strcmp(first, kHeader) == 0;
}

TrainLog::~TrainLog() {
  if (file_)
    std::fclose(file_);
}

void TrainLog::write(const EpochRecord &r) {
  if (!file_)
    return;
  // {} prints the shortest text that reads back as the same double.
  std::string line =
      jsonl_ ? fmt::format("{{\"epoch\": {}, \"step\": {}, \"loss\": {}, "
                           "\"train_acc\": {}, \"val_acc\": {}, \"seconds\": "
                           "{:.3f}, \"val_loss\": {}}}\n",
                           r.epoch, r.step, r.loss, r.trainAccuracy,
                           r.valAccuracy, r.seconds, r.valLoss)
             : fmt::format("{},{},{},{},{},{:.3f}", r.epoch, r.step, r.loss,
                           r.trainAccuracy, r.valAccuracy, r.seconds);
  if (!jsonl_)
    line += valLoss_ ? fmt::format(",{}\n", r.valLoss) : "\n";
  if (std::fputs(line.c_str(), file_) < 0 || std::fflush(file_) != 0)
    fail("cannot write the training log '{}': {}", path_, std::strerror(errno));
}

} // namespace cnnrt::cli
