//===- WinogradWeightGrad.cpp - 3x3 weight gradients by Winograd ---------===//
//
// A weight gradient the strategy marked `algorithm = "winograd"` (3x3,
// stride 1, even sides of dy, channels in whole vectors), dw[f, c, r, s] =
// Σ_{n, h, w} x[n, h + r, w + s, c] · dy[n, h, w, f] over channels-last x
// (padded) and dy, is computed as Winograd's F(3x3, 2x2): each 2x2 tile of
// dy meets the 4x4 tile of x under it, and their nine products become 16.
// With t a 2x2 tile of dy, k = 4 * k1 + k2 one of the 16 points:
//
//   V[k, t, c] = (Bᵀ x_t B)[k1, k2]       x's tiles as the conv's (adds)
//   D[k, t, f] = (G dy_t Gᵀ)[k1, k2]      G = [1 0; 1 1; 1 -1; 0 1] (adds)
//   M[k, f, c] = Σ_{n, t} D[k, t, f] V[k, t, c]   16 products over the batch
//   dw[f, c]  = A M[., f, c] Aᵀ          A = [1 ½ ½ 0; 0 ½ -½ 0; 0 ½ ½ -1]
//
// (F(3, 2)'s own Bᵀ is the conv's with its last row negated, and G has
// halves in its middle rows: both folded into A.) `"winograd4x4"` is
// F(3x3, 4x4), 4x4 tiles of dy and 6x6 of x, 36 points: the weight gradient
// is the transpose of the conv's map from filter to output, so where
// F(4x4, 3x3) computes y = Aᵀ[(G g) ⊙ (Bᵀ x)], dw = Gᵀ[(Bᵀ x) ⊙ (A dy)]
// with the same three matrices; dy's rows and columns past its end (of
// tiles that reach past it) are zeros. The batch is split into kChunks
// parts that the threads share, each summing its images' products into a
// partial M of its own, image by image (V and D of one image stay in the
// cache); the partials' sum and the taps' transform run once, after them,
// the output channels shared by the threads, each tap added to the op's
// initial value there (a shared block's running total, where the strategy
// started the gradient from it).
// While an image's products run, the next image's x and dy are asked into
// the second-level cache, a share of their rows a point: a block's x was
// saved in the forward pass, long before, and would else be read from
// memory by the transforms (CIFAR-2's NetResDeep: weight gradients 5%
// faster, the training step 5%).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CpuConfig.h"
#include "codegen/cpu/Winograd.h"
#include "conversion/CnnToLinalg/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

using namespace mlir;

namespace cnnc::cpu::winograd {

namespace {

/// Parts of the batch with a partial sum each: a multiple of the thread
/// counts the lecture's machines run (1, 2, 4), so they share the parts
/// evenly; each part's partial is 16 x F x C floats (64 KB at 32 x 32).
constexpr int64_t kChunks = 4;

/// The 1-D transform of a tile row of dy, to side + 2 points (null values
/// are zeros: dy's rows past its last tile's end). Side 2: [1 0; 1 1;
/// 1 -1; 0 1]. Side 4: F(4x4, 3x3)'s A (its Aᵀ transposed),
/// [1 0 0 0; 1 1 1 1; 1 -1 1 -1; 1 2 4 8; 1 -2 4 -8; 0 0 0 1].
Points gradientPoints(Emitter &e, ArrayRef<Value> d) {
  if (d.size() == 2)
    return {d[0], e.fadd(d[0], d[1]), e.fsub(d[0], d[1]), d[1]};
  Value even = e.fadd(d[0], d[2]), odd = e.fadd(d[1], d[3]);
  Value evenPowers = e.fma(d[2], 4, d[0]);
  Value oddPowers = e.scale(e.fma(d[3], 4, d[1]), 2);
  return {d[0],
          e.fadd(even, odd),
          e.fsub(even, odd),
          e.fadd(evenPowers, oddPowers),
          e.fsub(evenPowers, oddPowers),
          d[3]};
}

/// Side + 2 points back to three taps. Side 2: A = [1 ½ ½ 0; 0 ½ -½ 0;
/// 0 ½ ½ -1]. Side 4: F(4x4, 3x3)'s Gᵀ, [1/4 -1/6 -1/6 1/24 1/24 0;
/// 0 -1/6 1/6 1/12 -1/12 0; 0 -1/6 -1/6 1/6 1/6 1].
std::array<Value, 3> tapPoints(Emitter &e, ArrayRef<Value> m) {
  if (m.size() == 4) {
    Value middle = e.half(e.fadd(m[1], m[2]));
    return {e.fadd(m[0], middle), e.half(e.fsub(m[1], m[2])),
            e.fsub(middle, m[3])};
  }
  Value near = e.fadd(m[1], m[2]), nearDiff = e.fsub(m[1], m[2]);
  Value far = e.fadd(m[3], m[4]), farDiff = e.fsub(m[3], m[4]);
  return {e.fma(far, 1.0f / 24, e.fma(near, -1.0f / 6, e.scale(m[0], 0.25f))),
          e.fma(farDiff, 1.0f / 12, e.scale(nearDiff, -1.0f / 6)),
          e.fma(e.fsub(far, near), 1.0f / 6, m[5])};
}

/// The weight gradient's sizes and code.
struct WeightGrad {
  Tiles tiles;
  int64_t channels, outputs;   ///< C (the lanes), F
  int64_t stepRows, stepLanes; ///< one register tile: F rows x C lanes

