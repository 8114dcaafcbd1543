//===- WinogradConv.cpp - 3x3 convolutions by Winograd's F(2x2, 3x3) ------===//
//
// A channel-lane conv the strategy marked `algorithm = "winograd"` (3x3,
// stride 1, even output sides, channels in whole vectors; left whole per
// image by cnn-cpu-tile-and-fuse) is computed as Winograd's minimal
// filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016): a 2x2 output tile from its 4x4
// input tile with 16 multiplies a channel pair instead of 36. Per image,
// with t a 2x2 output tile and k = 4 * k1 + k2 one of the 16 points:
//
//   V[k, t, c] = (Bᵀ d_t B)[k1, k2]      the input tiles, transformed (adds)
//   M[k, t, f] = Σ_c V[k, t, c] U[k, c, f]   16 products [tiles, C] x [C, F]
//   y_t       += Aᵀ M[., t, f] A          back to 2x2 outputs (adds)
//
// and U = G g Gᵀ, the filter transformed where the filter is defined:
// outside the image loop, once per call (per block of a repeated block's
// loop). The products are register tiles as the strategy sized them:
// `registers[2]` tiles x `registers[3]` output channels, one broadcast of
// V a tile and one load of U a vector register per input channel.
// Everything is emitted as vector code on tensors, one vector register of
// channels at a time; bufferization gives V and M a buffer per thread.
// The same pass computes the Winograd weight gradients
// (WinogradWeightGrad.cpp).
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CpuConfig.h"
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/TargetInfo.h"
#include "codegen/cpu/Winograd.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Matchers.h"

#include <array>

namespace cnnc::cpu {
#define GEN_PASS_DEF_CPUWINOGRADCONV
#include "codegen/cpu/Passes.h.inc"
} // namespace cnnc::cpu

using namespace mlir;

