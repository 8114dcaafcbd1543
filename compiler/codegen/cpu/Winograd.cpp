//===- Winograd.cpp - Winograd's minimal filtering, as vector code --------===//
#include "codegen/cpu/Winograd.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace cnnc::cpu::winograd {

Value Emitter::index(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
Value Emitter::add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
Value Emitter::mul(Value x, int64_t y) {
  return arith::MulIOp::create(b, x, index(y));
}
Value Emitter::fadd(Value x, Value y) {
  if (!x || !y)
    return x ? x : y;
  return arith::AddFOp::create(b, x, y);
}
Value Emitter::fsub(Value x, Value y) {
  if (!y)
    return x;
  if (!x)
    return arith::NegFOp::create(b, y);
  return arith::SubFOp::create(b, x, y);
}
Value Emitter::half(Value x) {
  Value h = arith::ConstantOp::create(
      b, vec, DenseElementsAttr::get(vec, b.getF32FloatAttr(0.5f)));
  return arith::MulFOp::create(b, x, h);
}
Value Emitter::zero() {
  return arith::ConstantOp::create(
      b, vec, DenseElementsAttr::get(vec, b.getF32FloatAttr(0)));
}

Value Emitter::read(Value tensor, ValueRange at) {
  Value pad = arith::ConstantOp::create(b, b.getF32FloatAttr(0));
  return vector::TransferReadOp::create(b, vec, tensor, at, pad,
                                        ArrayRef<bool>{true});
}
Value Emitter::write(Value v, Value tensor, ValueRange at) {
  return vector::TransferWriteOp::create(b, v, tensor, at, ArrayRef<bool>{true})
      .getResult();
}

Four Emitter::inputPoints(const Four &d) {
  return {fsub(d[0], d[2]), fadd(d[1], d[2]), fsub(d[2], d[1]),
          fsub(d[1], d[3])};
}

Value loop(ImplicitLocOpBuilder &b, Value upper, int64_t step, Value init,
           function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> body) {
  Value zero = arith::ConstantIndexOp::create(b, 0);
  Value stepValue = arith::ConstantIndexOp::create(b, step);
  auto forOp = scf::ForOp::create(
      b, zero, upper, stepValue, ValueRange{init},
      [&](OpBuilder &nested, Location loc, Value iv, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        scf::YieldOp::create(nb, body(nb, iv, args[0]));
      });
  return forOp.getResult(0);
}

Value loop(ImplicitLocOpBuilder &b, int64_t upper, int64_t step, Value init,
           function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> body) {
  return loop(b, arith::ConstantIndexOp::create(b, upper), step, init, body);
}

Value Tiles::forEach(
    ImplicitLocOpBuilder &b, int64_t range, Value init,
    function_ref<Value(Emitter &, Value, Value, Value, Value, Value)> body)
    const {
  // The channels outermost: LLVM does not unroll a loop of loops (the
  // few steps of a channel loop innermost, it did, for compile time and
  // no speed).
  return loop(
      b, range, lanes(), init,
      [&](ImplicitLocOpBuilder &b, Value c, Value acc) {
        return loop(
            b, rows, 1, acc, [&](ImplicitLocOpBuilder &b, Value ty, Value acc) {
              return loop(b, columns, 1, acc,
                          [&](ImplicitLocOpBuilder &b, Value tx, Value acc) {
                            Emitter e{b, vec};
                            Value t = e.add(e.mul(ty, columns), tx);
                            return body(e, ty, tx, t, c, acc);
                          });
            });
      });
}

namespace {

/// Consecutive tiles whose 4x4 windows have the same rows (or columns)
/// outside the image: `outside` has bit i set where row i is.
struct TileRun {
  int64_t first, last; ///< [first, last)
  unsigned outside;
};

/// The runs of `count` tiles over an image of `size` rows, read from row
/// 2 * t - pad.
SmallVector<TileRun> tileRuns(int64_t count, int64_t size, int64_t pad) {
  SmallVector<TileRun> runs;
  for (int64_t t = 0; t < count; ++t) {
    unsigned outside = 0;
    for (int64_t i = 0; i < 4; ++i) {
      int64_t row = 2 * t + i - pad;
      if (row < 0 || row >= size)
        outside |= 1u << i;
    }
    if (!runs.empty() && runs.back().outside == outside)
      runs.back().last = t + 1;
    else
      runs.push_back({t, t + 1, outside});
  }
  return runs;
}

/// A loop over [first, last) carrying `init`.
Value loopOver(ImplicitLocOpBuilder &b, int64_t first, int64_t last, Value init,
               function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> body) {
  auto forOp = scf::ForOp::create(
      b, arith::ConstantIndexOp::create(b, first),
      arith::ConstantIndexOp::create(b, last),
      arith::ConstantIndexOp::create(b, 1), ValueRange{init},
      [&](OpBuilder &nested, Location loc, Value iv, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        scf::YieldOp::create(nb, body(nb, iv, args[0]));
      });
  return forOp.getResult(0);
}

} // namespace

TileSource tileSource(Value in) {
  auto pad = in.getDefiningOp<tensor::PadOp>();
  if (!pad)
    return {in, 0};
  Value constant = pad.getConstantPaddingValue();
  SmallVector<int64_t> one{0, 1, 1, 0};
  if (!constant || !matchPattern(constant, m_AnyZeroFloat()) ||
      pad.getStaticLow() != ArrayRef<int64_t>(one) ||
      pad.getStaticHigh() != ArrayRef<int64_t>(one))
    return {in, 0};
  return {pad.getSource(), 1};
}

void eraseUnreadPadding(RewriterBase &rewriter, Value in) {
  if (auto pad = in.getDefiningOp<tensor::PadOp>(); pad && pad->use_empty())
    rewriter.eraseOp(pad);
}

Value Tiles::transformInput(ImplicitLocOpBuilder &b, const TileSource &source,
                            Value n, int64_t channels) const {
  auto type = cast<RankedTensorType>(source.image.getType());
  SmallVector<TileRun> rowRuns = tileRuns(rows, type.getDimSize(1), source.pad);
  SmallVector<TileRun> columnRuns =
      tileRuns(columns, type.getDimSize(2), source.pad);
  Value v = tensor::EmptyOp::create(b, ArrayRef<int64_t>{16, count(), channels},
                                    vec.getElementType());
  // One tile's 16 points; its rows and columns outside the image are zeros
  // (null values), which the transform's adds leave out.
  auto transform = [&](ImplicitLocOpBuilder &b, Value ty, Value tx, Value c,
                       unsigned rowsOutside, unsigned columnsOutside, Value v) {
    Emitter e{b, vec};
    Value t = e.add(e.mul(ty, columns), tx);
    Value y0 = e.mul(ty, 2), x0 = e.mul(tx, 2);
    // Along the tile's rows, each column; then along each row.
    std::array<Four, 4> tileColumns;
    for (int64_t j = 0; j < 4; ++j) {
      Four d;
      for (int64_t i = 0; i < 4; ++i) {
        if ((rowsOutside >> i & 1) || (columnsOutside >> j & 1))
          continue;
        d[i] = e.read(source.image, {n, e.add(y0, e.index(i - source.pad)),
                                     e.add(x0, e.index(j - source.pad)), c});
      }
      tileColumns[j] = e.inputPoints(d);
    }
    for (int64_t k1 = 0; k1 < 4; ++k1) {
      Four row = e.inputPoints({tileColumns[0][k1], tileColumns[1][k1],
                                tileColumns[2][k1], tileColumns[3][k1]});
      for (int64_t k2 = 0; k2 < 4; ++k2)
        v = e.write(row[k2] ? row[k2] : e.zero(), v,
                    {e.index(4 * k1 + k2), t, c});
    }
    return v;
  };
  // The channels outermost (as forEach); the tiles in runs of the same
  // rows and columns outside the image.
  return loop(
      b, channels, lanes(), v, [&](ImplicitLocOpBuilder &b, Value c, Value v) {
        for (const TileRun &rowRun : rowRuns)
          v = loopOver(b, rowRun.first, rowRun.last, v,
                       [&](ImplicitLocOpBuilder &b, Value ty, Value v) {
                         for (const TileRun &columnRun : columnRuns)
                           v = loopOver(
                               b, columnRun.first, columnRun.last, v,
                               [&](ImplicitLocOpBuilder &b, Value tx, Value v) {
                                 return transform(b, ty, tx, c, rowRun.outside,
                                                  columnRun.outside, v);
                               });
                         return v;
                       });
        return v;
      });
}

} // namespace cnnc::cpu::winograd
