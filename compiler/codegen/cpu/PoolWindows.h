//===- PoolWindows.h - NCHW max pooling as window reductions ----*- C++ -*-===//
//
// A max pooling whose windows do not overlap, left NCHW by the layout
// choices (the training step keeps its activations NCHW), vectorizes as a
// named pooling over channel vectors: gathers and transposes per window.
// As a reduction over the windows of the image viewed [N, C, OH, KH, OW,
// KW] it reads whole rows (the form of max_pool2d_grad's maxima, whose
// rows LowerVector joins: NarrowRows.h), and it is then the same op as the
// gradient's recomputed maxima, which CSE merges into one.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_POOLWINDOWS_H
#define CNNC_CODEGEN_CPU_POOLWINDOWS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc::cpu {

/// Replaces `pool` by poolWindows + windowMaxima (conversion/CnnToLinalg/
/// LinalgBuilders.h) where its windows do not overlap (stride = kernel,
/// no dilation) and its image is [N, C, H, W] with only N dynamic. Returns
/// the reduction, or null where `pool` stays.
mlir::linalg::GenericOp
rewriteAsWindowMaxima(mlir::RewriterBase &rewriter,
                      mlir::linalg::PoolingNchwMaxOp pool);

/// A reduction over non-overlapping windows (max_pool2d_grad's maxima and
/// first-maximum codes): (n, c, oh, ow | i, j) over [N, C, OH, KH, OW, KW]
/// into [N, C, OH, OW].
bool isWindowReduction(mlir::linalg::LinalgOp op);

/// The same over a channels-last image: (n, oh, ow, c | i, j) over [N, OH,
/// KH, OW, KW, C] into [N, OH, OW, C].
bool isChannelsLastWindowReduction(mlir::linalg::LinalgOp op);

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_POOLWINDOWS_H