namespace {

using namespace cnnc::cpu::winograd;

/// G g: the 1-D transform of three filter taps, to side + 2 points.
Points filterPoints(Emitter &e, Value g0, Value g1, Value g2, int64_t side) {
  Value outer = e.fadd(g0, g2);
  if (side == 2)
    return {g0, e.half(e.fadd(outer, g1)), e.half(e.fsub(outer, g1)), g2};
  // F(4x4, 3x3)'s G: [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6;
  //                   1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
  Value ends = e.fma(g0, 1.0f / 24, e.scale(g2, 1.0f / 6));
  return {e.scale(g0, 0.25f),
          e.scale(e.fadd(outer, g1), -1.0f / 6),
          e.scale(e.fsub(outer, g1), -1.0f / 6),
          e.fma(g1, 1.0f / 12, ends),
          e.fma(g1, -1.0f / 12, ends),
          g2};
}

/// Aᵀ m: side + 2 products back to `side` outputs.
Points outputPoints(Emitter &e, ArrayRef<Value> m, int64_t side) {
  if (side == 2)
    return {e.fadd(e.fadd(m[0], m[1]), m[2]), e.fsub(e.fsub(m[1], m[2]), m[3])};
  // F(4x4, 3x3)'s Aᵀ: [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0;
  //                    0 1 -1 8 -8 1]
  Value s1 = e.fadd(m[1], m[2]), d1 = e.fsub(m[1], m[2]);
  Value s2 = e.fadd(m[3], m[4]), d2 = e.fsub(m[3], m[4]);
  return {e.fadd(e.fadd(m[0], s1), s2), e.fma(d2, 2, d1), e.fma(s2, 4, s1),
          e.fadd(e.fma(d2, 8, d1), m[5])};
}

/// U[p * k1 + k2, c, f] = (G g[., ., c, f] Gᵀ)[k1, k2] (p = side + 2), for
/// the filter `g` [3, 3, C, F], right after it is defined; for a stack of
/// filters [S, 3, 3, C, F], U [S, p², C, F].
Value transformFilter(OpBuilder &builder, Location loc, Value g, VectorType vec,
                      int64_t side) {
  OpBuilder::InsertionGuard guard(builder);
  if (Operation *def = g.getDefiningOp())
    builder.setInsertionPointAfter(def);
  else
    builder.setInsertionPointToStart(cast<BlockArgument>(g).getOwner());
  ImplicitLocOpBuilder b(loc, builder);
  auto type = cast<RankedTensorType>(g.getType());
  bool stacked = type.getRank() == 5;
  ArrayRef<int64_t> shape = type.getShape().take_back(4);
  int64_t channels = shape[2], outputs = shape[3];
  int64_t p = side + 2;
  SmallVector<int64_t> uShape{p * p, channels, outputs};
  if (stacked)
    uShape.insert(uShape.begin(), type.getDimSize(0));
  Value init = tensor::EmptyOp::create(b, uShape, type.getElementType());
  int64_t lanes = vec.getNumElements();
  auto filter = [&](ImplicitLocOpBuilder &b, Value s, Value u) {
    auto at = [&](SmallVector<Value> indices) {
      if (stacked)
        indices.insert(indices.begin(), s);
      return indices;
    };
    return loop(
        b, channels, 1, u, [&](ImplicitLocOpBuilder &b, Value c, Value u) {
          return loop(
              b, outputs, lanes, u,
              [&](ImplicitLocOpBuilder &b, Value f, Value u) {
                Emitter e{b, vec};
                // Along the filter's rows, each column; then along each
                // row.
                std::array<Points, 3> columns;
                for (int64_t j = 0; j < 3; ++j) {
                  Value tap[3];
                  for (int64_t i = 0; i < 3; ++i)
                    tap[i] = e.read(g, at({e.index(i), e.index(j), c, f}));
                  columns[j] = filterPoints(e, tap[0], tap[1], tap[2], side);
                }
                for (int64_t k1 = 0; k1 < p; ++k1) {
                  Points row = filterPoints(e, columns[0][k1], columns[1][k1],
                                            columns[2][k1], side);
                  for (int64_t k2 = 0; k2 < p; ++k2)
                    u = e.write(row[k2], u, at({e.index(p * k1 + k2), c, f}));
                }
                return u;
              });
        });
  };
  if (!stacked)
    return filter(b, Value(), init);
  return loop(b, type.getDimSize(0), 1, init, filter);
}

/// The transformed filter of `op`: made once per call where the filter is
/// defined, or, where the filter is a slice of a stack of filters made
/// outside the loop over images around `op` (distinct blocks' filters in
/// inference, whose repeated block runs inside each image's loop), the
/// whole stack's, once, and its slice: not the filter's, once per image.
Value transformedFilter(RewriterBase &rewriter, linalg::GenericOp op,
                        VectorType vec, int64_t side) {
  Location loc = op.getLoc();
  Value g = op.getDpsInputs()[1];
  auto slice = g.getDefiningOp<tensor::ExtractSliceOp>();
  auto images = op->getParentOfType<scf::ForallOp>();
  if (!slice || !images || slice.getSourceType().getRank() != 5 ||
      !images.isDefinedOutsideOfLoop(slice.getSource()) ||
      !slice.hasUnitStride() ||
      !llvm::all_of(ArrayRef(slice.getMixedOffsets()).drop_front(),
                    isZeroInteger) ||
      !isOneInteger(slice.getMixedSizes().front()))
    return transformFilter(rewriter, loc, g, vec, side);
  Value all = transformFilter(rewriter, loc, slice.getSource(), vec, side);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointAfter(slice);
  auto allType = cast<RankedTensorType>(all.getType());
  SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
  offsets.front() = slice.getMixedOffsets().front();
  SmallVector<OpFoldResult> sizes{rewriter.getIndexAttr(1)};
  for (int64_t d : allType.getShape().drop_front())
    sizes.push_back(rewriter.getIndexAttr(d));
  SmallVector<OpFoldResult> strides(4, rewriter.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(
      rewriter, loc,
      RankedTensorType::get(allType.getShape().drop_front(),
                            allType.getElementType()),
      all, offsets, sizes, strides);
}

/// One Winograd conv's sizes and its per-image code.
struct Shape {
  int64_t rows, columns;     ///< of the output
  int64_t side;              ///< of an output tile: 2 or 4
  int64_t channels, outputs; ///< C, F
  int64_t stepTiles, stepChannels;
  VectorType vec;
  /// A band of the image's tile rows: its first row and row count (0: all).
  int64_t firstRow = 0, bandRows = 0;

  int64_t lanes() const { return vec.getNumElements(); }
  int64_t imageTileRows() const { return (rows + side - 1) / side; }
  int64_t tileRows() const { return bandRows ? bandRows : imageTileRows(); }
  int64_t tileColumns() const { return (columns + side - 1) / side; }
  int64_t tiles() const { return tileRows() * tileColumns(); }
  int64_t points() const { return (side + 2) * (side + 2); }

  Tiles tileGrid() const {
    return {tileRows(), tileColumns(), side, vec, firstRow};
  }

  /// The tile rows of a band: F(4x4, 3x3)'s image is transformed,
  /// multiplied and transformed back in bands of whole tile rows that hold
  /// one register step of tiles (8 of the 16 at 14 x 14 and 16 x 16, 2
  /// rows): V and M of a band (36 points x 8 tiles x 32 channels, 36 KB
  /// each; room for 9 tiles, tileRoom) stay near the core, where the whole
  /// image's (73 KB each) went through the second-level cache between the
  /// phases. NetResDeep's forward conv and input gradient at Fashion-MNIST:
  /// 7% and 13% faster (stop 50, before tileRoom; with it, whole images
  /// trained 0-4% faster but NetResDeepDistinct's 100-block inference at
  /// CIFAR-2 ran 1.26x as long, stop 51). F(2x2, 3x3) keeps the whole
  /// image: a row of its tiles at a time was 3% slower (bench/RESULTS.md,
  /// stop 48).
  int64_t bandTileRows() const {
    int64_t all = imageTileRows();
    if (side != 4 || stepTiles % tileColumns() != 0)
      return all;
    int64_t rows = stepTiles / tileColumns();
    return rows >= 1 && all % rows == 0 ? rows : all;
  }

  /// The band of `count` tile rows from `first`.
  Shape band(int64_t first, int64_t count) const {
    Shape b = *this;
    b.firstRow = first;
    b.bandRows = count;
    return b;
  }

  /// M[k, t, f] = Σ_c V[k, t, c] U[k, c, f]: register tiles of `stepTiles`
  /// tiles x `stepChannels` output channels, the last tiles a smaller step.
  Value multiply(ImplicitLocOpBuilder &b, Value v, Value u) {
    Value m = tensor::EmptyOp::create(
        b, ArrayRef<int64_t>{points(), tileRoom(tiles()), outputs},
        vec.getElementType());
    int64_t wholeSteps = tiles() / stepTiles * stepTiles;
    return loop(
        b, points(), 1, m, [&](ImplicitLocOpBuilder &b, Value k, Value m) {
          return loop(
              b, outputs, stepChannels, m,
              [&](ImplicitLocOpBuilder &b, Value f, Value m) {
                if (wholeSteps > 0)
                  m = loop(b, wholeSteps, stepTiles, m,
                           [&](ImplicitLocOpBuilder &b, Value t0, Value m) {
                             return step(b, v, u, k, f, t0, stepTiles, m);
                           });
                if (tiles() > wholeSteps)
                  m = step(b, v, u, k, f,
                           arith::ConstantIndexOp::create(b, wholeSteps),
                           tiles() - wholeSteps, m);
                return m;
              });
        });
  }

  /// One register tile: `rows` tiles from `t0` x `stepChannels` from `f`
  /// of point `k`, a broadcast of V a tile and a load of U a register per
  /// input channel.
  Value step(ImplicitLocOpBuilder &b, Value v, Value u, Value k, Value f,
             Value t0, int64_t rows, Value m) {
    Emitter e{b, vec};
    int64_t registers = stepChannels / lanes();
    Value zero = arith::ConstantOp::create(
        b, vec, DenseElementsAttr::get(vec, b.getF32FloatAttr(0)));
    SmallVector<Value> accs(rows * registers, zero);
    auto reduction = scf::ForOp::create(
        b, e.index(0), e.index(channels), e.index(1), accs,
        [&](OpBuilder &nested, Location loc, Value c, ValueRange acc) {
          ImplicitLocOpBuilder nb(loc, nested);
          Emitter ne{nb, vec};
          SmallVector<Value> weights;
          for (int64_t r = 0; r < registers; ++r)
            weights.push_back(
                ne.read(u, {k, c, ne.add(f, ne.index(r * lanes()))}));
          SmallVector<Value> next;
          for (int64_t row = 0; row < rows; ++row) {
            Value s = tensor::ExtractOp::create(
                nb, v, ValueRange{k, ne.add(t0, ne.index(row)), c});
            Value broadcast = vector::BroadcastOp::create(nb, vec, s);
            for (int64_t r = 0; r < registers; ++r)
              next.push_back(vector::FMAOp::create(nb, broadcast, weights[r],
                                                   acc[row * registers + r]));
          }
          scf::YieldOp::create(nb, next);
        });
    for (int64_t row = 0; row < rows; ++row)
      for (int64_t r = 0; r < registers; ++r)
        m = e.write(
            reduction.getResult(row * registers + r), m,
            {k, e.add(t0, e.index(row)), e.add(f, e.index(r * lanes()))});
    return m;
  }

  /// Image `n` of `out` plus Aᵀ M A, each tile's side x side outputs
  /// inside the image (Aᵀ M A alone where `out` is known to be zeros).
  Value transformOutput(ImplicitLocOpBuilder &b, Value m, Value n, Value out,
                        bool zeros) {
    // A tile's key: its outputs inside the image, of `side`.
    auto inside = [&](int64_t size) {
      return [&, size](int64_t t) { return std::min(side, size - side * t); };
    };
    auto rowInside = inside(rows);
    SmallVector<TileRun> rowRuns = tileRuns(
        tileRows(), [&](int64_t t) { return rowInside(t + firstRow); });
    SmallVector<TileRun> columnRuns = tileRuns(tileColumns(), inside(columns));
    int64_t p = side + 2;
    auto transform = [&](ImplicitLocOpBuilder &b, Value ty, Value tx, Value f,
                         int64_t rowsInside, int64_t columnsInside, Value out) {
      Emitter e{b, vec};
      Value t = e.add(e.mul(ty, tileColumns()), tx);
      // Along the points' first index, each second; then along each row.
      SmallVector<Points> pointColumns;
      for (int64_t k2 = 0; k2 < p; ++k2) {
        Points points;
        for (int64_t k1 = 0; k1 < p; ++k1)
          points.push_back(e.read(m, {e.index(p * k1 + k2), t, f}));
        pointColumns.push_back(outputPoints(e, points, side));
      }
      Value y0 = e.mul(e.add(ty, e.index(firstRow)), side),
            x0 = e.mul(tx, side);
      for (int64_t i = 0; i < rowsInside; ++i) {
        Points row;
        for (int64_t k2 = 0; k2 < p; ++k2)
          row.push_back(pointColumns[k2][i]);
        Points outputs = outputPoints(e, row, side);
        for (int64_t j = 0; j < columnsInside; ++j) {
          SmallVector<Value> at{n, e.add(y0, e.index(i)), e.add(x0, e.index(j)),
                                f};
          Value sum = zeros ? outputs[j] : e.fadd(e.read(out, at), outputs[j]);
          out = e.write(sum, out, at);
        }
      }
      return out;
    };
    // The tiles in runs with the same outputs inside the image.
    return forEachTileRun(b, this->outputs, lanes(), rowRuns, columnRuns, out,
                          transform);
  }
};

/// The tensor.empty that `init` sets to zeros whole (a linalg.fill, or the
/// vector write of a zero constant that vectorization made of one), or null.
/// Where `init` is a slice of such zeros (one image of a batch set to zeros
/// before the image loop: the input gradient's), a new tensor.empty of the
/// slice's shape, made by `b`: else each image's zeros would be copied into
/// a buffer of the conv's, only to be added to.
Value zerosOver(ImplicitLocOpBuilder &b, Value init) {
  if (auto slice = init.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (!zerosOver(b, slice.getSource()))
      return nullptr;
    RankedTensorType type = slice.getType();
    SmallVector<Value> dynamic;
    for (auto [i, size] : llvm::enumerate(slice.getMixedSizes()))
      if (type.isDynamicDim(i))
        dynamic.push_back(cast<Value>(size));
    return tensor::EmptyOp::create(b, type, dynamic);
  }
  Operation *def = init.getDefiningOp();
  Value value, dest;
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(def)) {
    value = fill.getInputs()[0];
    dest = fill.getOutputs()[0];
  } else if (auto write = dyn_cast_or_null<vector::TransferWriteOp>(def)) {
    auto type = dyn_cast<RankedTensorType>(write.getBase().getType());
    if (!type || write.getVectorType().getShape() != type.getShape() ||
        !llvm::all_of(write.getIndices(), isZeroInteger))
      return nullptr;
    value = write.getVector();
    dest = write.getBase();
  }
  if (!value || !dest.getDefiningOp<tensor::EmptyOp>() ||
      !matchPattern(value, m_AnyZeroFloat()))
    return nullptr;
  return dest;
}

struct CpuWinogradConvPass
    : cnnc::cpu::impl::CpuWinogradConvBase<CpuWinogradConvPass> {
  using CpuWinogradConvBase::CpuWinogradConvBase;

  cnnc::cpu::TargetInfo target;

  LogicalResult initialize(MLIRContext *ctx) override {
    FailureOr<cnnc::cpu::TargetInfo> info =
        cnnc::cpu::targetInfoForPass(ctx, getArgument(), cpu, features);
    if (failed(info))
      return failure();
    target = *info;
    return success();
  }

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> convs, weightGrads;
    getOperation().walk([&](linalg::GenericOp op) {
      if (cnnc::cpu::isWinogradConv(op))
        convs.push_back(op);
      else if (cnnc::cpu::isWinogradWeightGrad(op))
        weightGrads.push_back(op);
    });
    for (linalg::GenericOp op : convs)
      if (failed(lower(op)))
        return signalPassFailure();
    for (linalg::GenericOp op : weightGrads) {
      IRRewriter rewriter(op);
      if (failed(lowerWeightGrad(rewriter, op, target.f32Lanes())))
        return signalPassFailure();
    }
  }

