//===- ChannelLaneConv.h - convolutions with channels as the lane -*- C++ -*-===//
//
// A convolution written as linalg.conv_2d_nchw_fchw vectorizes along an
// output row: with 14 or 28 columns, lanes idle and the row's loads split
// (a 14-float row is three loads and two shuffles). Computed into a
// channels-last result instead, each step of the reduction is the outer
// product of a few broadcast input values (one per output column) with 16
// or 32 contiguous filter values, whole AVX-512 registers; a layout copy
// then gives the NCHW result the rest of the network reads.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CONVERSION_CNNTOLINALG_CHANNELLANECONV_H
#define CNNC_CONVERSION_CNNTOLINALG_CHANNELLANECONV_H

#include "mlir/IR/Builders.h"

namespace cnn::lowering {

/// Whether a convolution producing `channels` output channels takes the
/// channel-lane form: whole registers of 16 floats.
bool isChannelLaneCount(int64_t channels);

/// `t` [N, C, H, W] as [N, H, W, C], and back.
mlir::Value channelsLast(mlir::OpBuilder &b, mlir::Location loc, mlir::Value t);
mlir::Value channelsFirst(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value t);

/// y[n, f, oh, ow] = bias[f] + Σ_{c, i, j} x[n, c, oh·sh + i, ow·sw + j] ·
/// filter[i, j, c, f], for `x` already padded and a filter laid out
/// [KH, KW, C, F]; `bias` may be null. `type` is y's [N, F, OH, OW].
mlir::Value channelLaneConv(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value x, mlir::Value filter, mlir::Value bias,
                            mlir::RankedTensorType type,
                            llvm::ArrayRef<int64_t> stride);

} // namespace cnn::lowering

#endif // CNNC_CONVERSION_CNNTOLINALG_CHANNELLANECONV_H
