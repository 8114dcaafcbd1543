//===- OutputFile.cpp - cnnc's outputs, written so nothing is lost --------===//
#include "OutputFile.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cnnc {
namespace {

std::string systemError(const std::string &path, int err) {
  return "cannot write '" + path + "': " + std::strerror(err);
}

/// Writes all of `bytes` to `fd`; the errno of the failure, or 0.
int writeAll(int fd, llvm::StringRef bytes) {
  const char *p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno;
    }
    p += n;
    left -= size_t(n);
  }
  return 0;
}

/// Writes `bytes` over an existing device, FIFO or socket.
bool writeInPlace(const std::string &path, llvm::StringRef bytes,
                  std::string &error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) {
    error = systemError(path, errno);
    return false;
  }
  int err = writeAll(fd, bytes);
  if (::close(fd) != 0 && err == 0)
    err = errno;
  if (err != 0) {
    error = systemError(path, err);
    return false;
  }
  return true;
}

} // namespace

std::string outputTarget(const std::string &path) {
  char resolved[PATH_MAX];
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode) &&
      ::realpath(path.c_str(), resolved))
    return resolved;
  return path;
}

bool installOutputFile(const std::string &temporary, const std::string &path,
                       bool keepMode, std::string &error) {
  std::string target = outputTarget(path);
  struct stat st;
  bool exists = ::stat(target.c_str(), &st) == 0;
  auto fail = [&](const std::string &message) {
    ::unlink(temporary.c_str());
    error = message;
    return false;
  };
  if (exists && S_ISDIR(st.st_mode))
    return fail("cannot write '" + path + "': it is a directory");
  if (exists && !S_ISREG(st.st_mode)) {
    // A device or FIFO: its bytes, not a file in its place.
    FILE *in = std::fopen(temporary.c_str(), "rb");
    if (!in)
      return fail(systemError(path, errno));
    std::string bytes;
    char buffer[1 << 16];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, in)) > 0)
      bytes.append(buffer, n);
    std::fclose(in);
    ::unlink(temporary.c_str());
    return writeInPlace(target, bytes, error);
  }
  if (exists && keepMode && ::chmod(temporary.c_str(), st.st_mode & 07777) != 0)
    return fail(systemError(path, errno));
  if (::rename(temporary.c_str(), target.c_str()) != 0)
    return fail(systemError(path, errno) + " (it is unchanged)");
  return true;
}

bool writeOutputFile(const std::string &path, llvm::StringRef bytes,
                     std::string &error) {
  if (path == "-") {
    int err = writeAll(STDOUT_FILENO, bytes);
    if (err != 0)
      error = systemError("standard output", err);
    return err == 0;
  }
  std::string target = outputTarget(path);
  struct stat st;
  if (::stat(target.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      error = "cannot write '" + path + "': it is a directory";
      return false;
    }
    if (!S_ISREG(st.st_mode))
      return writeInPlace(target, bytes, error);
  }
  std::string temporary = target + ".cnnc-XXXXXX";
  int fd = ::mkstemp(temporary.data());
  if (fd < 0) {
    error = systemError(path, errno);
    return false;
  }
  // mkstemp makes 0600; a new output gets the usual 0666 less the umask.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  int err = writeAll(fd, bytes);
  if (::close(fd) != 0 && err == 0)
    err = errno;
  if (err != 0) {
    ::unlink(temporary.c_str());
    error = systemError(path, err) + " (it is unchanged)";
    return false;
  }
  return installOutputFile(temporary, path, /*keepMode=*/true, error);
}

} // namespace cnnc
