//===- LinalgBuilders.cpp - small builders the cnn lowerings share --------===//
#include "LinalgBuilders.h"

using namespace mlir;

namespace cnn::lowering {

Value f32Constant(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(value)));
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  Value like) {
  SmallVector<Value> dynamic;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(tensor::DimOp::create(b, loc, like, i));
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType(), dynamic);
}

Value fill(OpBuilder &b, Location loc, double value, Value init) {
  return linalg::FillOp::create(b, loc, f32Constant(b, loc, value), init)
      .getResult(0);
}

SmallVector<utils::IteratorType> parallel(int64_t rank) {
  return SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
}

AffineMap channelMap(MLIRContext *ctx, int64_t rank, int64_t dim) {
  return AffineMap::get(rank, 0, getAffineDimExpr(dim, ctx));
}

Value broadcastChannels(OpBuilder &b, Location loc, Value vec, Value init,
                        int64_t dim) {
  auto type = cast<RankedTensorType>(init.getType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps{channelMap(ctx, rank, dim),
                              AffineMap::getMultiDimIdentityMap(rank, ctx)};
  return linalg::GenericOp::create(
             b, loc, type, vec, init, maps, parallel(rank),
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, args[0]);
             })
      .getResult(0);
}

Value elementwise(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                  ScalarFn body, ArrayRef<AffineMap> inputMaps) {
  auto type = cast<RankedTensorType>(init.getType());
  int64_t rank = type.getRank();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  SmallVector<AffineMap> maps(inputMaps.begin(), inputMaps.end());
  if (maps.empty())
    maps.assign(inputs.size(), identity);
  maps.push_back(identity);
  return linalg::GenericOp::create(
             b, loc, type, inputs, init, maps, parallel(rank),
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
             })
      .getResult(0);
}

DenseIntElementsAttr pairAttr(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({int64_t(values.size())}, b.getI64Type()), values);
}

Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high) {
  if (low[0] == 0 && low[1] == 0 && high[0] == 0 && high[1] == 0)
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (int i = 0; i < 2; ++i)
    shape[2 + i] += low[i] + high[i];
  SmallVector<OpFoldResult> lows{b.getIndexAttr(0), b.getIndexAttr(0),
                                 b.getIndexAttr(low[0]), b.getIndexAttr(low[1])};
  SmallVector<OpFoldResult> highs{b.getIndexAttr(0), b.getIndexAttr(0),
                                  b.getIndexAttr(high[0]),
                                  b.getIndexAttr(high[1])};
  return tensor::PadOp::create(b, loc, type.clone(shape), input, lows, highs,
                               f32Constant(b, loc, 0.0));
}

} // namespace cnn::lowering
