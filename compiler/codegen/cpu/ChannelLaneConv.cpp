//===- ChannelLaneConv.cpp - convolutions with channels as the lane -------===//
#include "codegen/cpu/ChannelLaneConv.h"
#include "codegen/cpu/ChannelsLastActivations.h"
#include "codegen/cpu/LaneSums.h"
#include "conversion/CnnToLinalg/LinalgBuilders.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace cnn::lowering;

namespace cnnc::cpu {

namespace {
/// A generic's body `acc + in0 · in1`, the form isMultiplyAccumulate
/// matches.
SmallVector<Value> multiplyAccumulate(OpBuilder &b, Location loc,
                                      ValueRange args) {
  Value t = arith::MulFOp::create(b, loc, args[0], args[1]);
  return {arith::AddFOp::create(b, loc, args[2], t)};
}

/// The per-channel vector a broadcast init (the conv's bias) repeats, or
/// null: a generic whose one input is 1-D, read at the channel dimension,
/// and whose body yields it.
Value broadcastSource(Value init) {
  auto op = init.getDefiningOp<linalg::GenericOp>();
  if (!op || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != op.getNumParallelLoops())
    return nullptr;
  OpOperand *input = op.getDpsInputOperand(0);
  AffineMap map = op.getMatchingIndexingMap(input);
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  if (map != AffineMap::get(4, 0, getAffineDimExpr(1, op.getContext())) ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      yield.getValues().size() != 1 ||
      yield.getValues()[0] != op.getMatchingBlockArgument(input))
    return nullptr;
  return input->get();
}

/// `init` of the NCHW conv as the channels-last accumulator: the same fill
/// or bias broadcast made channels-last, else a layout copy.
Value channelsLastInit(OpBuilder &b, Location loc, Value init,
                       RankedTensorType lastType) {
  if (auto fillOp = init.getDefiningOp<linalg::FillOp>())
    return linalg::FillOp::create(b, loc, fillOp.getInputs()[0],
                                  emptyTensor(b, loc, lastType, init))
        .getResult(0);
  if (Value bias = broadcastSource(init))
    return broadcastChannels(b, loc, bias, emptyTensor(b, loc, lastType, init),
                             3);
  return channelsLast(b, loc, init);
}
enum class LaneChannel { Input, Output };

/// dw[o, c, i, j] = Σ_{n, oh, ow} dy[n, o, oh, ow]·xpad[n, c, oh·sh + i,
/// ow·sw + j] with channels as the vector lane: over channels-last copies of
/// dy and xpad, each step is an outer product of `rows` values of one
/// operand (broadcast) with `lanes` contiguous values of the other. The
/// iteration is (ro, i, j, ri, l | n, oh, ow) where l is the lane channel
/// and ro·rows + ri the other one (the threads split ro); its result
/// [ro, kh, kw, ri, l] is permuted and reshaped into [o, c, kh, kw].
Value channelLaneWeightGrad(OpBuilder &b, Location loc, Value xpad, Value dy,
                            RankedTensorType type, ArrayRef<int64_t> stride,
                            LaneChannel lane, int64_t rows) {
  MLIRContext *ctx = b.getContext();
  int64_t o = type.getDimSize(0), c = type.getDimSize(1);
  int64_t kh = type.getDimSize(2), kw = type.getDimSize(3);
  bool inputLane = lane == LaneChannel::Input;
  int64_t lanes = inputLane ? c : o, other = inputLane ? o : c;
  Value xT = channelsLast(b, loc, xpad), dyT = channelsLast(b, loc, dy);
  AffineExpr ro, i, j, ri, l, n, h, w;
  bindDims(ctx, ro, i, j, ri, l, n, h, w);
  AffineExpr r = ro * rows + ri;
  AffineExpr xc = inputLane ? l : r, dyc = inputLane ? r : l;
  SmallVector<AffineMap> maps{
      AffineMap::get(8, 0, {n, h * stride[0] + i, w * stride[1] + j, xc}, ctx),
      AffineMap::get(8, 0, {n, h, w, dyc}, ctx),
      AffineMap::get(8, 0, {ro, i, j, ri, l}, ctx)};
  SmallVector<int64_t> partialShape{other / rows, kh, kw, rows, lanes};
  Value partial =
      generic(b, loc, {xT, dyT}, zeros(b, loc, partialShape, b.getF32Type()),
              maps, {kPar, kPar, kPar, kPar, kPar, kRed, kRed, kRed},
              multiplyAccumulate)
          .getResult(0);
  // [ro, i, j, ri, l] -> [ro, ri, l, i, j] (input lane: o = (ro, ri), c = l)
  // or [ro, ri, i, j] with l first (output lane: o = l, c = (ro, ri)).
  SmallVector<int64_t> perm = inputLane ? SmallVector<int64_t>{0, 3, 4, 1, 2}
                                        : SmallVector<int64_t>{4, 0, 3, 1, 2};
  SmallVector<int64_t> permShape;
  for (int64_t d : perm)
    permShape.push_back(partialShape[d]);
  Value permInit = tensor::EmptyOp::create(b, loc, permShape, b.getF32Type());
  Value permuted =
      linalg::TransposeOp::create(b, loc, partial, permInit, perm).getResult()[0];
  SmallVector<ReassociationIndices> groups =
      inputLane ? SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}}
                : SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}};
  return tensor::CollapseShapeOp::create(b, loc, type, permuted, groups);
}

