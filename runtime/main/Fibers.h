//===- Fibers.h - Bodies that take turns on one thread -----------*- C++ -*-===//
//
// A process that hosts several shards of a data-parallel step (FixedShards.h)
// runs one compiled train_step per shard, and each step stops midway to sum
// with the others (batchnorm's statistics, the gradients). The steps cannot
// run one after the other, and threads would give each its own OpenMP
// team, spinning while the others compute. So each runs on its own stack
// on the calling thread, and they take turns: yieldToNext() in body j
// continues body j+1 (mod n) where it stopped. The compiled code calls the
// sums between its parallel regions, so OpenMP sees one thread throughout.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_FIBERS_H
#define CNNRT_MAIN_FIBERS_H

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include <ucontext.h>

namespace cnnrt::cli {

class Fibers {
public:
  /// Room for `count` bodies, each with a stack of `stackBytes` (plus a
  /// guard page). Throws Error when the stacks cannot be mapped.
  explicit Fibers(int count, std::size_t stackBytes = std::size_t(8) << 20);
  ~Fibers();
  Fibers(const Fibers &) = delete;
  Fibers &operator=(const Fibers &) = delete;

  int count() const { return count_; }
  /// Runs body(0), ..., body(count-1), each on its own stack, starting with
  /// 0; returns when all have returned. A body must not throw, and every
  /// body must yield as often as the others (they take strict turns).
  void run(const std::function<void(int)> &body);
  /// Inside run(): the body now running.
  int current() const { return current_; }
  /// Inside body j: continues body (j+1) mod count where it stopped (or
  /// starts it); returns when body j's turn comes again.
  void yieldToNext();

private:
  struct Stack;
  static void entry(unsigned lo, unsigned hi);
  /// Switches from body `from` (-1: the caller of run) to body `to` (-1:
  /// back to run's caller); `from` is not resumed again when `finished`.
  void switchTo(int from, int to, bool finished);
  void arrived(); ///< the sanitizers' half of a switch, in the new context

  int count_;
  std::vector<std::unique_ptr<Stack>> stacks_;
  std::vector<ucontext_t> contexts_;
  ucontext_t caller_{};
  const std::function<void(int)> *body_ = nullptr;
  int current_ = -1, previous_ = -1, finished_ = 0;
  // AddressSanitizer's view of the stacks (unused without it).
  std::vector<void *> fakeStacks_;
  void *callerFakeStack_ = nullptr;
  const void *callerBottom_ = nullptr;
  std::size_t callerSize_ = 0;
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_FIBERS_H
