//===- LaneSums.h - batch sums split by image column -------------*- C++ -*-===//
//
// A sum over the batch and the image per channel (a bias gradient,
// batchnorm's statistics) or per weight (a weight gradient with the output
// column as the lane) has few parallel iterations and a long reduction:
// vectorized as written, every step would end in a horizontal sum. Split
// by one image column (the lane), the partial sum keeps the columns apart:
// the columns are a parallel dimension, the accumulator a register tile
// that stays in registers across the batch, with no horizontal reduction
// per step; a small sum of the columns follows. The CPU strategy chooses
// this form (Strategy.cpp).
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

/// A sum like laneLoop's over a channels-last image (its first 4-D input's
/// last dimension, the channels, read by a parallel loop: the lanes as
/// they are) keeps the image rows apart as the rows of its accumulator
/// tile instead, so that a step reads whole image rows: the loop that
/// reads that input's rows, where it is a static reduction. None
/// otherwise.
std::optional<unsigned> imageRowLoop(mlir::linalg::GenericOp op);

/// Replaces `op` like splitByLane, the partial sums iterating (`row`,
/// parallel dims | the other reductions): [image rows, channels].
void splitByImageRow(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op,
                     unsigned row);

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_LANESUMS_H