  VectorType vec() const { return tiles.vec; }
  int64_t lanes() const { return tiles.lanes(); }
  int64_t side() const { return tiles.side; }
  int64_t points() const { return tiles.points(); }

  /// D[p * k1 + k2, t, f] (p = side + 2): image `n`'s side x side tiles of
  /// `dy` [N, H, W, F] transformed, the rows and columns past its end (of
  /// the last tiles, where side does not divide H or W) zeros.
  Value transformGradient(ImplicitLocOpBuilder &b, Value dy, Value n) const {
    auto dyType = cast<RankedTensorType>(dy.getType());
    Value d = tensor::EmptyOp::create(
        b, ArrayRef<int64_t>{points(), tileRoom(tiles.count()), outputs},
        vec().getElementType());
    // A tile's key: its rows (or columns) inside dy.
    auto inside = [&](int64_t size) {
      return
          [&, size](int64_t t) { return std::min(side(), size - side() * t); };
    };
    SmallVector<TileRun> rowRuns =
        tileRuns(tiles.rows, inside(dyType.getDimSize(1)));
    SmallVector<TileRun> columnRuns =
        tileRuns(tiles.columns, inside(dyType.getDimSize(2)));
    int64_t p = side() + 2;
    return forEachTileRun(
        b, outputs, lanes(), rowRuns, columnRuns, d,
        [&](ImplicitLocOpBuilder &b, Value ty, Value tx, Value f,
            int64_t rowsInside, int64_t columnsInside, Value d) {
          Emitter e{b, vec()};
          Value t = e.add(e.mul(ty, tiles.columns), tx);
          Value y0 = e.mul(ty, side()), x0 = e.mul(tx, side());
          SmallVector<Points> columns;
          for (int64_t j = 0; j < side(); ++j) {
            Points column(side(), Value());
            for (int64_t i = 0; i < rowsInside && j < columnsInside; ++i)
              column[i] = e.read(
                  dy, {n, e.add(y0, e.index(i)), e.add(x0, e.index(j)), f});
            columns.push_back(gradientPoints(e, column));
          }
          for (int64_t k1 = 0; k1 < p; ++k1) {
            Points values;
            for (int64_t j = 0; j < side(); ++j)
              values.push_back(columns[j][k1]);
            Points row = gradientPoints(e, values);
            for (int64_t k2 = 0; k2 < p; ++k2)
              d = e.write(row[k2] ? row[k2] : e.zero(), d,
                          {e.index(p * k1 + k2), t, f});
          }
          return d;
        });
  }

  Value emptyPartials(ImplicitLocOpBuilder &b) const {
    return tensor::EmptyOp::create(
        b, ArrayRef<int64_t>{kChunks, points(), outputs, channels},
        vec().getElementType());
  }

  /// Part `p` of the partials [kChunks, points, F, C]: where it lies, and
  /// its type [points, F, C].
  struct Part {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    RankedTensorType type;
  };
  Part part(OpBuilder &b, Value p) const {
    return {{p, b.getIndexAttr(0), b.getIndexAttr(0), b.getIndexAttr(0)},
            {b.getIndexAttr(1), b.getIndexAttr(points()),
             b.getIndexAttr(outputs), b.getIndexAttr(channels)},
            SmallVector<OpFoldResult>(4, b.getIndexAttr(1)),
            RankedTensorType::get({points(), outputs, channels},
                                  vec().getElementType())};
  }