/// The column-lane form: a laneSum with the output column ow as the lane;
/// the iteration is (s, i, j, v, ow | n, oh) with s the larger of the two
/// channel counts (the threads split it) and v the other (the register
/// tile's rows).
Value columnLaneWeightGrad(OpBuilder &b, Location loc, Value x, Value dy,
                           RankedTensorType type, ArrayRef<int64_t> stride) {
  MLIRContext *ctx = b.getContext();
  int64_t o = type.getDimSize(0), c = type.getDimSize(1);
  int64_t kh = type.getDimSize(2), kw = type.getDimSize(3);
  int64_t ow = cast<RankedTensorType>(dy.getType()).getDimSize(3);
  AffineExpr s, i, j, v, w, n, h;
  bindDims(ctx, s, i, j, v, w, n, h);
  bool splitInputChannels = c >= o;
  AffineExpr oc = splitInputChannels ? v : s, cc = splitInputChannels ? s : v;
  SmallVector<AffineMap> maps{
      AffineMap::get(7, 0, {n, cc, h * stride[0] + i, w * stride[1] + j}, ctx),
      AffineMap::get(7, 0, {n, oc, h, w}, ctx)};
  int64_t split = splitInputChannels ? c : o;
  int64_t rows = splitInputChannels ? o : c;
  return laneSum(b, loc, {x, dy}, maps, {split, kh, kw, rows, ow}, 2,
                 AffineMap::get(5, 0, {oc, cc, i, j}, ctx), type.getShape(),
                 b.getF32Type(), [](OpBuilder &nb, Location l, ValueRange args) {
                   return arith::MulFOp::create(nb, l, args[0], args[1])
                       .getResult();
                 });
}

/// Whether `op`'s body is `acc + in0 · in1`.
bool isMultiplyAccumulate(linalg::GenericOp op) {
  Block *body = op.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  if (body->getOperations().size() != 3 || yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || add.getLhs() != body->getArgument(2))
    return false;
  auto mul = add.getRhs().getDefiningOp<arith::MulFOp>();
  return mul && mul.getLhs() == body->getArgument(0) &&
         mul.getRhs() == body->getArgument(1);
}
} // namespace

std::optional<std::array<int64_t, 2>>
weightGradStrides(linalg::GenericOp op) {
  if (op.getNumLoops() != 7 || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumParallelLoops() != 4 ||
      !op.hasPureTensorSemantics() || !isMultiplyAccumulate(op))
    return std::nullopt;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (int d = 0; d < 4; ++d)
    if (iters[d] != kPar)
      return std::nullopt;
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  AffineExpr o, c, i, j, n, h, w;
  bindDims(ctx, o, c, i, j, n, h, w);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[1] != AffineMap::get(7, 0, {n, o, h, w}, ctx) ||
      maps[2] != AffineMap::get(7, 0, {o, c, i, j}, ctx))
    return std::nullopt;
  // The strides, as the conversion wrote them (h·sh + i, w·sw + j).
  for (int64_t sh = 1; sh <= kMaxStride; ++sh)
    for (int64_t sw = 1; sw <= kMaxStride; ++sw)
      if (maps[0] ==
          AffineMap::get(7, 0, {n, c, h * sh + i, w * sw + j}, ctx))
        return std::array<int64_t, 2>{sh, sw};
  return std::nullopt;
}

