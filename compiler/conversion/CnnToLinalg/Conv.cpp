//===- Conv.cpp - conv2d and its gradients --------------------------------===//
//
// conv2d is tensor.pad (padding > 0) and linalg.conv_2d_nchw_fchw into the
// broadcast bias, or with 16k output channels a channel-lane generic
// (ChannelLaneConv.h). Its input gradient is a convolution of the dilated,
// padded output gradient with the flipped filter; its weight and bias
// gradients are sums over the batch (laneSum, LinalgBuilders.h), the weight
// gradient with channels as the lane where the channel counts allow.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "ChannelLaneConv.h"
#include "LinalgBuilders.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace cnn;
using namespace cnn::lowering;

namespace {

struct Conv2dLowering : OpConversionPattern<Conv2dOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> padding = op.getPadding();
    Value input =
        padSpatial(rewriter, loc, adaptor.getInput(), padding, padding);
    auto type = cast<RankedTensorType>(op.getType());
    if (isChannelLaneCount(type.getDimSize(1))) {
      // The filter [F, C, KH, KW] as [KH, KW, C, F].
      Value w = adaptor.getWeight();
      auto wType = cast<RankedTensorType>(w.getType());
      ArrayRef<int64_t> ws = wType.getShape();
      Value init = tensor::EmptyOp::create(
          rewriter, loc, ArrayRef<int64_t>{ws[2], ws[3], ws[1], ws[0]},
          wType.getElementType());
      Value filter = linalg::TransposeOp::create(rewriter, loc, w, init,
                                                 ArrayRef<int64_t>{2, 3, 1, 0})
                         .getResult()[0];
      rewriter.replaceOp(op, channelLaneConv(rewriter, loc, input, filter,
                                             adaptor.getBias(), type,
                                             op.getStride()));
      return success();
    }
    Value init = biasOrZeros(
        rewriter, loc, adaptor.getBias(),
        emptyTensor(rewriter, loc, op.getType(), adaptor.getInput()), 1);
    rewriter.replaceOpWithNewOp<linalg::Conv2DNchwFchwOp>(
        op, TypeRange{op.getType()}, ValueRange{input, adaptor.getWeight()},
        ValueRange{init}, pairAttr(rewriter, op.getStride()),
        pairAttr(rewriter, {1, 1}));
    return success();
  }
};

