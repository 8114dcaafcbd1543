//===- FakeTrace.h - The fakes' call trace ------------------------*- C++ -*-===//
//
// Both fakes append a line per call to FAKE_CUDA_TRACE, one file, so that a
// test reads the driver's and NCCL's calls in the order they happened.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_TOOLS_FAKETRACE_H
#define CNNRT_TOOLS_FAKETRACE_H

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace fake {

inline void trace(const char *format, ...)
    __attribute__((format(printf, 1, 2)));
inline void trace(const char *format, ...) {
  const char *path = std::getenv("FAKE_CUDA_TRACE");
  if (!path || !*path)
    return;
  FILE *f = std::fopen(path, "a");
  if (!f)
    return;
  va_list args;
  va_start(args, format);
  std::vfprintf(f, format, args);
  va_end(args);
  std::fputc('\n', f);
  std::fclose(f);
}

} // namespace fake

#endif // CNNRT_TOOLS_FAKETRACE_H
