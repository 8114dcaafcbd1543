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

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
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

/// `text` with control characters as \xNN, for quoting what a file holds in
/// a message: a NUL would cut the message short, an escape sequence would
/// reach the terminal.
std::string printable(std::string_view text);

/// "512 bytes", "3221225472 bytes (3.0 GiB)".
std::string byteSize(std::uint64_t bytes);

/// Throws the Error of a failed allocation: what it was for and how big
/// ("out of memory: cannot allocate ... for the model's parameters").
[[noreturn]] void failOutOfMemory(std::string_view what, std::uint64_t bytes);

} // namespace cnnrt

#endif // CNNRT_ERROR_H