/// dx = conv(pad(dilate(dy)), w flipped and transposed), stride 1: each
/// input position collects the output positions whose window covers it.
struct Conv2dInputGradLowering : OpConversionPattern<Conv2dInputGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2dInputGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value dy = adaptor.getOutputGrad(), w = adaptor.getWeight();
    auto dyType = cast<RankedTensorType>(dy.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    auto type = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding();
    int64_t o = wType.getDimSize(0), c = wType.getDimSize(1);
    int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
    int64_t k[2] = {kh, kw};

    // Zeros between dy's rows and columns for a stride above 1.
    if (stride[0] != 1 || stride[1] != 1) {
      SmallVector<int64_t> shape(dyType.getShape());
      for (int i = 0; i < 2; ++i)
        shape[2 + i] = (shape[2 + i] - 1) * stride[i] + 1;
      auto dilatedType = dyType.clone(shape);
      Value zero = fill(rewriter, loc, 0.0,
                        emptyTensor(rewriter, loc, dilatedType, dy));
      SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, dy);
      SmallVector<OpFoldResult> strides{
          rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
          rewriter.getIndexAttr(stride[0]), rewriter.getIndexAttr(stride[1])};
      dy = tensor::InsertSliceOp::create(rewriter, loc, dy, zero, offsets,
                                         sizes, strides);
      dyType = dilatedType;
    }
    int64_t low[2], high[2];
    for (int i = 0; i < 2; ++i) {
      low[i] = k[i] - 1 - padding[i];
      high[i] = type.getDimSize(2 + i) + k[i] - 1 - dyType.getDimSize(2 + i) -
                low[i];
      if (low[i] < 0 || high[i] < 0)
        return rewriter.notifyMatchFailure(
            op, "padding beyond kernel − 1 is not supported");
    }
    Value padded = padSpatial(rewriter, loc, dy, low, high);

    // With c a lane: dx = Σ_{o, i, j} padded[n, o, h + i, w + j] ·
    // w[o, c, KH − 1 − i, KW − 1 − j] from the filter laid out [i, j, o, c]
    // (a gather: a map with negative coefficients would defeat the tiling's
    // slicing).
    if (isChannelLaneCount(c)) {
      Value filterInit = tensor::EmptyOp::create(
          rewriter, loc, ArrayRef<int64_t>{kh, kw, o, c},
          rewriter.getF32Type());
      Value filter = elementwise(
          rewriter, loc, {}, filterInit,
          [&](OpBuilder &b, Location l, ValueRange) {
            Value i = arith::SubIOp::create(b, l, indexConstant(b, l, kh - 1),
                                            linalg::IndexOp::create(b, l, 0));
            Value j = arith::SubIOp::create(b, l, indexConstant(b, l, kw - 1),
                                            linalg::IndexOp::create(b, l, 1));
            Value oi = linalg::IndexOp::create(b, l, 2);
            Value ci = linalg::IndexOp::create(b, l, 3);
            return tensor::ExtractOp::create(b, l, w, ValueRange{oi, ci, i, j})
                .getResult();
          });
      rewriter.replaceOp(op, channelLaneConv(rewriter, loc, padded, filter,
                                             Value(), type, {1, 1}));
      return success();
    }

    // w'[c, o, i, j] = w[o, c, KH − 1 − i, KW − 1 − j], as a gather: a
    // map with negative coefficients would defeat the tiling's slicing.
    Value flippedInit = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<int64_t>{c, o, kh, kw}, rewriter.getF32Type());
    Value flipped = elementwise(
        rewriter, loc, {}, flippedInit,
        [&](OpBuilder &b, Location l, ValueRange) {
          Value ci = linalg::IndexOp::create(b, l, 0);
          Value oi = linalg::IndexOp::create(b, l, 1);
          Value i = arith::SubIOp::create(b, l, indexConstant(b, l, kh - 1),
                                          linalg::IndexOp::create(b, l, 2));
          Value j = arith::SubIOp::create(b, l, indexConstant(b, l, kw - 1),
                                          linalg::IndexOp::create(b, l, 3));
          return tensor::ExtractOp::create(b, l, w, ValueRange{oi, ci, i, j})
              .getResult();
        });

    Value init = fill(rewriter, loc, 0.0, emptyTensor(rewriter, loc, type, dy));
    rewriter.replaceOpWithNewOp<linalg::Conv2DNchwFchwOp>(
        op, TypeRange{type}, ValueRange{padded, flipped}, ValueRange{init},
        pairAttr(rewriter, {1, 1}), pairAttr(rewriter, {1, 1}));
    return success();
  }
};

/// The channel count of a conv weight gradient that serves as the vector
/// lane of channelLaneWeightGrad, or 0 where the column lane is better.
/// A lane is a multiple of 16 floats (whole AVX-512 registers); the other
/// channel count gives the register tile's rows, so it must fill a few.
enum class LaneChannel { None, Input, Output };

LaneChannel laneChannelFor(int64_t o, int64_t c) {
  if (c % 16 == 0 && o >= 8)
    return LaneChannel::Input;
  if (o % 16 == 0 && c >= 8)
    return LaneChannel::Output;
  return LaneChannel::None;
}

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
              [](OpBuilder &nb, Location nl, ValueRange args) {
                Value t = arith::MulFOp::create(nb, nl, args[0], args[1]);
                return SmallVector<Value>{
                    arith::AddFOp::create(nb, nl, args[2], t)};
              })
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

