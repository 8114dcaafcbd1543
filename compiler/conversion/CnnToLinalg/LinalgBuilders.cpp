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

Value zeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
            Type element) {
  Value init = tensor::EmptyOp::create(b, loc, shape, element);
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

Value laneSum(OpBuilder &b, Location loc, ValueRange inputs,
              ArrayRef<AffineMap> inputMaps, ArrayRef<int64_t> parallelShape,
              unsigned numReductions, AffineMap resultMap,
              ArrayRef<int64_t> resultShape, Type element, ScalarFn term) {
  MLIRContext *ctx = b.getContext();
  unsigned numParallel = parallelShape.size();
  unsigned numLoops = numParallel + numReductions;
  SmallVector<AffineMap> maps(inputMaps);
  SmallVector<AffineExpr> parallelDims;
  for (unsigned d = 0; d < numParallel; ++d)
    parallelDims.push_back(getAffineDimExpr(d, ctx));
  maps.push_back(AffineMap::get(numLoops, 0, parallelDims, ctx));
  SmallVector<IteratorType> iterators(numParallel, kPar);
  iterators.append(numReductions, kRed);
  Value partial =
      generic(b, loc, inputs, zeros(b, loc, parallelShape, element), maps,
              iterators,
              [&](OpBuilder &nb, Location l, ValueRange args) {
                Value t = term(nb, l, args.drop_back());
                return SmallVector<Value>{
                    arith::AddFOp::create(nb, l, args.back(), t)};
              })
          .getResult(0);
  SmallVector<IteratorType> laneIterators(numParallel - 1, kPar);
  laneIterators.push_back(kRed);
  return generic(b, loc, partial, zeros(b, loc, resultShape, element),
                 {identityMap(ctx, numParallel), resultMap}, laneIterators,
                 [](OpBuilder &nb, Location l, ValueRange args) {
                   return SmallVector<Value>{
                       arith::AddFOp::create(nb, l, args[1], args[0])};
                 })
      .getResult(0);
}

SmallVector<Value> channelSums(OpBuilder &b, Location loc, int64_t rank,
                               int64_t channels, ValueRange inputs,
                               ArrayRef<AffineMap> inputMaps, unsigned terms,
                               MultiFn body) {
  MLIRContext *ctx = b.getContext();
  if (rank == 4 && llvm::all_of(inputs, [](Value v) {
        auto type = cast<RankedTensorType>(v.getType());
        return type.getRank() != 4 || !type.isDynamicDim(3);
      })) {
    // (n, c, h, w) seen from the iteration (c, w | n, h).
    AffineExpr c, w, n, h;
    bindDims(ctx, c, w, n, h);
    AffineMap perm = AffineMap::get(4, 0, {n, c, h, w}, ctx);
    SmallVector<AffineMap> maps;
    for (AffineMap map : inputMaps)
      maps.push_back(map.compose(perm));
    int64_t width = 0;
    for (Value v : inputs) {
      auto type = cast<RankedTensorType>(v.getType());
      if (type.getRank() == 4)
        width = type.getDimSize(3);
    }
    SmallVector<Value> sums;
    for (unsigned i = 0; i < terms; ++i)
      sums.push_back(laneSum(
          b, loc, inputs, maps, {channels, width}, 2,
          AffineMap::get(2, 0, {c}, ctx), {channels}, b.getF64Type(),
          [&](OpBuilder &nb, Location l, ValueRange args) {
            return body(nb, l, args)[i];
          }));
    return sums;
  }
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

} // namespace cnn::lowering
