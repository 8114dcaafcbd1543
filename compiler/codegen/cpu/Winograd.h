//===- Winograd.h - Winograd's minimal filtering as vector code -*- C++ -*-===//
//
// What the Winograd conv (F(2x2, 3x3)) and the Winograd weight gradient
// (F(3x3, 2x2)) share: the loops they are emitted as, the 1-D transforms on
// vectors of one register of channels, and the input transform, which is
// the same for both (Lavin and Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2016). Both are emitted as vector code on tensors by
// cnn-cpu-winograd-conv (WinogradConv.cpp, WinogradWeightGrad.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_WINOGRAD_H
#define CNNC_CODEGEN_CPU_WINOGRAD_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

#include <array>

namespace cnnc::cpu::winograd {

using Four = std::array<mlir::Value, 4>;

/// The arithmetic of the transforms on vectors of one register of channels.
struct Emitter {
  mlir::ImplicitLocOpBuilder &b;
  mlir::VectorType vec;

  mlir::Value index(int64_t v);
  mlir::Value add(mlir::Value x, mlir::Value y);
  mlir::Value mul(mlir::Value x, int64_t y);
  mlir::Value fadd(mlir::Value x, mlir::Value y);
  mlir::Value fsub(mlir::Value x, mlir::Value y);
  // fadd and fsub take a null value as zero, and give null for 0 ± 0: the
  // tiles at an image's border add no zeros.
  mlir::Value half(mlir::Value x);
  mlir::Value zero();

  mlir::Value read(mlir::Value tensor, mlir::ValueRange at);
  mlir::Value write(mlir::Value v, mlir::Value tensor, mlir::ValueRange at);

  /// Bᵀ d: the 1-D transform of four input values (both algorithms).
  Four inputPoints(const Four &d);
};

/// A loop from 0 to `upper` by `step` carrying `init`; `body` returns what
/// the iteration yields.
mlir::Value loop(mlir::ImplicitLocOpBuilder &b, mlir::Value upper, int64_t step,
                 mlir::Value init,
                 llvm::function_ref<mlir::Value(mlir::ImplicitLocOpBuilder &,
                                                mlir::Value, mlir::Value)>
                     body);
mlir::Value loop(mlir::ImplicitLocOpBuilder &b, int64_t upper, int64_t step,
                 mlir::Value init,
                 llvm::function_ref<mlir::Value(mlir::ImplicitLocOpBuilder &,
                                                mlir::Value, mlir::Value)>
                     body);

/// Where the 4x4 input tiles are read: tile row i of the tile at image row
/// y0 is row y0 + i - pad of `image` [N, H, W, C], a row outside it zeros;
/// the same for columns.
struct TileSource {
  mlir::Value image;
  int64_t pad = 0;
};

/// `in` [N, H, W, C] itself, or, where `in` is a zero padding of one row
/// and one column on each side, the image it pads: the tiles then read
/// zeros where the padding was, rather than a padded copy being made.
TileSource tileSource(mlir::Value in);

/// Erases the padding `in` came from once nothing reads it (left for
/// bufferization, it would still be made, a copy of the whole image).
void eraseUnreadPadding(mlir::RewriterBase &rewriter, mlir::Value in);

/// The 2x2 tiles of an image of `rows` x `columns` tiles.
struct Tiles {
  int64_t rows, columns;
  mlir::VectorType vec;

  int64_t count() const { return rows * columns; }
  int64_t lanes() const { return vec.getNumElements(); }

  /// A loop nest over the tiles and one vector register of `range`'s
  /// channels a step, carrying `init`; `body` gets the tile's row, column
  /// and index and the first channel.
  mlir::Value
  forEach(mlir::ImplicitLocOpBuilder &b, int64_t range, mlir::Value init,
          llvm::function_ref<mlir::Value(Emitter &, mlir::Value, mlir::Value,
                                         mlir::Value, mlir::Value, mlir::Value)>
              body) const;

  /// V[4 * k1 + k2, t, c] = (Bᵀ d_t B)[k1, k2]: image `n`'s 4x4 input tiles
  /// of `source`, at rows and columns 2 apart, transformed (adds only).
  mlir::Value transformInput(mlir::ImplicitLocOpBuilder &b,
                             const struct TileSource &source, mlir::Value n,
                             int64_t channels) const;
};

/// Computes the Winograd weight gradient `op` (isWinogradWeightGrad) as
/// F(3x3, 2x2), with vectors of `lanes` floats; an error where it is not
/// of the strategy's form.
mlir::LogicalResult lowerWeightGrad(mlir::RewriterBase &rewriter,
                                    mlir::linalg::GenericOp op, int64_t lanes);

} // namespace cnnc::cpu::winograd

#endif // CNNC_CODEGEN_CPU_WINOGRAD_H
