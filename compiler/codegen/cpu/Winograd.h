//===- Winograd.h - Winograd's minimal filtering as vector code -*- C++ -*-===//
//
// What the Winograd convs (F(2x2, 3x3) and F(4x4, 3x3)) and the Winograd
// weight gradients (F(3x3, 2x2) and F(3x3, 4x4)) share: the loops they are
// emitted as, the 1-D transforms on vectors of one register of channels, and
// the input transform, the same for F(2x2, 3x3) and F(3x3, 2x2) (Lavin and
// Gray, "Fast Algorithms for Convolutional Neural Networks", 2016). Both are
// emitted as vector code on tensors by cnn-cpu-winograd-conv (WinogradConv.cpp,
// WinogradWeightGrad.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_WINOGRAD_H
#define CNNC_CODEGEN_CPU_WINOGRAD_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

#include <array>

namespace cnnc::cpu::winograd {

/// The values of one row or column of a tile: 4 (F(2x2, 3x3)) or 6
/// (F(4x4, 3x3)).
using Points = llvm::SmallVector<mlir::Value, 6>;

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
  /// x * c (null for null).
  mlir::Value scale(mlir::Value x, float c);
  /// x * c + y, null values taken as zero.
  mlir::Value fma(mlir::Value x, float c, mlir::Value y);
  mlir::Value zero();

  mlir::Value read(mlir::Value tensor, mlir::ValueRange at);
  mlir::Value write(mlir::Value v, mlir::Value tensor, mlir::ValueRange at);

  /// Bᵀ d: the 1-D transform of a tile row of input values: 4
  /// (F(2x2, 3x3), and F(3x3, 2x2) but for a sign the weight gradient's
  /// transform of dy takes) or 6 (F(4x4, 3x3)).
  Points inputPoints(llvm::ArrayRef<mlir::Value> d);
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

/// Part `part` of `parts` of the prefetches of image `next` of each of
/// `images` ([N, H, W, C] each) into the second-level cache, their rows
/// shared out in order: a loop of `parts` iterations that runs while the
/// current image's data is in the cache asks, step by step, for the next
/// one's, which would otherwise be read from memory when its turn comes.
/// Through a read-only view of each tensor's buffer, which bufferization
/// resolves without a copy.
void prefetchShare(mlir::ImplicitLocOpBuilder &b,
                   llvm::ArrayRef<mlir::Value> images, mlir::Value next,
                   mlir::Value part, int64_t parts, int64_t lanes);

/// Erases the padding `in` came from once nothing reads it (left for
/// bufferization, it would still be made, a copy of the whole image).
void eraseUnreadPadding(mlir::RewriterBase &rewriter, mlir::Value in);

/// A loop over [first, last) carrying `init`.
mlir::Value
loopOver(mlir::ImplicitLocOpBuilder &b, int64_t first, int64_t last,
         mlir::Value init,
         llvm::function_ref<mlir::Value(mlir::ImplicitLocOpBuilder &,
                                        mlir::Value, mlir::Value)>
             body);

/// Consecutive tiles [first, last) of a row or column of tiles alike in
/// `key` (which of their input rows fall outside the image, or how many of
/// their outputs inside it): emitted as one loop, `key` known in its body.
struct TileRun {
  int64_t first, last;
  int64_t key;
};

/// The runs of `count` tiles whose keys `keyOf(t)` gives.
llvm::SmallVector<TileRun> tileRuns(int64_t count,
                                    llvm::function_ref<int64_t(int64_t)> keyOf);

/// A loop over `range` by `step` (the channels, outermost: LLVM does not
/// unroll a loop of loops), then over the tile rows and columns run by run,
/// carrying `init`; `body` gets the tile's row and column, the channel and
/// the row's and column's keys.
mlir::Value forEachTileRun(
    mlir::ImplicitLocOpBuilder &b, int64_t range, int64_t step,
    llvm::ArrayRef<TileRun> rowRuns, llvm::ArrayRef<TileRun> columnRuns,
    mlir::Value init,
    llvm::function_ref<mlir::Value(mlir::ImplicitLocOpBuilder &, mlir::Value,
                                   mlir::Value, mlir::Value, int64_t, int64_t,
                                   mlir::Value)>
        body);

/// Room for `count` tiles in each point's row of a transformed tensor
/// (V, D or M: [points, tiles, channels]): an odd number. A tile's
/// transform writes its points (the output transform reads them) a row
/// apart; at an even count they crowd a few sets of the first-level cache
/// and evict each other (16 tiles of 32 channels: rows 2 KB apart, a
/// tile's 36 lines in 2 sets of 64). In a C model of the weight gradient
/// on one core (bench/winograd_grad_model.c), 16 tiles of F(3x3, 4x4)
/// took 5.4 us an image to transform, 17 took 2.9-3.1.
int64_t tileRoom(int64_t count);

/// The tiles of an image: `rows` x `columns` tiles of `side` x `side`
/// outputs (2 or 4), each read from the input tile of `side` + 2 rows and
/// columns at rows and columns `side` apart.
struct Tiles {
  int64_t rows, columns, side;
  mlir::VectorType vec;
  /// The image's tile row where these rows begin (a band of them).
  int64_t firstRow = 0;

  int64_t count() const { return rows * columns; }
  int64_t lanes() const { return vec.getNumElements(); }
  /// Input rows (and columns) of a tile.
  int64_t patch() const { return side + 2; }
  /// Points of the transform: patch()².
  int64_t points() const { return patch() * patch(); }

  /// V[patch * k1 + k2, t, c] = (Bᵀ d_t B)[k1, k2]: image `n`'s input tiles
  /// of `source` transformed (adds; and multiplies by small constants for
  /// F(4x4, 3x3)).
  mlir::Value transformInput(mlir::ImplicitLocOpBuilder &b,
                             const struct TileSource &source, mlir::Value n,
                             int64_t channels) const;
};

/// Computes the Winograd weight gradient `op` (isWinogradWeightGrad) as
/// F(3x3, 2x2) or F(3x3, 4x4), with vectors of `lanes` floats; an error
/// where it is not of the strategy's form.
mlir::LogicalResult lowerWeightGrad(mlir::RewriterBase &rewriter,
                                    mlir::linalg::GenericOp op, int64_t lanes);

} // namespace cnnc::cpu::winograd

#endif // CNNC_CODEGEN_CPU_WINOGRAD_H
