//===- File.cpp - Whole-file reads and atomic writes ----------------------===//

#include "cnnrt/File.h"
#include "cnnrt/Error.h"

#include <zlib.h>

#include <algorithm>
#include <new>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cnnrt {

namespace {
/// Closes a descriptor on scope exit unless released.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0)
      ::close(fd);
  }
};
} // namespace

std::vector<std::uint8_t> readFile(const std::string &path) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0)
    fail("cannot open '{}': {}", path, std::strerror(errno));
  struct stat st;
  if (::fstat(f.fd, &st) != 0)
    fail("cannot stat '{}': {}", path, std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    fail("'{}' is not a regular file", path);
  std::vector<std::uint8_t> bytes(std::size_t(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(f.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail("cannot read '{}': {}", path, std::strerror(errno));
    if (n == 0) // The file shrank under us.
      break;
    done += std::size_t(n);
  }
  bytes.resize(done);
  return bytes;
}

static std::string dirOf(const std::string &path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

namespace {

/// Writes every chunk to `fd`; the errno of a failure, or 0.
int writeChunks(int fd, const std::vector<ByteChunk> &chunks) {
  for (const ByteChunk &chunk : chunks) {
    const auto *p = static_cast<const std::uint8_t *>(chunk.data);
    std::size_t left = chunk.size;
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno;
      p += n;
      left -= std::size_t(n);
    }
  }
  return 0;
}

/// The file `path` names: itself, or what a symbolic link points to.
std::string followLink(const std::string &path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
    return path;
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved))
    return resolved;
  // A dangling link: the file it names, made new.
  std::string target(std::size_t(st.st_size) + 1, '\0');
  ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
  if (n < 0)
    return path;
  target.resize(std::size_t(n));
  return target.front() == '/' ? target : dirOf(path) + "/" + target;
}

/// The last component of `path`.
std::string baseOf(const std::string &path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// Removes what earlier writes of `target` killed before their rename left
/// (`<target>.tmp.XXXXXX`): each writer holds its temporary locked until the
/// rename, so one that can be locked is an orphan, unless it is a few
/// seconds old only (a writer between mkstemp and flock).
void removeOrphanTemporaries(const std::string &target) {
  std::string dir = dirOf(target), prefix = baseOf(target) + ".tmp.";
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return;
  std::time_t now = std::time(nullptr);
  while (const dirent *entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    if (name.size() != prefix.size() + 6 ||
        name.compare(0, prefix.size(), prefix) != 0)
      continue;
    std::string path = dir + "/" + std::string(name);
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (f.fd < 0 || ::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != ::geteuid() || now - st.st_mtime < 10 ||
        ::flock(f.fd, LOCK_EX | LOCK_NB) != 0)
      continue;
    ::unlink(path.c_str());
  }
  ::closedir(d);
}

} // namespace

void writeFileAtomic(const std::string &path,
                     const std::vector<ByteChunk> &chunks, FileKind kind) {
  std::string target = followLink(path);
  struct stat st;
  bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode))
    fail("cannot write '{}': it is a directory", path);
  if (exists && !S_ISREG(st.st_mode)) {
    // A device or FIFO: its bytes, not a regular file in its place.
    Fd f;
    f.fd = ::open(target.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (f.fd < 0)
      fail("cannot write '{}': {}", path, std::strerror(errno));
    if (int err = writeChunks(f.fd, chunks))
      fail("cannot write '{}': {}", path, std::strerror(err));
    return;
  }
  // The temporary lives next to the target: rename is only atomic within one
  // file system.
  removeOrphanTemporaries(target);
  std::string tmp = target + ".tmp.XXXXXX";
  Fd f;
  f.fd = ::mkstemp(tmp.data());
  if (f.fd < 0)
    fail("cannot write '{}': {}", path, std::strerror(errno));
  // Locked until after the rename, through a descriptor of its own: the
  // mark of a live writer for removeOrphanTemporaries.
  Fd lock;
  lock.fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock.fd >= 0)
    ::flock(lock.fd, LOCK_EX);
  auto abandon = [&](const char *what, int err) {
    if (f.fd >= 0)
      ::close(f.fd);
    f.fd = -1;
    ::unlink(tmp.c_str());
    fail("cannot write '{}': {}: {} ({})", path, what, std::strerror(err),
         exists ? "it is unchanged" : "nothing was written");
  };
  if (int err = writeChunks(f.fd, chunks))
    abandon("write", err);
  // mkstemp makes the file 0600: an existing file's mode, or the usual one.
  mode_t mask = ::umask(0);
  ::umask(mask);
  mode_t mode = (kind == FileKind::Executable ? 0777 : 0666) & ~mask;
  if (exists) {
    mode = st.st_mode & 07777;
    if (kind == FileKind::Executable) // runnable by whoever may read it
      mode |= (mode & 0444) >> 2;
  }
  if (::fchmod(f.fd, mode) != 0)
    abandon("fchmod", errno);
  if (::fsync(f.fd) != 0)
    abandon("fsync", errno);
  int closed = ::close(f.fd);
  f.fd = -1;
  if (closed != 0)
    abandon("close", errno);
  if (::rename(tmp.c_str(), target.c_str()) != 0)
    abandon("rename", errno);
  // Make the rename itself durable. Failure here is not worth an error: the
  // data is in place and readable.
  Fd dir;
  dir.fd = ::open(dirOf(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir.fd >= 0)
    ::fsync(dir.fd);
}

