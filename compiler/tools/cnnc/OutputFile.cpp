//===- OutputFile.cpp - cnnc's outputs, written so nothing is lost --------===//
#include "OutputFile.h"

#include "cnnrt/Error.h"
#include "cnnrt/File.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace cnnc {

bool writeOutputFile(const std::string &path, llvm::StringRef bytes,
                     bool executable, std::string &error) {
  if (path == "-") {
    const char *p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
      ssize_t n = ::write(STDOUT_FILENO, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0) {
        error = std::string("cannot write the standard output: ") +
                std::strerror(errno);
        return false;
      }
      p += n;
      left -= size_t(n);
    }
    return true;
  }
  try {
    cnnrt::writeFileAtomic(path, {{bytes.data(), bytes.size()}},
                           executable ? cnnrt::FileKind::Executable
                                      : cnnrt::FileKind::Data);
  } catch (const cnnrt::Error &e) {
    error = e.what();
    return false;
  }
  return true;
}

} // namespace cnnc
