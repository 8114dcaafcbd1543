//===- Conv.cpp - conv2d and its gradients --------------------------------===//
//
// conv2d is tensor.pad (padding > 0) and linalg.conv_2d_nchw_fchw into the
// broadcast bias; its input gradient is a convolution of the dilated,
// padded output gradient with the flipped filter (a target's strategy may
// lay convolutions out otherwise: compiler/codegen/cpu/ChannelLaneConv.h);
// its weight and bias gradients are plain reductions over the batch (a
// CPU strategy splits them by image column: compiler/codegen/cpu/LaneSums.h).
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "LinalgBuilders.h"

#include "cnn/CnnNames.h"
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

/// dw[o, c, i, j] = Σ_{n, oh, ow} dy[n, o, oh, ow]·xpad[n, c, oh·sh + i,
/// ow·sw + j]: a reduction over (o, c, i, j | n, oh, ow) from zero. (A CPU
/// strategy lays it out with channels or output columns as the vector
/// lane: compiler/codegen/cpu/ChannelLaneConv.h.)
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
    AffineExpr o, c, i, j, n, h, w;
    bindDims(ctx, o, c, i, j, n, h, w);
    SmallVector<AffineMap> maps{
        AffineMap::get(7, 0, {n, c, h * stride[0] + i, w * stride[1] + j},
                       ctx),
        AffineMap::get(7, 0, {n, o, h, w}, ctx),
        AffineMap::get(7, 0, {o, c, i, j}, ctx)};
    Value init = zeros(rewriter, loc, type.getShape(), rewriter.getF32Type());
    rewriter.replaceOp(
        op, generic(rewriter, loc, {x, dy}, init, maps,
                    {kPar, kPar, kPar, kPar, kRed, kRed, kRed},
                    [](OpBuilder &b, Location l, ValueRange args) {
                      Value t = arith::MulFOp::create(b, l, args[0], args[1]);
                      return SmallVector<Value>{
                          arith::AddFOp::create(b, l, args[2], t)};
                    })
                .getResult(0));
    return success();
  }
};

/// db[o] = Σ dy over every dimension but 1.
struct BiasGradLowering : OpConversionPattern<BiasGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BiasGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value dy = adaptor.getOutputGrad();
    int64_t rank = cast<RankedTensorType>(dy.getType()).getRank();
    auto type = cast<RankedTensorType>(op.getType());
    MLIRContext *ctx = rewriter.getContext();
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