void rewriteWeightGrad(RewriterBase &rewriter, linalg::GenericOp op,
                       ArrayRef<int64_t> stride, WeightGradLane lane,
                       int64_t rows) {
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value x = op.getDpsInputs()[0], dy = op.getDpsInputs()[1];
  auto type = cast<RankedTensorType>(op.getResultTypes()[0]);
  Value grad =
      lane == WeightGradLane::Columns
          ? columnLaneWeightGrad(rewriter, loc, x, dy, type, stride)
          : channelLaneWeightGrad(rewriter, loc, x, dy, type, stride,
                                  lane == WeightGradLane::InputChannels
                                      ? LaneChannel::Input
                                      : LaneChannel::Output,
                                  rows);
  Value init = op.getDpsInits()[0];
  rewriter.replaceOp(op, grad);
  if (Operation *def = init.getDefiningOp(); def && isOpTriviallyDead(def))
    rewriter.eraseOp(def);
}

OutputChannelTaps rewriteAsOutputChannelTaps(RewriterBase &rewriter,
                                             linalg::GenericOp op,
                                             ArrayRef<int64_t> stride,
                                             int64_t lanes) {
  MLIRContext *ctx = rewriter.getContext();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value x = op.getDpsInputs()[0], dy = op.getDpsInputs()[1];
  Value dyLast = channelsLastSource(dy);
  if (!dyLast)
    dyLast = channelsLast(rewriter, loc, dy);
  auto type = cast<RankedTensorType>(op.getResultTypes()[0]);
  int64_t o = type.getDimSize(0), c = type.getDimSize(1);
  int64_t kh = type.getDimSize(2), kw = type.getDimSize(3);
  Type f32 = rewriter.getF32Type();

  // Per image: (n, lo, c, i, j, l | oh, ow) into [N, lo, c, i, j, l].
  AffineExpr n, lo, ci, i, j, l, h, w;
  bindDims(ctx, n, lo, ci, i, j, l, h, w);
  SmallVector<AffineMap> maps{
      AffineMap::get(8, 0, {n, ci, h * stride[0] + i, w * stride[1] + j}, ctx),
      AffineMap::get(8, 0, {n, h, w, lo * lanes + l}, ctx),
      AffineMap::get(8, 0, {n, lo, ci, i, j, l}, ctx)};
  Value batch = tensor::DimOp::create(rewriter, loc, dyLast, 0);
  SmallVector<int64_t> partialShape{
      ShapedType::kDynamic, o / lanes, c, kh, kw, lanes};
  linalg::GenericOp perImage = generic(
      rewriter, loc, {x, dyLast},
      zeros(rewriter, loc, partialShape, f32, ValueRange{batch}), maps,
      {kPar, kPar, kPar, kPar, kPar, kPar, kRed, kRed}, multiplyAccumulate);

  // The images' sum, (lo, c, i, j, l | n), in their order.
  AffineExpr sn, slo, sc, si, sj, sl;
  bindDims(ctx, slo, sc, si, sj, sl, sn);
  linalg::GenericOp sum =
      generic(rewriter, loc, {perImage.getResult(0)},
              zeros(rewriter, loc, {o / lanes, c, kh, kw, lanes}, f32),
              {AffineMap::get(6, 0, {sn, slo, sc, si, sj, sl}, ctx),
               AffineMap::get(6, 0, {slo, sc, si, sj, sl}, ctx)},
              {kPar, kPar, kPar, kPar, kPar, kRed},
              [](OpBuilder &nb, Location nl, ValueRange args) {
                return SmallVector<Value>{
                    arith::AddFOp::create(nb, nl, args[1], args[0])};
              });

  // [lo, c, i, j, l] -> [lo, l, c, i, j] -> [o, c, i, j].
  Value permInit = tensor::EmptyOp::create(
      rewriter, loc, ArrayRef<int64_t>{o / lanes, lanes, c, kh, kw}, f32);
  Value permuted =
      linalg::TransposeOp::create(rewriter, loc, sum.getResult(0), permInit,
                                  ArrayRef<int64_t>{0, 4, 1, 2, 3})
          .getResult()[0];
  Value grad = tensor::CollapseShapeOp::create(
      rewriter, loc, type, permuted,
      SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
  Value init = op.getDpsInits()[0];
  rewriter.replaceOp(op, grad);
  // The zero init, and dy's NCHW transpose where only this read it.
  for (Value v : {init, dy})
    if (Operation *def = v.getDefiningOp(); def && isOpTriviallyDead(def))
      rewriter.eraseOp(def);
  return {perImage, sum};
}

linalg::GenericOp rewriteAsChannelsLastWeightGrad(RewriterBase &rewriter,
                                                  linalg::GenericOp op,
                                                  ArrayRef<int64_t> stride) {
  MLIRContext *ctx = rewriter.getContext();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value x = channelsLast(rewriter, loc, op.getDpsInputs()[0]);
  Value dy = channelsLast(rewriter, loc, op.getDpsInputs()[1]);
  AffineExpr o, c, i, j, n, h, w;
  bindDims(ctx, o, c, i, j, n, h, w);
  SmallVector<AffineMap> maps{
      AffineMap::get(7, 0, {n, h * stride[0] + i, w * stride[1] + j, c}, ctx),
      AffineMap::get(7, 0, {n, h, w, o}, ctx),
      AffineMap::get(7, 0, {o, c, i, j}, ctx)};
  linalg::GenericOp grad =
      generic(rewriter, loc, {x, dy}, op.getDpsInits()[0], maps,
              op.getIteratorTypesArray(), multiplyAccumulate);
  rewriter.replaceOp(op, grad.getResults());
  return grad;
}

linalg::GenericOp rewriteAsChannelLaneConv(RewriterBase &rewriter,
                                           linalg::Conv2DNchwFchwOp conv) {
  Location loc = conv.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  rewriter.setInsertionPoint(conv);
  Value x = conv.getInputs()[0], w = conv.getInputs()[1];
  Value init = conv.getOutputs()[0];
  auto type = cast<RankedTensorType>(conv.getResultTensors()[0].getType());
  SmallVector<int64_t> stride(conv.getStrides().getValues<int64_t>());

  // The filter [F, C, KH, KW] as [KH, KW, C, F].
  auto wType = cast<RankedTensorType>(w.getType());
  ArrayRef<int64_t> ws = wType.getShape();
  Value filterInit = tensor::EmptyOp::create(
      rewriter, loc, ArrayRef<int64_t>{ws[2], ws[3], ws[1], ws[0]},
      wType.getElementType());
  Value filter = linalg::TransposeOp::create(rewriter, loc, w, filterInit,
                                             ArrayRef<int64_t>{2, 3, 1, 0})
                     .getResult()[0];

  ArrayRef<int64_t> s = type.getShape();
  auto lastType = type.clone({s[0], s[2], s[3], s[1]});
  Value lastInit = channelsLastInit(rewriter, loc, init, lastType);
  AffineExpr n, oh, ow, f, c, i, j;
  bindDims(ctx, n, oh, ow, f, c, i, j);
  SmallVector<AffineMap> maps{
      AffineMap::get(7, 0, {n, c, oh * stride[0] + i, ow * stride[1] + j},
                     ctx),
      AffineMap::get(7, 0, {i, j, c, f}, ctx),
      AffineMap::get(7, 0, {n, oh, ow, f}, ctx)};
  SmallVector<IteratorType> iterators(4, kPar);
  iterators.append(3, kRed);
  linalg::GenericOp lastConv = generic(rewriter, loc, {x, filter}, lastInit,
                                       maps, iterators, multiplyAccumulate);
  rewriter.replaceOp(conv, channelsFirst(rewriter, loc, lastConv.getResult(0)));
  // The NCHW init, unless something else reads it.
  if (Operation *def = init.getDefiningOp(); def && isOpTriviallyDead(def))
    rewriter.eraseOp(def);
  return lastConv;
}

} // namespace cnnc::cpu
