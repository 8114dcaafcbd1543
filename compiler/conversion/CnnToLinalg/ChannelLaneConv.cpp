//===- ChannelLaneConv.cpp - convolutions with channels as the lane -------===//
#include "ChannelLaneConv.h"
#include "LinalgBuilders.h"

using namespace mlir;

namespace cnn::lowering {

bool isChannelLaneCount(int64_t channels) { return channels % 16 == 0; }

namespace {
/// `t` with its dimensions permuted: result dimension k is t's `perm[k]`.
Value permuted(OpBuilder &b, Location loc, Value t, ArrayRef<unsigned> perm) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> inputExprs(perm.size());
  MLIRContext *ctx = b.getContext();
  for (auto [k, from] : llvm::enumerate(perm)) {
    shape.push_back(type.getDimSize(from));
    inputExprs[from] = getAffineDimExpr(k, ctx);
  }
  auto resultType = type.clone(shape);
  SmallVector<Value> dynamic;
  for (auto [k, from] : llvm::enumerate(perm))
    if (resultType.isDynamicDim(k))
      dynamic.push_back(tensor::DimOp::create(b, loc, t, from));
  Value init = tensor::EmptyOp::create(b, loc, shape, type.getElementType(),
                                       dynamic);
  return elementwise(
      b, loc, t, init,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; },
      AffineMap::get(type.getRank(), 0, inputExprs, ctx));
}
} // namespace

Value channelsLast(OpBuilder &b, Location loc, Value t) {
  return permuted(b, loc, t, {0, 2, 3, 1});
}

Value channelsFirst(OpBuilder &b, Location loc, Value t) {
  return permuted(b, loc, t, {0, 3, 1, 2});
}

Value channelLaneConv(OpBuilder &b, Location loc, Value x, Value filter,
                      Value bias, RankedTensorType type,
                      ArrayRef<int64_t> stride) {
  MLIRContext *ctx = b.getContext();
  ArrayRef<int64_t> s = type.getShape();
  auto lastType = type.clone({s[0], s[2], s[3], s[1]});
  Value init = biasOrZeros(b, loc, bias, emptyTensor(b, loc, lastType, x), 3);
  AffineExpr n, oh, ow, f, c, i, j;
  bindDims(ctx, n, oh, ow, f, c, i, j);
  SmallVector<AffineMap> maps{
      AffineMap::get(7, 0, {n, c, oh * stride[0] + i, ow * stride[1] + j},
                     ctx),
      AffineMap::get(7, 0, {i, j, c, f}, ctx),
      AffineMap::get(7, 0, {n, oh, ow, f}, ctx)};
  SmallVector<IteratorType> iterators(4, kPar);
  iterators.append(3, kRed);
  Value last =
      generic(b, loc, {x, filter}, init, maps, iterators,
              [](OpBuilder &nb, Location nl, ValueRange args) {
                Value t = arith::MulFOp::create(nb, nl, args[0], args[1]);
                return SmallVector<Value>{
                    arith::AddFOp::create(nb, nl, args[2], t)};
              })
          .getResult(0);
  return channelsFirst(b, loc, last);
}

} // namespace cnn::lowering