/// dw[o, c, i, j] = Σ_{n, oh, ow} dy[n, o, oh, ow]·xpad[n, c, oh·sh + i,
/// ow·sw + j]. With a channel count fit for a lane, channelLaneWeightGrad;
/// otherwise a laneSum with the output column ow as the lane: the
/// iteration is (s, i, j, v, ow | n, oh) with s the larger of the two
/// channel counts (the threads split it) and v the other (the register
/// tile's rows).
struct Conv2dWeightGradLowering : OpConversionPattern<Conv2dWeightGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2dWeightGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding();
    Value x = padSpatial(rewriter, loc, adaptor.getInput(), padding, padding);
    Value dy = adaptor.getOutputGrad();
    auto type = cast<RankedTensorType>(op.getType());
    auto dyType = cast<RankedTensorType>(dy.getType());
    int64_t o = type.getDimSize(0), c = type.getDimSize(1);
    int64_t kh = type.getDimSize(2), kw = type.getDimSize(3);
    int64_t ow = dyType.getDimSize(3);
    if (LaneChannel lane = laneChannelFor(o, c); lane != LaneChannel::None) {
      // Up to 8 rows, in at least two row blocks for the threads to share.
      int64_t other = lane == LaneChannel::Input ? o : c;
      int64_t rows = std::min<int64_t>(8, other / 2);
      while (other % rows != 0)
        --rows;
      rewriter.replaceOp(op, channelLaneWeightGrad(rewriter, loc, x, dy, type,
                                                   stride, lane, rows));
      return success();
    }
    AffineExpr s, i, j, v, w, n, h;
    bindDims(ctx, s, i, j, v, w, n, h);
    bool splitInputChannels = c >= o;
    AffineExpr oc = splitInputChannels ? v : s, cc = splitInputChannels ? s : v;
    SmallVector<AffineMap> maps{
        AffineMap::get(7, 0, {n, cc, h * stride[0] + i, w * stride[1] + j},
                       ctx),
        AffineMap::get(7, 0, {n, oc, h, w}, ctx)};
    int64_t split = splitInputChannels ? c : o;
    int64_t rows = splitInputChannels ? o : c;
    Value grad = laneSum(
        rewriter, loc, {x, dy}, maps, {split, kh, kw, rows, ow}, 2,
        AffineMap::get(5, 0, {oc, cc, i, j}, ctx), type.getShape(),
        rewriter.getF32Type(), [](OpBuilder &b, Location l, ValueRange args) {
          return arith::MulFOp::create(b, l, args[0], args[1]).getResult();
        });
    rewriter.replaceOp(op, grad);
    return success();
  }
};

/// db[o] = Σ dy over every dimension but 1; over [N, O, H, W] a laneSum
/// over (o, w | n, h).
struct BiasGradLowering : OpConversionPattern<BiasGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BiasGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value dy = adaptor.getOutputGrad();
    auto dyType = cast<RankedTensorType>(dy.getType());
    int64_t rank = dyType.getRank();
    auto type = cast<RankedTensorType>(op.getType());
    MLIRContext *ctx = rewriter.getContext();
    if (rank == 4) {
      AffineExpr o, w, n, h;
      bindDims(ctx, o, w, n, h);
      rewriter.replaceOp(
          op, laneSum(rewriter, loc, dy,
                      {AffineMap::get(4, 0, {n, o, h, w}, ctx)},
                      {type.getDimSize(0), dyType.getDimSize(3)}, 2,
                      AffineMap::get(2, 0, {o}, ctx), type.getShape(),
                      rewriter.getF32Type(),
                      [](OpBuilder &, Location, ValueRange args) {
                        return args[0];
                      }));
      return success();
    }
    SmallVector<IteratorType> iterators(rank, kRed);
    iterators[1] = kPar;
    Value init = zeros(rewriter, loc, type.getShape(), rewriter.getF32Type());
    rewriter.replaceOp(
        op, generic(rewriter, loc, dy, init,
                    {identityMap(ctx, rank), channelMap(ctx, rank, 1)},
                    iterators,
                    [](OpBuilder &b, Location l, ValueRange args) {
                      return SmallVector<Value>{
                          arith::AddFOp::create(b, l, args[1], args[0])};
                    })
                .getResult(0));
    return success();
  }
};

} // namespace

void cnn::lowering::populateConvPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2dLowering, Conv2dInputGradLowering, Conv2dWeightGradLowering,
               BiasGradLowering>(patterns.getContext());
}
