//===- Pool.cpp - the poolings and their gradients ------------------------===//
//
// max_pool2d is linalg.pooling_nchw_max from −inf, avg_pool2d
// linalg.pooling_nchw_sum scaled in place by 1/(kh·kw). Their gradients are
// gathers over the input's positions (max_pool2d_grad over non-overlapping
// windows as three generics over the windows instead).
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "LinalgBuilders.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace cnn;
using namespace cnn::lowering;

namespace {

template <typename OpTy>
struct Pool2dLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, MaxPool2dOp>;
    Location loc = op.getLoc();
    ArrayRef<int64_t> kernel = op.getKernel();
    Value init = emptyTensor(rewriter, loc, op.getType(), adaptor.getInput());
    init = fill(rewriter, loc,
                isMax ? -std::numeric_limits<double>::infinity() : 0.0, init);
    // The pooling ops take the window's shape from a tensor they never read.
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel,
                                           rewriter.getF32Type());
    SmallVector<Value> inputs{adaptor.getInput(), window};
    DenseIntElementsAttr strides = pairAttr(rewriter, op.getStride());
    DenseIntElementsAttr dilations = pairAttr(rewriter, {1, 1});
    Type type = op.getType();
    if constexpr (isMax) {
      rewriter.replaceOpWithNewOp<linalg::PoolingNchwMaxOp>(
          op, type, inputs, init, strides, dilations);
    } else {
      Value sum = linalg::PoolingNchwSumOp::create(rewriter, loc, type, inputs,
                                                   init, strides, dilations)
                      .getResult(0);
      // Scaled in place: a generic with the sum as its only operand.
      double scale = 1.0 / double(kernel[0] * kernel[1]);
      rewriter.replaceOp(
          op, elementwise(rewriter, loc, {}, sum,
                          [&](OpBuilder &b, Location l, ValueRange args) {
                            return arith::MulFOp::create(
                                b, l, args[0], f32Constant(b, l, scale));
                          }));
    }
    return success();
  }
};

/// For each input position (h, w) of a pooling with `kernel` and `stride`
/// over an [.., OH, OW] output, calls `visit(oh, ow, i, j, valid)` for every
/// window that may contain it (statically ⌈K/s⌉² candidates): (oh, ow) the
/// window, clamped into range, (i, j) the position within it, `valid`
/// whether the window exists and contains (h, w).
void forEachCoveringWindow(
    OpBuilder &b, Location loc, Value h, Value w, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> stride, int64_t outH, int64_t outW,
    function_ref<void(Value, Value, Value, Value, Value)> visit) {
  Value pos[2] = {h, w};
  int64_t out[2] = {outH, outW};
  int64_t candidates[2];
  for (int d = 0; d < 2; ++d)
    candidates[d] = (kernel[d] + stride[d] - 1) / stride[d];
  auto axis = [&](int d, int64_t a, Value &window, Value &offset,
                  Value &valid) {
    // window = pos / s − a, offset = pos − window·s; valid when
    // 0 <= window < out and offset < kernel.
    Value s = indexConstant(b, loc, stride[d]);
    Value q = arith::DivUIOp::create(b, loc, pos[d], s);
    Value raw = arith::SubIOp::create(b, loc, q, indexConstant(b, loc, a));
    Value enough = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, q,
                                         indexConstant(b, loc, a));
    Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          raw, indexConstant(b, loc, out[d]));
    Value ok = arith::AndIOp::create(b, loc, enough, inRange);
    window = arith::SelectOp::create(b, loc, ok, raw, indexConstant(b, loc, 0));
    offset = arith::SubIOp::create(
        b, loc, pos[d], arith::MulIOp::create(b, loc, window, s));
    Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         offset,
                                         indexConstant(b, loc, kernel[d]));
    valid = arith::AndIOp::create(b, loc, ok, inside);
  };
  for (int64_t a = 0; a < candidates[0]; ++a)
    for (int64_t c = 0; c < candidates[1]; ++c) {
      Value oh, i, validH, ow, j, validW;
      axis(0, a, oh, i, validH);
      axis(1, c, ow, j, validW);
      visit(oh, ow, i, j, arith::AndIOp::create(b, loc, validH, validW));
    }
}

