//===- Fibers.cpp - Bodies that take turns on one thread ------------------===//

#include "Fibers.h"

#include "cnnrt/Error.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <sys/mman.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CNNRT_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CNNRT_ASAN 1
#endif
#ifdef CNNRT_ASAN
// AddressSanitizer must be told of every stack switch, or it takes the new
// stack's frames for overflows of the old one.
#include <sanitizer/common_interface_defs.h>
#endif

namespace cnnrt::cli {

/// A mapped stack with a guard page below it, so that an overflow faults.
struct Fibers::Stack {
  explicit Stack(std::size_t bytes) : size(bytes) {
    page = std::size_t(::sysconf(_SC_PAGESIZE));
    base = ::mmap(nullptr, size + page, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1,
                  0);
    if (base == MAP_FAILED)
      fail("cannot map a stack of {} MiB for a shard of the batch: {}",
           size >> 20, std::strerror(errno));
    ::mprotect(base, page, PROT_NONE);
  }
  ~Stack() { ::munmap(base, size + page); }
  void *bottom() const { return static_cast<char *>(base) + page; }

  void *base;
  std::size_t size, page;
};

Fibers::Fibers(int count, std::size_t stackBytes)
    : count_(count), contexts_(std::size_t(count)),
      fakeStacks_(std::size_t(count), nullptr) {
  for (int i = 0; i < count; ++i)
    stacks_.push_back(std::make_unique<Stack>(stackBytes));
}

Fibers::~Fibers() = default;

void Fibers::run(const std::function<void(int)> &body) {
  body_ = &body;
  finished_ = 0;
  auto self = reinterpret_cast<std::uintptr_t>(this);
  for (int i = 0; i < count_; ++i) {
    ucontext_t &c = contexts_[std::size_t(i)];
    ::getcontext(&c);
    c.uc_stack.ss_sp = stacks_[std::size_t(i)]->bottom();
    c.uc_stack.ss_size = stacks_[std::size_t(i)]->size;
    c.uc_link = nullptr; // entry never returns
    fakeStacks_[std::size_t(i)] = nullptr;
    ::makecontext(&c, reinterpret_cast<void (*)()>(&Fibers::entry), 2,
                  unsigned(self & 0xffffffffu), unsigned(self >> 32));
  }
  current_ = -1;
  switchTo(-1, 0, /*finished=*/false);
  body_ = nullptr;
}

void Fibers::entry(unsigned lo, unsigned hi) {
  auto *self = reinterpret_cast<Fibers *>(std::uintptr_t(lo) |
                                          (std::uintptr_t(hi) << 32));
  self->arrived();
  int me = self->current_;
  (*self->body_)(me);
  int next = ++self->finished_ == self->count_ ? -1 : (me + 1) % self->count_;
  self->switchTo(me, next, /*finished=*/true);
}

void Fibers::yieldToNext() {
  if (count_ > 1)
    switchTo(current_, (current_ + 1) % count_, /*finished=*/false);
}

void Fibers::switchTo(int from, int to, bool finished) {
  ucontext_t *fromContext = from < 0 ? &caller_ : &contexts_[std::size_t(from)];
  ucontext_t *toContext = to < 0 ? &caller_ : &contexts_[std::size_t(to)];
#ifdef CNNRT_ASAN
  void **save = finished ? nullptr
                : from < 0 ? &callerFakeStack_
                           : &fakeStacks_[std::size_t(from)];
  const void *bottom = to < 0 ? callerBottom_ : stacks_[std::size_t(to)]->bottom();
  std::size_t size = to < 0 ? callerSize_ : stacks_[std::size_t(to)]->size;
  __sanitizer_start_switch_fiber(save, bottom, size);
#endif
  previous_ = from;
  current_ = to;
  if (finished) {
    ::setcontext(toContext);
    std::abort(); // setcontext does not return
  }
  ::swapcontext(fromContext, toContext);
  arrived();
}

void Fibers::arrived() {
#ifdef CNNRT_ASAN
  void *fake = current_ < 0 ? callerFakeStack_
                            : fakeStacks_[std::size_t(current_)];
  const void *oldBottom = nullptr;
  std::size_t oldSize = 0;
  __sanitizer_finish_switch_fiber(fake, &oldBottom, &oldSize);
  if (previous_ < 0) { // the caller's stack, which only ASan can tell
    callerBottom_ = oldBottom;
    callerSize_ = oldSize;
  }
#endif
}

} // namespace cnnrt::cli