bool isGzip(const std::vector<std::uint8_t> &bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

namespace {

/// Inflates gzip members one after another until the input ends or `stop`
/// bytes are out.
/// The buffer doubles as it fills, so a bomb takes at most twice its output.
std::vector<std::uint8_t> inflateUpTo(const std::vector<std::uint8_t> &in,
                                      const std::string &what,
                                      std::size_t stop) {
  z_stream zs;
  std::memset(&zs, 0, sizeof zs);
  // 16 + MAX_WBITS: expect a gzip wrapper (and check its CRC).
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
    fail("{}: cannot initialise zlib", what);
  struct End {
    z_stream &zs;
    ~End() { inflateEnd(&zs); }
  } end{zs};
  std::vector<std::uint8_t> out;
  std::size_t used = 0, inAt = 0;
  auto grow = [&] {
    std::size_t want = std::max<std::size_t>(
        {out.size() * 2, in.size() * 4, std::size_t(1) << 16});
    want = std::min(want, stop);
    try {
      out.resize(want);
    } catch (const std::bad_alloc &) {
      fail("{}: out of memory inflating the gzip data: {} bytes so far, "
           "{} needed next",
           what, used, want);
    }
  };
  for (;;) {
    if (used == out.size()) {
      if (used == stop)
        break;
      grow();
    }
    // zlib counts in uInt; feed and drain in pieces that fit.
    uInt inChunk = uInt(std::min<std::size_t>(in.size() - inAt, 1u << 30));
    zs.next_in = const_cast<Bytef *>(in.data() + inAt);
    zs.avail_in = inChunk;
    zs.next_out = out.data() + used;
    zs.avail_out = uInt(std::min<std::size_t>(out.size() - used, 1u << 30));
    uInt outRoom = zs.avail_out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    inAt += inChunk - zs.avail_in;
    used += outRoom - zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (inAt == in.size())
        break;
      // Another member (gzip -c a >x; gzip -c b >>x), or trailing junk.
      if (in.size() - inAt < 2 || in[inAt] != 0x1f || in[inAt + 1] != 0x8b)
        fail("{}: {} bytes after the end of the gzip data are not another "
             "gzip member",
             what, in.size() - inAt);
      inflateReset(&zs);
      continue;
    }
    if (rc == Z_BUF_ERROR && inAt == in.size() && zs.avail_out > 0)
      fail("{}: truncated gzip stream", what);
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      fail("{}: corrupt gzip stream: {}", what,
           zs.msg ? zs.msg : "error " + std::to_string(rc));
  }
  out.resize(used);
  return out;
}

} // namespace

std::vector<std::uint8_t> gunzip(const std::vector<std::uint8_t> &compressed,
                                 const std::string &what) {
  return inflateUpTo(compressed, what, SIZE_MAX);
}

std::vector<std::uint8_t>
gunzipPrefix(const std::vector<std::uint8_t> &compressed,
             const std::string &what, std::size_t count) {
  return inflateUpTo(compressed, what, count);
}

} // namespace cnnrt