/// A pooling's input gradient as a gather over the input's positions:
/// dx[n, c, h, w] = Σ over the covering windows of `share(n, c, oh, ow, i, j,
/// valid)`, each window's share (0 unless `valid`).
Value poolGradient(
    OpBuilder &rewriter, Location loc, Value init, RankedTensorType dyType,
    ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
    function_ref<Value(OpBuilder &, Location, Value, Value, Value, Value,
                       Value, Value, Value)>
        share) {
  return elementwise(
      rewriter, loc, {}, init, [&](OpBuilder &b, Location l, ValueRange) {
        Value n = linalg::IndexOp::create(b, l, 0);
        Value c = linalg::IndexOp::create(b, l, 1);
        Value h = linalg::IndexOp::create(b, l, 2);
        Value w = linalg::IndexOp::create(b, l, 3);
        Value acc = f32Constant(b, l, 0.0);
        forEachCoveringWindow(
            b, l, h, w, kernel, stride, dyType.getDimSize(2),
            dyType.getDimSize(3),
            [&](Value oh, Value ow, Value i, Value j, Value valid) {
              acc = arith::AddFOp::create(
                  b, l, acc, share(b, l, n, c, oh, ow, i, j, valid));
            });
        return acc;
      });
}

/// The window position (i, j) of the first maximum of `values` (the
/// window's elements in row-major order; NaN counts as the maximum, as in
/// PyTorch), as index constants selected along the scan.
std::pair<Value, Value> firstMaxPosition(OpBuilder &b, Location l,
                                         ValueRange values,
                                         int64_t kernelW) {
  Value best, bestI, bestJ;
  for (auto [k, v] : llvm::enumerate(values)) {
    Value ci = indexConstant(b, l, int64_t(k) / kernelW);
    Value cj = indexConstant(b, l, int64_t(k) % kernelW);
    if (!best) {
      best = v, bestI = ci, bestJ = cj;
      continue;
    }
    Value greater =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, best);
    Value nan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v, v);
    Value bestNan =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, best, best);
    Value take = arith::AndIOp::create(
        b, l, arith::OrIOp::create(b, l, greater, nan),
        arith::XOrIOp::create(
            b, l, bestNan,
            arith::ConstantOp::create(b, l, b.getBoolAttr(true))));
    best = arith::SelectOp::create(b, l, take, v, best);
    bestI = arith::SelectOp::create(b, l, take, ci, bestI);
    bestJ = arith::SelectOp::create(b, l, take, cj, bestJ);
  }
  return {bestI, bestJ};
}

