//===- Error.h - The runtime's error type ------------------------*- C++ -*-===//
//
// Every failure on bad input (a corrupt checkpoint, a truncated data set, a
// wrong shape) throws cnnrt::Error with a message that names the file and the
// tensor or record. Nothing in the runtime aborts or asserts on input; the C
// boundary (cnnrt.h) turns the exception into a status code and a message.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_ERROR_H
#define CNNRT_ERROR_H

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace cnnrt {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message) : std::runtime_error(message) {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args &&...args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

} // namespace cnnrt

#endif // CNNRT_ERROR_H
