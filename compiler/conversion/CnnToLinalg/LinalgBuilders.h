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

} // namespace cnn::lowering

#endif // CNNC_CONVERSION_CNNTOLINALG_LINALGBUILDERS_H
