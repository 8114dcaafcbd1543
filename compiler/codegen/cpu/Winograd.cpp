//===- Winograd.cpp - Winograd's minimal filtering, as vector code --------===//
#include "codegen/cpu/Winograd.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
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
Value Emitter::scale(Value x, float c) {
  if (!x)
    return x;
  Value constant = arith::ConstantOp::create(
      b, vec, DenseElementsAttr::get(vec, b.getF32FloatAttr(c)));
  return arith::MulFOp::create(b, x, constant);
}
Value Emitter::fma(Value x, float c, Value y) {
  if (!x || !y)
    return x ? scale(x, c) : y;
  Value constant = arith::ConstantOp::create(
      b, vec, DenseElementsAttr::get(vec, b.getF32FloatAttr(c)));
  return vector::FMAOp::create(b, x, constant, y);
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

Points Emitter::inputPoints(ArrayRef<Value> d) {
  if (d.size() == 4)
    return {fsub(d[0], d[2]), fadd(d[1], d[2]), fsub(d[2], d[1]),
            fsub(d[1], d[3])};
  // F(4x4, 3x3)'s Bᵀ (points 0, ±1, ±2, ∞):
  //   [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
  //    0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
  Value a = fma(d[2], -4, d[4]), c = fma(d[1], -4, d[3]);
  Value e = fsub(d[4], d[2]), f = scale(fsub(d[3], d[1]), 2);
  return {fma(d[0], 4, fma(d[2], -5, d[4])),
          fadd(a, c),
          fsub(a, c),
          fadd(e, f),
          fsub(e, f),
          fma(d[1], 4, fma(d[3], -5, d[5]))};
}

namespace {
/// An scf.for from `lower` to `upper` by `step` carrying `init`.
Value forLoop(ImplicitLocOpBuilder &b, Value lower, Value upper, int64_t step,
              Value init,
              function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> body) {
  auto forOp = scf::ForOp::create(
      b, lower, upper, arith::ConstantIndexOp::create(b, step),
      ValueRange{init},
      [&](OpBuilder &nested, Location loc, Value iv, ValueRange args) {
        ImplicitLocOpBuilder nb(loc, nested);
        scf::YieldOp::create(nb, body(nb, iv, args[0]));
      });
  return forOp.getResult(0);
}
} // namespace

Value loop(ImplicitLocOpBuilder &b, Value upper, int64_t step, Value init,
           function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> body) {
  return forLoop(b, arith::ConstantIndexOp::create(b, 0), upper, step, init,
                 body);
}

Value loop(ImplicitLocOpBuilder &b, int64_t upper, int64_t step, Value init,
           function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> body) {
  return loop(b, arith::ConstantIndexOp::create(b, upper), step, init, body);
}

Value loopOver(ImplicitLocOpBuilder &b, int64_t first, int64_t last, Value init,
               function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> body) {
  return forLoop(b, arith::ConstantIndexOp::create(b, first),
                 arith::ConstantIndexOp::create(b, last), 1, init, body);
}

SmallVector<TileRun> tileRuns(int64_t count,
                              function_ref<int64_t(int64_t)> keyOf) {
  SmallVector<TileRun> runs;
  for (int64_t t = 0; t < count; ++t) {
    int64_t key = keyOf(t);
    if (!runs.empty() && runs.back().key == key)
      runs.back().last = t + 1;
    else
      runs.push_back({t, t + 1, key});
  }
  return runs;
}

Value forEachTileRun(ImplicitLocOpBuilder &b, int64_t range, int64_t step,
                     ArrayRef<TileRun> rowRuns, ArrayRef<TileRun> columnRuns,
                     Value init,
                     function_ref<Value(ImplicitLocOpBuilder &, Value, Value,
                                        Value, int64_t, int64_t, Value)>
                         body) {
  return loop(
      b, range, step, init, [&](ImplicitLocOpBuilder &b, Value c, Value acc) {
        for (const TileRun &rowRun : rowRuns)
          acc = loopOver(
              b, rowRun.first, rowRun.last, acc,
              [&](ImplicitLocOpBuilder &b, Value ty, Value acc) {
                for (const TileRun &columnRun : columnRuns)
                  acc = loopOver(
                      b, columnRun.first, columnRun.last, acc,
                      [&](ImplicitLocOpBuilder &b, Value tx, Value acc) {
                        return body(b, ty, tx, c, rowRun.key, columnRun.key,
                                    acc);
                      });
                return acc;
              });
        return acc;
      });
}

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

namespace {
/// A read-only view of `image`'s buffer ([N, H, W, C]), which bufferization
/// resolves without a copy: what a prefetch can name.
Value readOnlyBuffer(ImplicitLocOpBuilder &b, Value image) {
  auto type = cast<RankedTensorType>(image.getType());
  SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
  auto layout =
      StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, strides);
  return bufferization::ToBufferOp::create(
      b, MemRefType::get(type.getShape(), type.getElementType(), layout), image,
      /*read_only=*/true);
}
} // namespace