  /// [kChunks, points, F, C] of zeros.
  Value zeroPartials(ImplicitLocOpBuilder &b) const {
    return loop(b, kChunks, 1, emptyPartials(b),
                [&](ImplicitLocOpBuilder &b, Value p, Value all) {
                  Part at = part(b, p);
                  Value m = zeroProducts(
                      b, tensor::ExtractSliceOp::create(
                             b, at.type, all, at.offsets, at.sizes, at.strides));
                  return tensor::InsertSliceOp::create(b, m, all, at.offsets,
                                                       at.sizes, at.strides)
                      .getResult();
                });
  }

  /// `m` [points, F, C] set to zeros.
  Value zeroProducts(ImplicitLocOpBuilder &b, Value m) const {
    return loop(
        b, points(), 1, m, [&](ImplicitLocOpBuilder &b, Value k, Value m) {
          return loop(
              b, outputs, 1, m, [&](ImplicitLocOpBuilder &b, Value f, Value m) {
                return loop(b, channels, lanes(), m,
                            [&](ImplicitLocOpBuilder &b, Value c, Value m) {
                              Emitter e{b, vec()};
                              return e.write(e.zero(), m, {k, f, c});
                            });
              });
        });
  }

  /// m[k, f, c] += Σ_t d[k, t, f] v[k, t, c]: register tiles of `stepRows`
  /// output channels (one broadcast of D each) x `stepLanes` input channels
  /// (loads of V), the tiles of one image innermost. Each point also asks
  /// the cache for its share of image `next` of x and dy (`ahead`): the
  /// next image's transforms then read them from the second-level cache,
  /// not from memory (a block's x was saved long before; the products, on
  /// data in the cache, leave memory idle meanwhile).
  Value accumulate(ImplicitLocOpBuilder &b, Value v, Value d, Value m,
                   ArrayRef<Value> ahead, Value next) const {
    int64_t registers = stepLanes / lanes();
    return loop(
        b, points(), 1, m, [&](ImplicitLocOpBuilder &b, Value k, Value m) {
          prefetchShare(b, ahead, next, k, points(), lanes());
          return loop(
              b, outputs, stepRows, m,
              [&](ImplicitLocOpBuilder &b, Value f, Value m) {
                return loop(
                    b, channels, stepLanes, m,
                    [&](ImplicitLocOpBuilder &b, Value c, Value m) {
                      Emitter e{b, vec()};
                      auto at = [&](int64_t row,
                                    int64_t r) -> SmallVector<Value> {
                        return {k, e.add(f, e.index(row)),
                                e.add(c, e.index(r * lanes()))};
                      };
                      SmallVector<Value> accs;
                      for (int64_t row = 0; row < stepRows; ++row)
                        for (int64_t r = 0; r < registers; ++r)
                          accs.push_back(e.read(m, at(row, r)));
                      auto sum = scf::ForOp::create(
                          b, e.index(0), e.index(tiles.count()), e.index(1),
                          accs,
                          [&](OpBuilder &nested, Location loc, Value t,
                              ValueRange acc) {
                            ImplicitLocOpBuilder nb(loc, nested);
                            Emitter ne{nb, vec()};
                            SmallVector<Value> inputs;
                            for (int64_t r = 0; r < registers; ++r)
                              inputs.push_back(ne.read(
                                  v, {k, t, ne.add(c, ne.index(r * lanes()))}));
                            SmallVector<Value> next;
                            for (int64_t row = 0; row < stepRows; ++row) {
                              Value s = tensor::ExtractOp::create(
                                  nb, d,
                                  ValueRange{k, t, ne.add(f, ne.index(row))});
                              Value broadcast =
                                  vector::BroadcastOp::create(nb, vec(), s);
                              for (int64_t r = 0; r < registers; ++r)
                                next.push_back(vector::FMAOp::create(
                                    nb, broadcast, inputs[r],
                                    acc[row * registers + r]));
                            }
                            scf::YieldOp::create(nb, next);
                          });
                      for (int64_t row = 0; row < stepRows; ++row)
                        for (int64_t r = 0; r < registers; ++r)
                          m = e.write(sum.getResult(row * registers + r), m,
                                      at(row, r));
                      return m;
                    });
              });
        });
  }

