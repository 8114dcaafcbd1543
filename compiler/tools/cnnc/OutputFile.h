//===- OutputFile.h - cnnc's outputs, written so nothing is lost -*- C++ -*-===//
//
// cnnc writes its outputs as the runtime writes checkpoints
// (cnnrt::writeFileAtomic, runtime/include/cnnrt/File.h): whole or not at
// all, a symbolic link followed, a device or FIFO written in place, a
// regular file's permissions kept, a directory refused.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_CNNC_OUTPUTFILE_H
#define CNNC_TOOLS_CNNC_OUTPUTFILE_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace cnnc {

/// Writes `bytes` to `path` ("-": standard output); an executable gets
/// execute permission. On failure `error` says why.
bool writeOutputFile(const std::string &path, llvm::StringRef bytes,
                     bool executable, std::string &error);

} // namespace cnnc

#endif // CNNC_TOOLS_CNNC_OUTPUTFILE_H