/// max_pool2d_grad for windows that do not overlap (stride = kernel, the
/// lecture's pools), on contiguous rows only: x (the part the windows
/// cover) viewed as [N, C, OH, KH, OW, KW], three generics
///   m[n, c, oh, ow]    = max over (i, j) of the window;
///   code[n, c, oh, ow] = Σ_{i, j} 2^(K − 1 − (i·KW + j)) where the element
///                        equals m (or is NaN), K = KH·KW: one bit per
///                        position, the first maximum's the highest;
///   dx[n, c, oh, i, ow, j] = dy[n, c, oh, ow] where i·KW + j is that first
///                        position (K − 1 − ⌊log2 code⌋, from the float's
///                        exponent), 0 elsewhere,
/// the window reductions with the window columns in the vector, the last
/// writing whole rows of dx (where strided slices of x, one per window
/// element, would gather and scatter). Rows and columns the pooling's floor
/// skipped are padded with zeros. Null when the windows overlap or leave
/// gaps, or have more positions than a float's mantissa holds bits.
Value maxPoolGradByWindows(OpBuilder &b, Location loc, Value x, Value dy,
                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride) {
  auto type = cast<RankedTensorType>(x.getType());
  auto dyType = cast<RankedTensorType>(dy.getType());
  int64_t positions = kernel[0] * kernel[1];
  if (kernel[0] != stride[0] || kernel[1] != stride[1] || positions > 24 ||
      type.getRank() != 4 || !type.isDynamicDim(0) ||
      llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic))
    return nullptr;
  MLIRContext *ctx = b.getContext();
  int64_t channels = type.getDimSize(1);
  int64_t outH = dyType.getDimSize(2), outW = dyType.getDimSize(3);
  if (outH != type.getDimSize(2) / kernel[0] ||
      outW != type.getDimSize(3) / kernel[1])
    return nullptr;
  SmallVector<int64_t> covered{ShapedType::kDynamic, channels,
                               outH * kernel[0], outW * kernel[1]};
  Value x6 = poolWindows(b, loc, x, kernel);
  if (!x6)
    return nullptr;
  auto windowsType = cast<RankedTensorType>(x6.getType());
  SmallVector<ReassociationIndices> windowGroups{{0}, {1}, {2, 3}, {4, 5}};
  Value batch = tensor::DimOp::create(b, loc, x, 0);

  // i·KW + j inside a generic whose loop `rowDim` is i and loop 5 is j.
  auto windowPosition = [&](OpBuilder &nb, Location l, unsigned rowDim) {
    return arith::AddIOp::create(
               nb, l,
               arith::MulIOp::create(nb, l,
                                     linalg::IndexOp::create(nb, l, rowDim),
                                     indexConstant(nb, l, kernel[1])),
               linalg::IndexOp::create(nb, l, 5))
        .getResult();
  };

  // Window reductions over (n, c, oh, ow | i, j): the same maximum as the
  // forward pooling's, which a CPU strategy may compute in this form too.
  AffineExpr n, c, oh, ow, i, j;
  bindDims(ctx, n, c, oh, ow, i, j);
  SmallVector<AffineMap> reduceMaps{
      AffineMap::get(6, 0, {n, c, oh, i, ow, j}, ctx),
      AffineMap::get(6, 0, {n, c, oh, ow}, ctx)};
  SmallVector<IteratorType> reduceIters{kPar, kPar, kPar, kPar, kRed, kRed};
  Value maxima =
      windowMaxima(b, loc, x6,
                   fill(b, loc, -std::numeric_limits<double>::infinity(),
                        emptyTensor(b, loc, dyType, dy)));
  SmallVector<AffineMap> codeMaps{reduceMaps[0], reduceMaps[1],
                                  reduceMaps[1]};
  Value code =
      generic(b, loc, {x6, maxima},
              fill(b, loc, 0.0, emptyTensor(b, loc, dyType, dy)),
              codeMaps, reduceIters,
              [&](OpBuilder &nb, Location l, ValueRange args) {
                // 2^(K − 1 − position) as a float: the exponent field.
                Value position = windowPosition(nb, l, 4);
                Value exponent = arith::SubIOp::create(
                    nb, l, indexConstant(nb, l, 127 + positions - 1),
                    position);
                Value bit = arith::BitcastOp::create(
                    nb, l, nb.getF32Type(),
                    arith::ShLIOp::create(
                        nb, l,
                        arith::IndexCastOp::create(nb, l, nb.getI32Type(),
                                                   exponent),
                        i32Constant(nb, l, 23)));
                Value hit = arith::OrIOp::create(
                    nb, l,
                    arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ,
                                          args[0], args[1]),
                    arith::CmpFOp::create(nb, l, arith::CmpFPredicate::UNO,
                                          args[0], args[0]));
                Value term = arith::SelectOp::create(
                    nb, l, hit, bit, f32Constant(nb, l, 0.0));
                return SmallVector<Value>{
                    arith::AddFOp::create(nb, l, args[2], term)};
              })
          .getResult(0);

  // dx over (n, c, oh, i, ow, j): whole rows.
  AffineExpr wn, wc, woh, wi, wow, wj;
  bindDims(ctx, wn, wc, woh, wi, wow, wj);
  AffineMap perWindow = AffineMap::get(6, 0, {wn, wc, woh, wow}, ctx);
  Value init = tensor::EmptyOp::create(b, loc, windowsType, ValueRange{batch});
  Value windows =
      generic(b, loc, {code, dy}, init,
              {perWindow, perWindow, identityMap(ctx, 6)},
              SmallVector<IteratorType>(6, kPar),
              [&](OpBuilder &nb, Location l, ValueRange args) {
                // ⌊log2 code⌋ + 127 is the exponent field of code.
                Value exponent = arith::ShRUIOp::create(
                    nb, l,
                    arith::BitcastOp::create(nb, l, nb.getI32Type(), args[0]),
                    i32Constant(nb, l, 23));
                Value first = arith::SubIOp::create(
                    nb, l, i32Constant(nb, l, 127 + positions - 1), exponent);
                Value position = windowPosition(nb, l, 3);
                Value hit = arith::CmpIOp::create(
                    nb, l, arith::CmpIPredicate::eq, first,
                    arith::IndexCastOp::create(nb, l, nb.getI32Type(),
                                               position));
                return SmallVector<Value>{arith::SelectOp::create(
                    nb, l, hit, args[1], f32Constant(nb, l, 0.0))};
              })
          .getResult(0);
  Value dx = tensor::CollapseShapeOp::create(b, loc, type.clone(covered),
                                             windows, windowGroups);
  int64_t high[2] = {type.getDimSize(2) - covered[2],
                     type.getDimSize(3) - covered[3]};
  int64_t low[2] = {0, 0};
  return padSpatial(b, loc, dx, low, high);
}

