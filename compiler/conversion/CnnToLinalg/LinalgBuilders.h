//===- LinalgBuilders.h - small builders the cnn lowerings share -*- C++ -*-===//
//
// The forward lowerings (CnnToLinalg.cpp) and the training lowerings
// (TrainOps.cpp) build the same few shapes of linalg on tensors.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CONVERSION_CNNTOLINALG_LINALGBUILDERS_H
#define CNNC_CONVERSION_CNNTOLINALG_LINALGBUILDERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"

namespace cnn::lowering {

using ScalarFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

mlir::Value f32Constant(mlir::OpBuilder &b, mlir::Location loc, double value);

/// An uninitialised tensor of `type`; its dynamic dimensions (the batch)
/// are those of `like`, which has the same rank.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::Value like);

/// `init` filled with `value`.
mlir::Value fill(mlir::OpBuilder &b, mlir::Location loc, double value,
                 mlir::Value init);

llvm::SmallVector<mlir::utils::IteratorType> parallel(int64_t rank);

/// The map (d0, ..., d{rank-1}) -> (d{dim}): a per-channel vector seen from
/// an iteration over a whole tensor.
mlir::AffineMap channelMap(mlir::MLIRContext *ctx, int64_t rank, int64_t dim);

/// `init` filled with the per-channel vector `vec` broadcast along `dim`.
mlir::Value broadcastChannels(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value vec, mlir::Value init, int64_t dim);

/// An elementwise linalg.generic over `init`'s shape. `inputs` are read with
/// `inputMaps` (identity when empty); `body` gets their elements, then the
/// init's, and returns the result element.
/// The conv/linear accumulator: `init` holding the broadcast `bias` along
/// `dim`, or zeros where there is none.
mlir::Value biasOrZeros(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value bias, mlir::Value init, int64_t dim);

mlir::Value elementwise(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::ValueRange inputs, mlir::Value init, ScalarFn body,
                        llvm::ArrayRef<mlir::AffineMap> inputMaps = {});

/// strides/dilations attribute of the linalg conv and pooling ops.
mlir::DenseIntElementsAttr pairAttr(mlir::OpBuilder &b,
                                    llvm::ArrayRef<int64_t> values);

/// `input` [N, C, H, W] padded with zeros by `padding` rows and columns on
/// both sides (`input` itself when both are 0).
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value input, llvm::ArrayRef<int64_t> low,
                       llvm::ArrayRef<int64_t> high);

using IteratorType = mlir::utils::IteratorType;
constexpr IteratorType kPar = IteratorType::parallel;
constexpr IteratorType kRed = IteratorType::reduction;

using MultiFn = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

mlir::Value f64Constant(mlir::OpBuilder &b, mlir::Location loc, double value);
mlir::Value indexConstant(mlir::OpBuilder &b, mlir::Location loc,
                          int64_t value);
mlir::Value i32Constant(mlir::OpBuilder &b, mlir::Location loc, int64_t value);

/// An index as a float of `type` (f32 or f64).
mlir::Value indexToFloat(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value index, mlir::FloatType type);

/// The batch size of `t` (dimension 0) times `perSample`, as a float.
mlir::Value countOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Value t,
                    int64_t perSample, mlir::FloatType type);

/// A zero-filled tensor of `shape` and `element` type, for accumulators;
/// `dynamicSizes` give its dynamic dimensions, in order.
mlir::Value zeros(mlir::OpBuilder &b, mlir::Location loc,
                  llvm::ArrayRef<int64_t> shape, mlir::Type element,
                  mlir::ValueRange dynamicSizes = {});

/// A linalg.generic with explicit maps and iterators, one result per init;
/// `body` returns one value per init.
mlir::linalg::GenericOp generic(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::ValueRange inputs, mlir::ValueRange inits,
                                llvm::ArrayRef<mlir::AffineMap> maps,
                                llvm::ArrayRef<IteratorType> iterators,
                                MultiFn body);

mlir::AffineMap identityMap(mlir::MLIRContext *ctx, int64_t rank);

/// `t` [N, C, H, W] as [N, H, W, C], and back: layout copies. A tensor of
/// higher rank is a stack of such ([S, N, C, H, W]): its last three dims
/// move so.
mlir::Value channelsLast(mlir::OpBuilder &b, mlir::Location loc, mlir::Value t);
mlir::Value channelsFirst(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value t);

/// The permutations of those copies: result dim k is the input's dims[k]
/// (rank 4: {0, 2, 3, 1} and {0, 3, 1, 2}).
llvm::SmallVector<unsigned> channelsLastDims(int64_t rank);
llvm::SmallVector<unsigned> channelsFirstDims(int64_t rank);

/// The part of `x` [N, C, H, W] (dynamic N, static rest) that windows of
/// `kernel` stepping by `kernel` cover, the rows and columns a pooling's
/// floor skips cut off, viewed as [N, C, OH, KH, OW, KW]: one window per
/// (oh, ow), each of its rows contiguous with the next window's. `batch` is
/// N (tensor.dim of `x` when null). Null when `x` is not of that form.
mlir::Value poolWindows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                        llvm::ArrayRef<int64_t> kernel,
                        mlir::Value batch = nullptr);

/// The maximum of each window of `windows` (poolWindows') into `init`
/// [N, C, OH, OW] (filled with -inf): a reduction over (i, j), with the
/// window columns innermost.
mlir::Value windowMaxima(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value windows, mlir::Value init);

/// Per-channel statistics (batchnorm's mean and variance, its backward sums)
/// and the penalty accumulate in f64, as PyTorch's CPU kernels do (their
/// acc_type of float is double): they sum up to N·H·W values.
///
/// Per-channel sums over an [N, C, ...] iteration in f64: one result per
/// term of `body` (which gets the inputs' elements at each position, read
/// with `inputMaps`, and returns the f64 terms). Returns the [C] f64
/// accumulators, as one reduction over the iteration with C parallel (a CPU
/// strategy splits it by image column: compiler/codegen/cpu/LaneSums.h).
llvm::SmallVector<mlir::Value>
channelSums(mlir::OpBuilder &b, mlir::Location loc, int64_t rank,
            int64_t channels, mlir::ValueRange inputs,
            llvm::ArrayRef<mlir::AffineMap> inputMaps, unsigned terms,
            MultiFn body);

} // namespace cnn::lowering

#endif // CNNC_CONVERSION_CNNTOLINALG_LINALGBUILDERS_H
