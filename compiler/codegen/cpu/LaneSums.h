//===- LaneSums.h - batch sums by image column or by image ---- -*- C++ -*-===//
//
// A sum over the batch and the image per channel (a bias gradient,
// batchnorm's statistics) or per weight (a weight gradient with the output
// column as the lane) has few parallel iterations and a long reduction:
// vectorized as written, every step would end in a horizontal sum. Split
// by one image column (the lane), the partial sum keeps the columns apart:
// the columns are a parallel dimension, the accumulator a register tile
// that stays in registers across the batch, with no horizontal reduction
// per step; a small sum of the columns follows. Over a channels-last image
// the channels are the lanes already: such a sum keeps the images apart,
// and its partial sums are made image by image, where the images were
// made. The CPU strategy chooses these forms (Strategy.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_LANESUMS_H
#define CNNC_CODEGEN_CPU_LANESUMS_H

#include "conversion/CnnToLinalg/LinalgBuilders.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace cnnc::cpu {

/// The sum in two steps: `partial` iterates (parallel dims..., lane |
/// reductions...) and keeps its last parallel dimension, the lane, apart;
/// the result then sums the lanes. `inputMaps` read `inputs` over the
/// iteration; `parallelShape` holds the parallel ranges (the lane last);
/// `resultMap` maps the parallel dims but the lane (of the same iteration)
/// to the result's dims; `term` gets the inputs' elements and returns the
/// summand, of type `element`.
mlir::Value laneSum(mlir::OpBuilder &b, mlir::Location loc,
                    mlir::ValueRange inputs,
                    llvm::ArrayRef<mlir::AffineMap> inputMaps,
                    llvm::ArrayRef<int64_t> parallelShape,
                    unsigned numReductions, mlir::AffineMap resultMap,
                    llvm::ArrayRef<int64_t> resultShape, mlir::Type element,
                    cnn::lowering::ScalarFn term);

/// The loop of `op` to keep apart as the lane, where `op` is a sum over
/// the batch by image columns: a generic whose reductions include the
/// (dynamic) batch, whose every result is `acc + term` over parallel
/// dimensions only, and whose first 4-D input has its last dimension (an
/// image column) read by a static reduction loop. None otherwise.
std::optional<unsigned> laneLoop(mlir::linalg::GenericOp op);

/// Replaces `op` by one op of partial sums, a result per result of `op`,
/// iterating (parallel dims, `lane` | the other reductions), each followed
/// by the sum of its lanes into the result's init.
void splitByLane(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op,
                 unsigned lane);

/// A sum like laneLoop's over whole channels-last images (its first 4-D
/// input's last dimension, the channels, read by a parallel loop: the
/// lanes as they are; its rows by a static reduction) keeps the images
/// apart instead: the batch loop. Its partial sums are then made image by
/// image, as the ops that made the summed values are (tiled per image,
/// each thread its own images), and fuse into their loop: a batchnorm's
/// statistics are summed from each image of its conv's output while the image
/// is still in the cache, and no thread reads the images another one wrote.
/// None otherwise.
std::optional<unsigned> imageLoop(mlir::linalg::GenericOp op);

/// Replaces `op` like splitByLane, the partial sums iterating (`image`,
/// parallel dims | the other reductions): [images, channels].
void splitByImage(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op,
                  unsigned image);

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_LANESUMS_H
