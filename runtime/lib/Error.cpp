//===- Error.cpp - The runtime's error type -------------------------------===//

#include "cnnrt/Error.h"

namespace cnnrt {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

std::string byteSize(std::uint64_t bytes) {
  if (bytes < (1u << 20))
    return fmt::format("{} bytes", bytes);
  const char *unit = "MiB";
  double value = double(bytes) / double(1u << 20);
  if (value >= 1024) {
    unit = "GiB";
    value /= 1024;
  }
  if (value >= 1024) {
    unit = "TiB";
    value /= 1024;
  }
  return fmt::format("{} bytes ({:.1f} {})", bytes, value, unit);
}

void failOutOfMemory(std::string_view what, std::uint64_t bytes) {
  fail("out of memory: cannot allocate {} for {}", byteSize(bytes), what);
}

} // namespace cnnrt