void prefetchShare(ImplicitLocOpBuilder &b, ArrayRef<Value> images, Value next,
                   Value part, int64_t parts, int64_t lanes) {
  int64_t rows = 0;
  for (Value image : images)
    rows += cast<RankedTensorType>(image.getType()).getDimSize(1);
  int64_t rowsPerPart = (rows + parts - 1) / parts;
  Emitter e{b, VectorType()};
  Value first = e.mul(part, rowsPerPart);
  int64_t base = 0;
  for (Value image : images) {
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(image.getType()).getShape();
    Value buffer = readOnlyBuffer(b, image);
    // Rows [first - base, + rowsPerPart) of this image, where inside it:
    // every line of each (`lanes` floats a line) into the second level.
    Value from = arith::SubIOp::create(b, first, e.index(base));
    for (int64_t r = 0; r < rowsPerPart; ++r) {
      Value row = e.add(from, e.index(r));
      Value inside = arith::AndIOp::create(
          b,
          arith::CmpIOp::create(b, arith::CmpIPredicate::sge, row, e.index(0)),
          arith::CmpIOp::create(b, arith::CmpIPredicate::slt, row,
                                e.index(shape[1])));
      scf::IfOp::create(b, inside, [&](OpBuilder &nested, Location loc) {
        ImplicitLocOpBuilder nb(loc, nested);
        Emitter ne{nb, VectorType()};
        for (int64_t x = 0; x < shape[2]; ++x)
          for (int64_t c = 0; c < shape[3]; c += lanes)
            memref::PrefetchOp::create(
                nb, buffer, ValueRange{next, row, ne.index(x), ne.index(c)},
                /*isWrite=*/false, /*localityHint=*/2, /*isDataCache=*/true);
        scf::YieldOp::create(nb);
      });
    }
    base += shape[1];
  }
}

int64_t tileRoom(int64_t count) { return count | 1; }

void eraseUnreadPadding(RewriterBase &rewriter, Value in) {
  if (auto pad = in.getDefiningOp<tensor::PadOp>(); pad && pad->use_empty())
    rewriter.eraseOp(pad);
}

Value Tiles::transformInput(ImplicitLocOpBuilder &b, const TileSource &source,
                            Value n, int64_t channels) const {
  auto type = cast<RankedTensorType>(source.image.getType());
  // A tile's key: the bits of its input rows (or columns) outside the image.
  auto outside = [&](int64_t size) {
    return [&, size](int64_t t) {
      int64_t bits = 0;
      for (int64_t i = 0; i < patch(); ++i) {
        int64_t row = side * t + i - source.pad;
        if (row < 0 || row >= size)
          bits |= int64_t(1) << i;
      }
      return bits;
    };
  };
  auto rowOutside = outside(type.getDimSize(1));
  SmallVector<TileRun> rowRuns =
      tileRuns(rows, [&](int64_t t) { return rowOutside(t + firstRow); });
  SmallVector<TileRun> columnRuns =
      tileRuns(columns, outside(type.getDimSize(2)));
  Value v = tensor::EmptyOp::create(
      b, ArrayRef<int64_t>{points(), tileRoom(count()), channels},
      vec.getElementType());
  // One tile's points; its rows and columns outside the image are zeros
  // (null values), which the transform's adds leave out.
  auto transform = [&](ImplicitLocOpBuilder &b, Value ty, Value tx, Value c,
                       int64_t rowsOutside, int64_t columnsOutside, Value v) {
    Emitter e{b, vec};
    Value t = e.add(e.mul(ty, columns), tx);
    Value y0 = e.mul(e.add(ty, e.index(firstRow)), side), x0 = e.mul(tx, side);
    int64_t p = patch();
    // Along the tile's rows, each column; then along each row.
    SmallVector<Points> tileColumns;
    for (int64_t j = 0; j < p; ++j) {
      Points d(p);
      for (int64_t i = 0; i < p; ++i) {
        if ((rowsOutside >> i & 1) || (columnsOutside >> j & 1))
          continue;
        d[i] = e.read(source.image, {n, e.add(y0, e.index(i - source.pad)),
                                     e.add(x0, e.index(j - source.pad)), c});
      }
      tileColumns.push_back(e.inputPoints(d));
    }
    for (int64_t k1 = 0; k1 < p; ++k1) {
      Points column;
      for (int64_t j = 0; j < p; ++j)
        column.push_back(tileColumns[j][k1]);
      Points row = e.inputPoints(column);
      for (int64_t k2 = 0; k2 < p; ++k2)
        v = e.write(row[k2] ? row[k2] : e.zero(), v,
                    {e.index(p * k1 + k2), t, c});
    }
    return v;
  };
  // The tiles in runs of the same rows and columns outside the image.
  return forEachTileRun(b, channels, lanes(), rowRuns, columnRuns, v,
                        transform);
}

} // namespace cnnc::cpu::winograd
