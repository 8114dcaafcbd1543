//===- NarrowRows.h - vectors with a short innermost dimension --*- C++ -*-===//
//
// A 2x2 pooling window over NCHW images vectorizes as vector<C x W x 2>:
// the window's two columns innermost. The LLVM conversion keeps the
// innermost dimension as the machine vector, so every op of a max-pool
// gradient ran on 2-float vectors, with a shuffle per element to spread
// the window's maximum over its columns. The two columns and the W
// windows of a row are one contiguous row of 2W floats in memory: these
// patterns run such ops on vector<C x 2W> instead. Only a shape_cast
// between the two shapes marks the change, and it cancels between two
// rewritten ops; an op is rewritten only where its neighbours are too, so
// no shape_cast is left to be lowered lane by lane.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_NARROWROWS_H
#define CNNC_CODEGEN_CPU_NARROWROWS_H

#include "mlir/IR/PatternMatch.h"

namespace cnnc::cpu {

/// Transfers, elementwise ops, broadcasts and innermost reductions over
/// vectors whose innermost dimension is at most `maxNarrow` long, rewritten
/// over rows of the two innermost dimensions joined.
void populateNarrowRowsPatterns(mlir::RewritePatternSet &patterns,
                                int64_t maxNarrow = 4);

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_NARROWROWS_H
