//===- Winograd.cpp - Winograd's minimal filtering, as vector code --------===//
#include "codegen/cpu/Winograd.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace cnnc::cpu::winograd {

Value Emitter::index(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
Value Emitter::add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
Value Emitter::mul(Value x, int64_t y) {
  return arith::MulIOp::create(b, x, index(y));
}
Value Emitter::fadd(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
Value Emitter::fsub(Value x, Value y) { return arith::SubFOp::create(b, x, y); }
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

Value Tiles::transformInput(ImplicitLocOpBuilder &b, Value in, Value n,
                            int64_t channels) const {
  Value v = tensor::EmptyOp::create(b, ArrayRef<int64_t>{16, count(), channels},
                                    vec.getElementType());
  return forEach(
      b, channels, v,
      [&](Emitter &e, Value ty, Value tx, Value t, Value c, Value v) {
        Value y0 = e.mul(ty, 2), x0 = e.mul(tx, 2);
        // Along the tile's rows, each column; then along each row.
        std::array<Four, 4> columns;
        for (int64_t j = 0; j < 4; ++j) {
          Four d;
          for (int64_t i = 0; i < 4; ++i)
            d[i] = e.read(in,
                          {n, e.add(y0, e.index(i)), e.add(x0, e.index(j)), c});
          columns[j] = e.inputPoints(d);
        }
        for (int64_t k1 = 0; k1 < 4; ++k1) {
          Four row = e.inputPoints(
              {columns[0][k1], columns[1][k1], columns[2][k1], columns[3][k1]});
          for (int64_t k2 = 0; k2 < 4; ++k2)
            v = e.write(row[k2], v, {e.index(4 * k1 + k2), t, c});
        }
        return v;
      });
}

} // namespace cnnc::cpu::winograd
