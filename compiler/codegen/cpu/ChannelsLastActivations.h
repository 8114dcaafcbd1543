//===- ChannelsLastActivations.h - activations of lane convs ----*- C++ -*-===//
//
// A channel-lane conv (ChannelLaneConv.h) computes channels-last and hands
// its result on through a transpose back to NCHW. Between two such convs
// (a residual block's relu, add and pad; a pooling) the activation would go
// NCHW and back for nothing, and an elementwise op that reads a transpose
// reads it across the lanes. Here each such transpose moves down through
// what reads it and could as well run channels-last: elementwise ops whose
// every full-size operand is such a transpose, pads, poolings,
// max_pool2d_grad's reductions over the pooling windows (its maxima and
// first-maximum codes: the training step's copy of the image goes, and
// the channels fill the lanes where NCHW deinterleaves window columns), a
// repeated block's loop (its carried activation) and the lane convs
// themselves (a conv reads its input value by value, in any layout).
//
// In the training step a repeated block also saves activations for its
// backward pass, in stacks [S, N, C, H, W] its loop carries: these go
// channels-last too ([S, N, H, W, C]), with the inserts that fill them and
// the slices that read them, and so does the backward loop's gradient
// (copied channels-last once before the loop where it starts NCHW).
// Batchnorm's sums over the batch and the image read the channels-last
// image with the channels as lanes. A residual block then runs forward and
// backward without a layout copy.
//
// In the backward pass, max_pool2d_grad's scatter into the windows runs
// channels-last too where its image is read so (a first conv's weight
// gradient with the output channels as the lane, a lane conv's padded
// input), and so does a linear layer's input gradient unflattened into an
// image (over a channels-last copy of the weight) that such a scatter reads.
//
// A transpose ends up where something needs NCHW (a flatten before a
// linear layer), and a transpose back to channels-last of one (a weight
// gradient's copy) goes. It does not move below an op whose result
// something NCHW also reads: there it would be one more copy of the
// activation, where above the op it fuses into it.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_CHANNELSLASTACTIVATIONS_H
#define CNNC_CODEGEN_CPU_CHANNELSLASTACTIVATIONS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Support/LLVM.h"

namespace cnnc::cpu {

/// The name of the unit attribute that marks an op this moved to
/// channels-last ([N, H, W, C] iteration), for the strategy to tile.
constexpr llvm::StringLiteral kChannelsLastMark = "cnn_cpu.channels_last";

/// The name of the unit attribute that marks a weight gradient the
/// strategy reads dy of channels-last where dy comes so (ChannelLaneConv.h's
/// OutputChannelTaps): its dy counts as read channels-last.
constexpr llvm::StringLiteral kChannelsLastDyMark = "cnn_cpu.channels_last_dy";

/// Moves the NCHW transposes of channel-lane conv results in `func` down
/// as far as the ops reading them allow, marking the ops that now run
/// channels-last with kChannelsLastMark.
mlir::LogicalResult propagateChannelsLast(mlir::func::FuncOp func);

/// The channels-last tensor that `v` (an activation or a stack of them) is
/// the NCHW transpose of, or null.
mlir::Value channelsLastSource(mlir::Value v);

/// Whether `op` only copies its 4-D input into its output, reading it at
/// (d[inputDims[0]], ..., d[inputDims[3]]): a layout transpose ({0, 3, 1, 2}:
/// NCHW into NHWC).
bool isTranspose(mlir::linalg::GenericOp op,
                 llvm::ArrayRef<unsigned> inputDims);

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_CHANNELSLASTACTIVATIONS_H