struct MaxPool2dGradLowering : OpConversionPattern<MaxPool2dGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPool2dGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), dy = adaptor.getOutputGrad();
    auto type = cast<RankedTensorType>(x.getType());
    auto dyType = cast<RankedTensorType>(dy.getType());
    ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride();
    if (Value dx = maxPoolGradByWindows(rewriter, loc, x, dy, kernel, stride)) {
      rewriter.replaceOp(op, dx);
      return success();
    }
    Value dx = poolGradient(
        rewriter, loc, emptyTensor(rewriter, loc, type, x), dyType, kernel,
        stride,
        [&](OpBuilder &b, Location l, Value n, Value c, Value oh, Value ow,
            Value i, Value j, Value valid) {
                Value h0 = arith::MulIOp::create(
                    b, l, oh, indexConstant(b, l, stride[0]));
                Value w0 = arith::MulIOp::create(
                    b, l, ow, indexConstant(b, l, stride[1]));
                // The window's first maximum, by position.
                SmallVector<Value> values;
                for (int64_t ki = 0; ki < kernel[0]; ++ki)
                  for (int64_t kj = 0; kj < kernel[1]; ++kj)
                    values.push_back(tensor::ExtractOp::create(
                        b, l, x,
                        ValueRange{n, c,
                                   arith::AddIOp::create(
                                       b, l, h0, indexConstant(b, l, ki)),
                                   arith::AddIOp::create(
                                       b, l, w0, indexConstant(b, l, kj))}));
                auto [bestI, bestJ] =
                    firstMaxPosition(b, l, values, kernel[1]);
                Value hit = arith::AndIOp::create(
                    b, l, valid,
                    arith::AndIOp::create(
                        b, l,
                        arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                              bestI, i),
                        arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                              bestJ, j)));
                Value g = tensor::ExtractOp::create(b, l, dy,
                                                    ValueRange{n, c, oh, ow});
                return arith::SelectOp::create(b, l, hit, g,
                                               f32Constant(b, l, 0.0))
                    .getResult();
        });
    rewriter.replaceOp(op, dx);
    return success();
  }
};

/// dx[n, c, h, w] = Σ over the windows containing (h, w) of dy / (KH·KW).
struct AvgPool2dGradLowering : OpConversionPattern<AvgPool2dGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPool2dGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value dy = adaptor.getOutputGrad();
    auto type = cast<RankedTensorType>(op.getType());
    auto dyType = cast<RankedTensorType>(dy.getType());
    ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride();
    double share = 1.0 / double(kernel[0] * kernel[1]);
    Value dx = poolGradient(
        rewriter, loc, emptyTensor(rewriter, loc, type, dy), dyType, kernel,
        stride,
        [&](OpBuilder &b, Location l, Value n, Value c, Value oh, Value ow,
            Value, Value, Value valid) {
          Value g = tensor::ExtractOp::create(b, l, dy, ValueRange{n, c, oh, ow});
          g = arith::MulFOp::create(b, l, g, f32Constant(b, l, share));
          return arith::SelectOp::create(b, l, valid, g, f32Constant(b, l, 0.0))
              .getResult();
        });
    rewriter.replaceOp(op, dx);
    return success();
  }
};

} // namespace

void cnn::lowering::populatePoolPatterns(RewritePatternSet &patterns) {
  patterns.add<Pool2dLowering<AvgPool2dOp>, Pool2dLowering<MaxPool2dOp>,
               AvgPool2dGradLowering, MaxPool2dGradLowering>(patterns.getContext());
}