  /// The partials [kChunks, points, F, C]: part p sums images [p·N/kChunks,
  /// (p+1)·N/kChunks), the parts shared by the threads, into `from`'s part
  /// p (`from` null: into zeros).
  Value partialProducts(ImplicitLocOpBuilder &b, Value x, Value dy,
                        Value from) const {
    Value images = tensor::DimOp::create(b, dy, 0);
    Value shared = from ? from : emptyPartials(b);
    auto forall = scf::ForallOp::create(
        b, ArrayRef<OpFoldResult>{b.getIndexAttr(kChunks)}, ValueRange{shared},
        std::nullopt, [&](OpBuilder &nested, Location loc, ValueRange args) {
          ImplicitLocOpBuilder nb(loc, nested);
          Emitter e{nb, vec()};
          Value p = args[0], all = args[1];
          auto bound = [&](Value part) {
            return arith::DivUIOp::create(
                nb, arith::MulIOp::create(nb, part, images), e.index(kChunks));
          };
          Value first = bound(p), last = bound(e.add(p, e.index(1)));
          Part at = part(nb, p);
          Value m = tensor::ExtractSliceOp::create(nb, at.type, all, at.offsets,
                                                   at.sizes, at.strides);
          if (!from)
            m = zeroProducts(nb, m);
          TileSource source = tileSource(x);
          auto perImage = scf::ForOp::create(
              nb, first, last, e.index(1), ValueRange{m},
              [&](OpBuilder &inner, Location l, Value n, ValueRange acc) {
                ImplicitLocOpBuilder ib(l, inner);
                Value v = tiles.transformInput(ib, source, n, channels);
                Value d = transformGradient(ib, dy, n);
                // The batch's next image: the thread's next, also past
                // the end of its part (the threads take whole runs of
                // parts).
                Emitter ie{ib, vec()};
                Value next = arith::MinSIOp::create(
                    ib, ie.add(n, ie.index(1)),
                    arith::SubIOp::create(ib, images, ie.index(1)));
                scf::YieldOp::create(
                    ib, accumulate(ib, v, d, acc[0], {source.image, dy}, next));
              });
          auto inParallel = scf::InParallelOp::create(nb);
          nb.setInsertionPointToStart(inParallel.getBody());
          tensor::ParallelInsertSliceOp::create(nb, perImage.getResult(0), all,
                                                at.offsets, at.sizes,
                                                at.strides);
        });
    return forall.getResult(0);
  }

  /// dw [F, C, 3, 3] = `init` + A M Aᵀ, M the partials' sum; the output
  /// channels split into parts the threads share (serial, this was 1-2% of
  /// NetResDeep's step: it reads every part's partial, half of them from
  /// the other core's cache). For an output channel and a register of input
  /// channels c..c+L, the nine taps are nine registers over c, and dw's
  /// values there, [c..c+L, 3, 3], are L x 9 in a row: the taps go there
  /// transposed, a register of that row at a time.
  Value transformTaps(ImplicitLocOpBuilder &b, Value partials,
                      Value init) const {
    int64_t parts = outputs % kChunks == 0 ? kChunks : 1;
    int64_t perPart = outputs / parts;
    Type f32 = vec().getElementType();
    auto sliceType = RankedTensorType::get({perPart, channels, 3, 3}, f32);
    auto rowsType = RankedTensorType::get({perPart, channels * 9}, f32);
    auto forall = scf::ForallOp::create(
        b, ArrayRef<OpFoldResult>{b.getIndexAttr(parts)}, ValueRange{init},
        std::nullopt, [&](OpBuilder &nested, Location loc, ValueRange args) {
          ImplicitLocOpBuilder nb(loc, nested);
          Emitter e{nb, vec()};
          Value f0 = e.mul(args[0], perPart);
          SmallVector<OpFoldResult> offsets{
              f0, nb.getIndexAttr(0), nb.getIndexAttr(0), nb.getIndexAttr(0)};
          SmallVector<OpFoldResult> sizes{
              nb.getIndexAttr(perPart), nb.getIndexAttr(channels),
              nb.getIndexAttr(3), nb.getIndexAttr(3)};
          SmallVector<OpFoldResult> strides(4, nb.getIndexAttr(1));
          Value slice = tensor::ExtractSliceOp::create(nb, sliceType, args[1],
                                                       offsets, sizes, strides);
          SmallVector<ReassociationIndices> flat{{0}, {1, 2, 3}};
          Value rows =
              tensor::CollapseShapeOp::create(nb, rowsType, slice, flat);
          rows = loop(nb, perPart, 1, rows,
                      [&](ImplicitLocOpBuilder &b, Value f, Value rows) {
                        return loop(
                            b, channels, lanes(), rows,
                            [&](ImplicitLocOpBuilder &b, Value c, Value rows) {
                              Emitter e{b, vec()};
                              std::array<std::array<Value, 3>, 3> taps =
                                  tapsAt(e, partials, e.add(f0, f), c);
                              // Register j of the row holds the taps of channel
                              // (j·L + l) / 9, tap (j·L + l) % 9, for lane l.
                              Value first = e.mul(c, 9);
                              for (int64_t j = 0; j < 9; ++j) {
                                SmallVector<Value> values;
                                for (int64_t l = 0; l < lanes(); ++l) {
                                  int64_t k = j * lanes() + l;
                                  values.push_back(vector::ExtractOp::create(
                                      b, taps[k % 9 / 3][k % 9 % 3],
                                      ArrayRef<int64_t>{k / 9}));
                                }
                                Value at = e.add(first, e.index(j * lanes()));
                                Value old = e.read(rows, {f, at});
                                Value sum =
                                    e.fadd(old, vector::FromElementsOp::create(
                                                    b, vec(), values));
                                rows = e.write(sum, rows, {f, at});
                              }
                              return rows;
                            });
                      });
          Value result =
              tensor::ExpandShapeOp::create(nb, sliceType, rows, flat);
          auto inParallel = scf::InParallelOp::create(nb);
          nb.setInsertionPointToStart(inParallel.getBody());
          tensor::ParallelInsertSliceOp::create(nb, result, args[1], offsets,
                                                sizes, strides);
        });
    return forall.getResult(0);
  }

