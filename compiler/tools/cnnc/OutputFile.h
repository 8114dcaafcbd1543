//===- OutputFile.h - cnnc's outputs, written so nothing is lost -*- C++ -*-===//
//
// An output replaces its file whole or not at all: the bytes go to a
// temporary file beside the target, which is renamed over it only once
// every byte is written (a full disk leaves the old file as it was, and no
// temporary behind). Deliberate choices for what the target already is:
//  - a symbolic link is followed: the file it names is replaced, the link
//    stays;
//  - a device, FIFO or socket (/dev/null, a pipe) is written in place, never
//    replaced by a regular file;
//  - a regular file keeps its permissions (a 0600 file stays 0600);
//  - a directory is refused.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_CNNC_OUTPUTFILE_H
#define CNNC_TOOLS_CNNC_OUTPUTFILE_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace cnnc {

/// Writes `bytes` to `path` ("-": standard output) as above; on failure
/// `error` says why and that the file is unchanged.
bool writeOutputFile(const std::string &path, llvm::StringRef bytes,
                     std::string &error);

/// Where a temporary for `path` must be made (beside the file a link names)
/// so that the final rename stays on one file system.
std::string outputTarget(const std::string &path);

/// Puts the finished file `temporary` (made beside outputTarget(path)) in
/// `path`'s place as above, keeping a regular file's permissions only when
/// `keepMode`; the temporary is gone afterwards either way.
bool installOutputFile(const std::string &temporary, const std::string &path,
                       bool keepMode, std::string &error);

} // namespace cnnc

#endif // CNNC_TOOLS_CNNC_OUTPUTFILE_H
