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

#include <cstdint>
#include <string>
#include <vector>

namespace cnnrt {

/// Reads a regular file. Throws Error naming the path if it is missing, not a
/// regular file, or unreadable.
std::vector<std::uint8_t> readFile(const std::string &path);

/// Writes `chunks` in order to `path` atomically: a temporary file in the same
/// directory, fsync, rename over `path`, fsync of the directory. On failure the
/// temporary is removed and `path` is untouched.
struct ByteChunk {
  const void *data;
  std::size_t size;
};
void writeFileAtomic(const std::string &path,
                     const std::vector<ByteChunk> &chunks);

/// Decompresses a gzip stream held in memory; `what` names it in errors.
std::vector<std::uint8_t> gunzip(const std::vector<std::uint8_t> &compressed,
                                 const std::string &what);

/// True when the bytes start with the gzip magic 1f 8b.
bool isGzip(const std::vector<std::uint8_t> &bytes);

} // namespace cnnrt

#endif // CNNRT_FILE_H