  /// The taps [r][s] of output channel `f`, input channels c..c+L: the
  /// partials at (f, c) summed, A M Aᵀ.
  std::array<std::array<Value, 3>, 3> tapsAt(Emitter &e, Value partials,
                                             Value f, Value c) const {
    int64_t p = side() + 2;
    SmallVector<Points> m(p, Points(p, Value()));
    for (int64_t k = 0; k < points(); ++k) {
      Value sum = e.read(partials, {e.index(0), e.index(k), f, c});
      for (int64_t part = 1; part < kChunks; ++part)
        sum = e.fadd(sum, e.read(partials, {e.index(part), e.index(k), f, c}));
      m[k / p][k % p] = sum;
    }
    // Along the points' first index, each second; then along each row.
    SmallVector<std::array<Value, 3>> columns;
    for (int64_t k2 = 0; k2 < p; ++k2) {
      Points column;
      for (int64_t k1 = 0; k1 < p; ++k1)
        column.push_back(m[k1][k2]);
      columns.push_back(tapPoints(e, column));
    }
    std::array<std::array<Value, 3>, 3> taps;
    for (int64_t r = 0; r < 3; ++r) {
      Points values;
      for (int64_t k2 = 0; k2 < p; ++k2)
        values.push_back(columns[k2][r]);
      taps[r] = tapPoints(e, values);
    }
    return taps;
  }
};

/// The strategy's form: loops (f, c, r, s | n, h, w), x [N, H + 2, W + 2, C]
/// at (n, h + r, w + s, c), dy [N, H, W, F] at (n, h, w, f), dw [F, C, 3, 3]
/// at (f, c, r, s); H and W even for tiles of side 2.
bool isWeightGradForm(linalg::GenericOp op, int64_t side) {
  MLIRContext *ctx = op.getContext();
  AffineExpr f, c, r, s, n, h, w;
  bindDims(ctx, f, c, r, s, n, h, w);
  SmallVector<AffineMap> maps{AffineMap::get(7, 0, {n, h + r, w + s, c}, ctx),
                              AffineMap::get(7, 0, {n, h, w, f}, ctx),
                              AffineMap::get(7, 0, {f, c, r, s}, ctx)};
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getIndexingMapsArray() != maps)
    return false;
  auto x = cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  auto dy = cast<RankedTensorType>(op.getDpsInputs()[1].getType());
  auto dw = cast<RankedTensorType>(op.getDpsInits()[0].getType());
  return dw.hasStaticShape() && dw.getDimSize(2) == 3 &&
         dw.getDimSize(3) == 3 && !x.isDynamicDim(1) && !x.isDynamicDim(2) &&
         !dy.isDynamicDim(1) && !dy.isDynamicDim(2) &&
         x.getDimSize(1) >= dy.getDimSize(1) + 2 &&
         x.getDimSize(2) >= dy.getDimSize(2) + 2 &&
         (side == 4 ||
          (dy.getDimSize(1) % 2 == 0 && dy.getDimSize(2) % 2 == 0));
}

/// Where `op` adds to a running total that an scf.for carries and nothing
/// else reads (a shared block's weight gradient in the backward pass's
/// loop over its uses, started from the total by the strategy): the loop
/// and the total's place among its iter_args.
std::optional<std::pair<scf::ForOp, unsigned>>
carriedTotal(linalg::GenericOp op) {
  auto total = dyn_cast<BlockArgument>(op.getDpsInits()[0]);
  auto loop = dyn_cast<scf::ForOp>(op->getParentOp());
  if (!total || !loop || total.getOwner() != loop.getBody() ||
      total.getArgNumber() == 0 || !total.hasOneUse() ||
      !op->getResult(0).hasOneUse())
    return std::nullopt;
  unsigned i = total.getArgNumber() - 1;
  OpOperand &use = *op->getResult(0).getUses().begin();
  if (use.getOwner() != loop.getBody()->getTerminator() ||
      use.getOperandNumber() != i)
    return std::nullopt;
  return std::make_pair(loop, i);
}

} // namespace

