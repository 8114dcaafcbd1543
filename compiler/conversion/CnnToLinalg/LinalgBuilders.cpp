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
                              identityMap(ctx, rank)};
  return generic(b, loc, vec, init, maps, parallel(rank),
                 [](OpBuilder &, Location, ValueRange args) {
                   return SmallVector<Value>{args[0]};
                 })
      .getResult(0);
}

Value biasOrZeros(OpBuilder &b, Location loc, Value bias, Value init,
                  int64_t dim) {
  return bias ? broadcastChannels(b, loc, bias, init, dim)
              : fill(b, loc, 0.0, init);
}

Value elementwise(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                  ScalarFn body, ArrayRef<AffineMap> inputMaps) {
  auto type = cast<RankedTensorType>(init.getType());
  int64_t rank = type.getRank();
  AffineMap identity = identityMap(b.getContext(), rank);
  SmallVector<AffineMap> maps(inputMaps.begin(), inputMaps.end());
  if (maps.empty())
    maps.assign(inputs.size(), identity);
  maps.push_back(identity);
  return generic(b, loc, inputs, init, maps, parallel(rank),
                 [&](OpBuilder &nb, Location nloc, ValueRange args) {
                   return SmallVector<Value>{body(nb, nloc, args)};
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

Value f64Constant(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(value));
}
Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}
Value i32Constant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(int32_t(value)));
}

Value indexToFloat(OpBuilder &b, Location loc, Value index, FloatType type) {
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  return arith::SIToFPOp::create(b, loc, type, i64);
}

Value countOf(OpBuilder &b, Location loc, Value t, int64_t perSample,
              FloatType type) {
  Value n = tensor::DimOp::create(b, loc, t, 0);
  Value count = arith::MulIOp::create(b, loc, n, indexConstant(b, loc, perSample));
  return indexToFloat(b, loc, count, type);
}

Value zeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type element,
            ValueRange dynamicSizes) {
  Value init = tensor::EmptyOp::create(b, loc, shape, element, dynamicSizes);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  return linalg::FillOp::create(b, loc, zero, init).getResult(0);
}

using MultiFn = function_ref<SmallVector<Value>(OpBuilder &, Location,
                                                ValueRange)>;

linalg::GenericOp generic(OpBuilder &b, Location loc, ValueRange inputs,
                          ValueRange inits, ArrayRef<AffineMap> maps,
                          ArrayRef<IteratorType> iterators, MultiFn body) {
  return linalg::GenericOp::create(
      b, loc, ValueRange(inits).getTypes(), inputs, inits, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
      });
}

AffineMap identityMap(MLIRContext *ctx, int64_t rank) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx);
}

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

SmallVector<unsigned> channelsLastDims(int64_t rank) {
  SmallVector<unsigned> dims =
      llvm::to_vector(llvm::seq<unsigned>(0, rank - 3));
  dims.append({unsigned(rank - 2), unsigned(rank - 1), unsigned(rank - 3)});
  return dims;
}

SmallVector<unsigned> channelsFirstDims(int64_t rank) {
  SmallVector<unsigned> dims =
      llvm::to_vector(llvm::seq<unsigned>(0, rank - 3));
  dims.append({unsigned(rank - 1), unsigned(rank - 3), unsigned(rank - 2)});
  return dims;
}

Value channelsLast(OpBuilder &b, Location loc, Value t) {
  return permuted(b, loc, t,
                  channelsLastDims(cast<ShapedType>(t.getType()).getRank()));
}

Value channelsFirst(OpBuilder &b, Location loc, Value t) {
  return permuted(b, loc, t,
                  channelsFirstDims(cast<ShapedType>(t.getType()).getRank()));
}

SmallVector<Value> channelSums(OpBuilder &b, Location loc, int64_t rank,
                               int64_t channels, ValueRange inputs,
                               ArrayRef<AffineMap> inputMaps, unsigned terms,
                               MultiFn body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<Value> inits;
  for (unsigned i = 0; i < terms; ++i)
    inits.push_back(zeros(b, loc, {channels}, b.getF64Type()));
  SmallVector<AffineMap> maps(inputMaps);
  for (unsigned i = 0; i < terms; ++i)
    maps.push_back(channelMap(ctx, rank, 1));
  SmallVector<IteratorType> iterators(rank, kRed);
  iterators[1] = kPar;
  auto op = generic(b, loc, inputs, inits, maps, iterators,
                    [&](OpBuilder &nb, Location nloc, ValueRange args) {
                      SmallVector<Value> t = body(nb, nloc, args);
                      SmallVector<Value> sums;
                      for (unsigned i = 0; i < terms; ++i)
                        sums.push_back(arith::AddFOp::create(
                            nb, nloc, args[inputs.size() + i], t[i]));
                      return sums;
                    });
  return SmallVector<Value>(op.getResults());
}

Value poolWindows(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> kernel,
                  Value batchSize) {
  auto type = dyn_cast<RankedTensorType>(x.getType());
  if (!type || type.getRank() != 4 || !type.isDynamicDim(0) ||
      llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic))
    return nullptr;
  int64_t channels = type.getDimSize(1);
  int64_t outH = type.getDimSize(2) / kernel[0];
  int64_t outW = type.getDimSize(3) / kernel[1];
  SmallVector<int64_t> covered{ShapedType::kDynamic, channels, outH * kernel[0],
                               outW * kernel[1]};
  OpFoldResult batch =
      batchSize ? batchSize : tensor::DimOp::create(b, loc, x, 0).getResult();
  Value xc = x;
  if (covered[2] != type.getDimSize(2) || covered[3] != type.getDimSize(3)) {
    OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
    xc = tensor::ExtractSliceOp::create(
        b, loc, type.clone(covered), x,
        ArrayRef<OpFoldResult>{zero, zero, zero, zero},
        ArrayRef<OpFoldResult>{batch, b.getIndexAttr(channels),
                               b.getIndexAttr(covered[2]),
                               b.getIndexAttr(covered[3])},
        ArrayRef<OpFoldResult>{one, one, one, one});
  }
  SmallVector<int64_t> windowShape{
      ShapedType::kDynamic, channels, outH, kernel[0], outW, kernel[1]};
  SmallVector<OpFoldResult> windowSizes{batch};
  for (int64_t d : ArrayRef(windowShape).drop_front())
    windowSizes.push_back(b.getIndexAttr(d));
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(windowShape, type.getElementType()), xc,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}}, windowSizes);
}

Value windowMaxima(OpBuilder &b, Location loc, Value windows, Value init) {
  MLIRContext *ctx = b.getContext();
  AffineExpr n, c, oh, ow, i, j;
  bindDims(ctx, n, c, oh, ow, i, j);
  SmallVector<AffineMap> maps{AffineMap::get(6, 0, {n, c, oh, i, ow, j}, ctx),
                              AffineMap::get(6, 0, {n, c, oh, ow}, ctx)};
  return generic(b, loc, windows, init, maps,
                 {kPar, kPar, kPar, kPar, kRed, kRed},
                 [](OpBuilder &nb, Location l, ValueRange args) {
                   return SmallVector<Value>{
                       arith::MaximumFOp::create(nb, l, args[0], args[1])};
                 })
      .getResult(0);
}

} // namespace cnn::lowering
