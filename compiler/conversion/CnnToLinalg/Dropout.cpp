//===- Dropout.cpp - dropout masks ----------------------------------------===//
//
// dropout_mask draws each element's mask value by Philox-4x32-10 (counter:
// the element, the site, the step), the kept scale or 0, unless the caller
// gave the mask; apply_mask multiplies by it (dropout2d: one value per
// sample and channel).
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "LinalgBuilders.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

#include <array>

using namespace mlir;
using namespace cnn;
using namespace cnn::lowering;

namespace {

/// Philox-4x32-10 (Salmon et al., SC'11) on i32 values; returns x0.
Value philoxFirstWord(OpBuilder &b, Location loc, std::array<Value, 4> c,
                      std::array<Value, 2> k) {
  Value m0 = i32Constant(b, loc, int32_t(0xD2511F53u));
  Value m1 = i32Constant(b, loc, int32_t(0xCD9E8D57u));
  Value w0 = i32Constant(b, loc, int32_t(0x9E3779B9u));
  Value w1 = i32Constant(b, loc, int32_t(0xBB67AE85u));
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] = arith::AddIOp::create(b, loc, k[0], w0);
      k[1] = arith::AddIOp::create(b, loc, k[1], w1);
    }
    auto p0 = arith::MulUIExtendedOp::create(b, loc, m0, c[0]);
    auto p1 = arith::MulUIExtendedOp::create(b, loc, m1, c[2]);
    Value x0 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, p1.getHigh(), c[1]), k[0]);
    Value x2 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, p0.getHigh(), c[3]), k[1]);
    c = {x0, p1.getLow(), x2, p0.getLow()};
  }
  return c[0];
}

struct DropoutMaskLowering : OpConversionPattern<DropoutMaskOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DropoutMaskOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double p = op.getP().convertToDouble();
    RankedTensorType type = op.getType();
    int64_t e = type.getDimSize(1);
    // uniform(x0) = (x0 >> 8)·2⁻²⁴ >= p  <=>  (x0 >> 8) >= ⌈p·2²⁴⌉.
    int64_t threshold = int64_t(std::ceil(p * 16777216.0));
    float keep = 1.0f / float(1.0 - p);
    Value given = adaptor.getGiven();
    Value seed = adaptor.getSeed(), step = adaptor.getStep();
    Value site = i32Constant(rewriter, loc, op.getSite());
    Value useGiven = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::ne, adaptor.getMasksGiven(),
        i32Constant(rewriter, loc, 0));
    auto lo32 = [&](Value v) {
      return arith::TruncIOp::create(rewriter, loc, rewriter.getI32Type(), v)
          .getResult();
    };
    auto hi32 = [&](Value v) {
      Value shifted = arith::ShRUIOp::create(
          rewriter, loc, v,
          arith::ConstantOp::create(rewriter, loc,
                                    rewriter.getI64IntegerAttr(32)));
      return lo32(shifted);
    };
    Value key0 = lo32(seed), key1 = hi32(seed);
    Value step0 = lo32(step), step1 = hi32(step);
    Value init = emptyTensor(rewriter, loc, type, given);
    Value mask = elementwise(
        rewriter, loc, given, init,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value n = linalg::IndexOp::create(b, l, 0);
          Value j = linalg::IndexOp::create(b, l, 1);
          Value flat = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, n, indexConstant(b, l, e)), j);
          Value counter = arith::IndexCastUIOp::create(b, l, b.getI32Type(),
                                                       flat);
          Value x0 = philoxFirstWord(b, l, {counter, site, step0, step1},
                                     {key0, key1});
          Value bits = arith::ShRUIOp::create(b, l, x0, i32Constant(b, l, 8));
          Value kept = arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge,
                                             bits,
                                             i32Constant(b, l, threshold));
          Value generated = arith::SelectOp::create(
              b, l, kept, f32Constant(b, l, keep), f32Constant(b, l, 0.0));
          return arith::SelectOp::create(b, l, useGiven, args[0], generated)
              .getResult();
        });
    rewriter.replaceOp(op, mask);
    return success();
  }
};

struct ApplyMaskLowering : OpConversionPattern<ApplyMaskOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ApplyMaskOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value input = adaptor.getInput(), mask = adaptor.getMask();
    int64_t rank = type.getRank();
    MLIRContext *ctx = rewriter.getContext();
    AffineMap maskMap = identityMap(ctx, rank);
    if (rank == 4) {
      auto maskType = cast<RankedTensorType>(mask.getType());
      if (maskType.getDimSize(1) == type.getDimSize(1)) {
        // dropout2d: one value per (sample, channel).
        maskMap = AffineMap::get(4, 0,
                                 {getAffineDimExpr(0, ctx),
                                  getAffineDimExpr(1, ctx)},
                                 ctx);
      } else {
        // dropout on [N, C, H, W]: the mask is the sample, row-major.
        mask = tensor::ExpandShapeOp::create(
            rewriter, loc, type, mask,
            SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
      }
    }
    Value init = emptyTensor(rewriter, loc, type, input);
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {input, mask}, init,
                        [](OpBuilder &b, Location l, ValueRange args) {
                          return arith::MulFOp::create(b, l, args[0], args[1]);
                        },
                        {identityMap(ctx, rank), maskMap}));
    return success();
  }
};

} // namespace

void cnn::lowering::populateDropoutPatterns(RewritePatternSet &patterns) {
  patterns.add<DropoutMaskLowering, ApplyMaskLowering>(patterns.getContext());
}
