//===- CompiledSize.h - how much code a model compiles to -------*- C++ -*-===//
//
// cnnc's compile time grows with the operations it generates code for, not
// with the ones the model runs: a repeated block (shared(n * B),
// sequential(n * B)) is compiled once, as a loop, whatever n. What it
// compiles is the graph's nodes with each such loop's body counted once,
// a convolution weighing limits::convCompiledSize (its forward, input and
// weight gradients are register-tiled loop nests, about that many times
// the code of a linear layer). Sema keeps it within limits::maxCompiledSize.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_COMPILEDSIZE_H
#define CNNC_FRONTEND_COMPILEDSIZE_H

#include "frontend/Graph.h"

#include <optional>

namespace cnnc {

/// The first node (in graph order) at which the compiled size passes
/// `limit`, or none.
std::optional<unsigned> compiledSizeExceeded(const Graph &g, uint64_t limit);

/// The graph's repetitions by first node, the longest first where two start
/// at one node: the order in which MLIRGen picks the outermost as loops.
std::vector<const Repeat *> outermostFirst(const Graph &g);

/// The repetitions that compile to a loop: MLIRGen's choice (the outermost
/// repetitions whose iterations are alike), less those holding a dropout,
/// which the training step unrolls. Sema sees shapes and kinds, not MLIRGen's
/// every check: a repetition it counts as a loop may still be unrolled.
std::vector<const Repeat *> compiledLoops(const Graph &g);

} // namespace cnnc

#endif // CNNC_FRONTEND_COMPILEDSIZE_H