LogicalResult lowerWeightGrad(RewriterBase &rewriter, linalg::GenericOp op,
                              int64_t lanes) {
  ConfigAttr config = getConfig(op);
  int64_t side = config ? winogradTileSide(config) : 2;
  if (!op.hasPureTensorSemantics() || !isWeightGradForm(op, side) || !config ||
      !config.getRegisters())
    return op.emitError("cnn-cpu-winograd-conv: not a 3x3 weight gradient "
                        "over sides of dy its tiles cover with a register "
                        "step");
  auto dyType = cast<RankedTensorType>(op.getDpsInputs()[1].getType());
  auto dwType = cast<RankedTensorType>(op.getDpsInits()[0].getType());
  auto vec = VectorType::get({lanes}, dwType.getElementType());
  auto tilesOver = [&](int64_t size) { return (size + side - 1) / side; };
  WeightGrad grad{{tilesOver(dyType.getDimSize(1)),
                   tilesOver(dyType.getDimSize(2)), side, vec},
                  dwType.getDimSize(1),
                  dwType.getDimSize(0),
                  config.getRegisters()[0],
                  config.getRegisters()[1]};
  if (grad.channels % lanes || grad.outputs % lanes || grad.stepRows < 1 ||
      grad.outputs % grad.stepRows || grad.stepLanes % lanes ||
      grad.channels % grad.stepLanes)
    return op.emitError("cnn-cpu-winograd-conv: channels not in whole "
                        "vectors or steps");

  Value x = op.getDpsInputs()[0], dy = op.getDpsInputs()[1];
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  if (auto carried = carriedTotal(op)) {
    // The loop carries the partials instead, from zeros: each use adds its
    // products to them, and their sum and the taps' transform run once,
    // after the loop, added to the total as it came in (which the loop
    // then passes through unchanged). Sums over the images and uses in
    // another order, rounding as such.
    auto [loop, i] = *carried;
    b.setInsertionPoint(loop);
    Value zeros = grad.zeroPartials(b);
    // (The body moves into a new loop after the callback: values of the
    // old one are read again from `op` after it.)
    FailureOr<LoopLikeOpInterface> widened =
        cast<LoopLikeOpInterface>(loop.getOperation())
            .replaceWithAdditionalYields(
                rewriter, zeros, /*replaceInitOperandUsesInLoop=*/false,
                [&](OpBuilder &, Location, ArrayRef<BlockArgument> args) {
                  b.setInsertionPoint(op);
                  return SmallVector<Value>{
                      grad.partialProducts(b, x, dy, args[0])};
                });
    if (failed(widened))
      return op.emitError("cnn-cpu-winograd-conv: cannot carry a weight "
                          "gradient's partials through its loop");
    auto newLoop = cast<scf::ForOp>(widened->getOperation());
    x = op.getDpsInputs()[0];
    rewriter.replaceOp(op, newLoop.getRegionIterArgs()[i]);
    b.setInsertionPointAfter(newLoop);
    Value dw = grad.transformTaps(b, newLoop.getResults().back(),
                                  newLoop.getResult(i));
    rewriter.replaceAllUsesExcept(newLoop.getResult(i), dw, dw.getDefiningOp());
    eraseUnreadPadding(rewriter, x);
    return success();
  }
  b.setInsertionPoint(op);
  Value partials = grad.partialProducts(b, x, dy, Value());
  Value dw = grad.transformTaps(b, partials, op.getDpsInits()[0]);
  rewriter.replaceOp(op, dw);
  eraseUnreadPadding(rewriter, x);
  return success();
}

} // namespace cnnc::cpu::winograd
