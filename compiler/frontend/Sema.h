//===- Sema.h - from syntax tree to Graph -----------------------*- C++ -*-===//
#ifndef CNNC_FRONTEND_SEMA_H
#define CNNC_FRONTEND_SEMA_H

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"
#include "frontend/Graph.h"

#include "llvm/ADT/ArrayRef.h"

namespace cnnc {

/// A `-D name=value` from the command line, value still as text: Sema parses
/// it against the parameter's default (an integer parameter rejects 3.5).
struct Override {
  std::string name, value;
};

/// Limits that keep hostile input from hanging or exhausting memory.
namespace limits {
constexpr int64_t maxDim = int64_t(1) << 20;      ///< channels, kernel, padding...
constexpr int64_t maxRepeat = 10000;              ///< n in `n * Block(...)`
constexpr int64_t maxElements = int64_t(1) << 32; ///< per tensor / per sample
constexpr size_t maxNodes = 200000;
constexpr size_t maxTensors = 200000;
constexpr size_t maxBlockNesting = 64;
/// The code a model compiles to, in operations, each repeated block's body
/// once and a convolution as convCompiledSize (CompiledSize.h): compile time
/// grows with it, by about a fifth of a second each on a 2-core machine
/// (forward and training step), so that a model within it compiles in
/// about half a minute.
constexpr uint64_t maxCompiledSize = 128;
constexpr uint64_t convCompiledSize = 8;
} // namespace limits

/// Elaborates the file's one model: evaluates its parameters (with the
/// overrides), instantiates and inlines blocks, infers every shape, resolves
/// initializers and the train section. Reports what is wrong to diag and
/// goes on where it can; the Graph is complete only when no error was
/// reported.
Graph analyze(const File &file, llvm::StringRef filename,
              llvm::ArrayRef<Override> overrides, Diagnostics &diag);

} // namespace cnnc

#endif // CNNC_FRONTEND_SEMA_H
