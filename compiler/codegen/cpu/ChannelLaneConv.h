//===- ChannelLaneConv.h - convolutions with channels as the lane -*- C++ -*-===//
//
// A convolution written as linalg.conv_2d_nchw_fchw vectorizes along an
// output row: with 14 or 28 columns, lanes idle and the row's loads split
// (a 14-float row is three loads and two shuffles). Computed into a
// channels-last result instead, each step of the reduction is the outer
// product of a few broadcast input values (one per output column) with a
// vector register's worth (or two) of contiguous filter values; a layout
// copy then gives the NCHW result the rest of the network reads (and
// ChannelsLastActivations.h moves that copy down to where NCHW is needed).
// The CPU strategy (Strategy.cpp) chooses this form where the output
// channels fill whole vector registers.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_CHANNELLANECONV_H
#define CNNC_CODEGEN_CPU_CHANNELLANECONV_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

#include <array>
#include <optional>

namespace cnnc::cpu {

/// Replaces `conv` (y[n, f, oh, ow] = init + Σ_{c, i, j} x[n, c, oh·sh + i,
/// ow·sw + j] · w[f, c, i, j]) by the channels-last generic over (n, oh, ow,
/// f | c, i, j) reading the filter laid out [KH, KW, C, F], followed by the
/// copy back to NCHW. Returns the channels-last generic.
mlir::linalg::GenericOp
rewriteAsChannelLaneConv(mlir::RewriterBase &rewriter,
                         mlir::linalg::Conv2DNchwFchwOp conv);

/// The largest stride weightGradStrides recognises.
constexpr int64_t kMaxStride = 8;

/// A conv weight gradient as convert-cnn-to-linalg writes it: dw[o, c, i,
/// j] = Σ_{n, oh, ow} x[n, c, oh·sh + i, ow·sw + j] · dy[n, o, oh, ow] from
/// zero, over (o, c, i, j | n, oh, ow). Its strides (sh, sw), or none.
std::optional<std::array<int64_t, 2>>
weightGradStrides(mlir::linalg::GenericOp op);

/// What a weight gradient's register tiles run along.
enum class WeightGradLane {
  /// Input channels as the vector lane, `rows` output channels broadcast.
  InputChannels,
  /// Output channels as the lane, `rows` input channels broadcast.
  OutputChannels,
  /// The output columns as the lane (a laneSum), channels as rows.
  Columns,
};

/// Replaces the weight gradient `op` (weightGradStrides gave `stride`) by
/// the form `lane` says. The channel lanes read channels-last copies of x
/// and dy, one outer product of `rows` x the lane channels per step, the
/// threads splitting the rows; the column lane is a partial sum per output
/// column then a sum of the columns (LinalgBuilders' laneSum).
void rewriteWeightGrad(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op,
                       llvm::ArrayRef<int64_t> stride, WeightGradLane lane,
                       int64_t rows);

/// The two ops of a weight gradient with the output channels as the lane
/// and every input channel and filter tap as a row.
struct OutputChannelTaps {
  /// (n, lo, c, i, j, l | oh, ow), o = lo·lanes + l, into [N, lo, c, i, j,
  /// l]: each image's partial sums, made where the image's dy is.
  mlir::linalg::GenericOp perImage;
  /// (lo, c, i, j, l | n): the images' sum.
  mlir::linalg::GenericOp sum;
};

/// Replaces the weight gradient `op` (weightGradStrides gave `stride`) by
/// the output channels as the lane and every input channel and filter tap
/// as a row (a first conv's, whose 1 or 3 input channels are too few rows):
/// x read as it is (value by value, broadcast), dy channels-last, a partial
/// sum per image then their sum, permuted and reshaped into [o, c, kh, kw].
OutputChannelTaps rewriteAsOutputChannelTaps(mlir::RewriterBase &rewriter,
                                             mlir::linalg::GenericOp op,
                                             llvm::ArrayRef<int64_t> stride,
                                             int64_t lanes);

/// Replaces the weight gradient `op` by the same loops (o, c, i, j | n, h,
/// w) over channels-last copies of x and dy, the form a Winograd weight
/// gradient takes (WinogradWeightGrad.cpp); returns it.
mlir::linalg::GenericOp
rewriteAsChannelsLastWeightGrad(mlir::RewriterBase &rewriter,
                                mlir::linalg::GenericOp op,
                                llvm::ArrayRef<int64_t> stride);

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_CHANNELLANECONV_H