  /// The lane conv's form: input [N, H + 2, W + 2, C] read at (n, oh + i,
  /// ow + j, c), filter [3, 3, C, F], output [N, H, W, F]; output tiles of
  /// `side` 2 need even H and W.
  static bool isWinogradForm(linalg::GenericOp op, int64_t side) {
    MLIRContext *ctx = op.getContext();
    AffineExpr n, oh, ow, f, c, i, j;
    bindDims(ctx, n, oh, ow, f, c, i, j);
    SmallVector<AffineMap> maps{
        AffineMap::get(7, 0, {n, oh + i, ow + j, c}, ctx),
        AffineMap::get(7, 0, {i, j, c, f}, ctx),
        AffineMap::get(7, 0, {n, oh, ow, f}, ctx)};
    if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        op.getIndexingMapsArray() != maps)
      return false;
    auto in = cast<RankedTensorType>(op.getDpsInputs()[0].getType());
    auto g = cast<RankedTensorType>(op.getDpsInputs()[1].getType());
    auto out = cast<RankedTensorType>(op.getDpsInits()[0].getType());
    return g.hasStaticShape() && g.getDimSize(0) == 3 && g.getDimSize(1) == 3 &&
           !in.isDynamicDim(1) && !in.isDynamicDim(2) && !out.isDynamicDim(1) &&
           !out.isDynamicDim(2) && in.getDimSize(1) >= out.getDimSize(1) + 2 &&
           in.getDimSize(2) >= out.getDimSize(2) + 2 &&
           (side == 4 ||
            (out.getDimSize(1) % 2 == 0 && out.getDimSize(2) % 2 == 0));
  }

  LogicalResult lower(linalg::GenericOp op) {
    int64_t lanes = target.f32Lanes();
    cnnc::cpu::ConfigAttr config = cnnc::cpu::getConfig(op);
    int64_t side = cnnc::cpu::winogradTileSide(config);
    if (!op.hasPureTensorSemantics() || !isWinogradForm(op, side) ||
        !config.getRegisters())
      return op.emitError("cnn-cpu-winograd-conv: not a 3x3 lane conv of "
                          "output sides its tiles cover with a register step");
    auto outType = cast<RankedTensorType>(op.getDpsInits()[0].getType());
    Shape shape{
        outType.getDimSize(1),
        outType.getDimSize(2),
        side,
        cast<RankedTensorType>(op.getDpsInputs()[1].getType()).getDimSize(2),
        outType.getDimSize(3),
        config.getRegisters()[2],
        config.getRegisters()[3],
        VectorType::get({lanes}, outType.getElementType())};
    if (shape.channels % lanes || shape.outputs % shape.stepChannels ||
        shape.stepChannels % lanes || shape.stepTiles < 1)
      return op.emitError("cnn-cpu-winograd-conv: channels not in whole "
                          "vectors or steps");

    IRRewriter rewriter(op);
    Value u = transformedFilter(rewriter, op, shape.vec, side);
    rewriter.setInsertionPoint(op);
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    // Every output is written: zeros to add to need not be made first.
    Value init = op.getDpsInits()[0];
    Value empty = zerosOver(b, init);
    if (empty)
      init = empty;
    Value images = tensor::DimOp::create(b, init, 0);
    Value result = loop(
        b, images, 1, init, [&](ImplicitLocOpBuilder &b, Value n, Value out) {
          int64_t rows = shape.bandTileRows();
          for (int64_t r = 0; r < shape.imageTileRows(); r += rows) {
            Shape band = shape.band(r, rows);
            Value v = band.tileGrid().transformInput(
                b, tileSource(op.getDpsInputs()[0]), n, shape.channels);
            Value m = band.multiply(b, v, u);
            out = band.transformOutput(b, m, n, out, bool(empty));
          }
          return out;
        });
    Value input = op.getDpsInputs()[0];
    rewriter.replaceOp(op, result);
    eraseUnreadPadding(rewriter, input);
    return success();
  }
};

} // namespace
