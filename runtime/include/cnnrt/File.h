//===- File.h - Whole-file reads and atomic writes ---------------*- C++ -*-===//
//
// Checkpoints and data sets are read whole: they are small next to memory,
// and validating a header against the real file size is simpler that way.
// Writes are atomic so that a crash mid-save never leaves a half-written
// checkpoint where a good one used to be.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_FILE_H
#define CNNRT_FILE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cnnrt {

/// Reads a regular file. Throws Error naming the path if it is missing, not a
/// regular file, or unreadable.
std::vector<std::uint8_t> readFile(const std::string &path);

/// Writes `chunks` in order to `path` atomically: a temporary file in the same
/// directory, fsync, rename over `path`, fsync of the directory. On failure
/// (a full disk) the temporary is removed and `path` is untouched. What
/// `path` already is decides the rest, deliberately:
///  - a symbolic link is followed: the file it names is replaced;
///  - a device, FIFO or socket (/dev/null, a pipe) is written in place,
///    never replaced by a regular file;
///  - a regular file keeps its permissions; a new one gets 0666 (Data) or
///    0777 (Executable) less the umask;
///  - a directory is refused.
struct ByteChunk {
  const void *data;
  std::size_t size;
};
enum class FileKind { Data, Executable };
void writeFileAtomic(const std::string &path,
                     const std::vector<ByteChunk> &chunks,
                     FileKind kind = FileKind::Data);

/// Decompresses gzip data held in memory, every member of a multi-member
/// file (`cat a.gz b.gz`) in turn; `what` names it in errors. Running out of
/// memory is an Error that names the size needed.
std::vector<std::uint8_t> gunzip(const std::vector<std::uint8_t> &compressed,
                                 const std::string &what);

/// The first `count` bytes the gzip data inflates to, or all of them if
/// fewer: a header read first, or a bound on what a gzip bomb can take.
std::vector<std::uint8_t>
gunzipPrefix(const std::vector<std::uint8_t> &compressed,
             const std::string &what, std::size_t count);

/// True when the bytes start with the gzip magic 1f 8b.
bool isGzip(const std::vector<std::uint8_t> &bytes);

} // namespace cnnrt

#endif // CNNRT_FILE_H
