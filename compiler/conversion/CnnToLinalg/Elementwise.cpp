//===- Elementwise.cpp - activations, add, flatten and gradients ----------===//
//
// relu, tanh, sigmoid, add and the activations' gradients are one
// linalg.generic each; flatten and unflatten reshape (tensor.collapse_shape,
// tensor.expand_shape).
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "LinalgBuilders.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace cnn;
using namespace cnn::lowering;

namespace {

/// relu, tanh, sigmoid: one linalg.generic with the scalar function.
template <typename OpTy>
struct UnaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    Value init = emptyTensor(rewriter, loc, op.getType(), input);
    rewriter.replaceOp(op, elementwise(rewriter, loc, input, init, scalar));
    return success();
  }

  static Value scalar(OpBuilder &b, Location loc, ValueRange args) {
    Value x = args[0];
    if constexpr (std::is_same_v<OpTy, ReluOp>) {
      // maximumf propagates NaN, as torch.relu does.
      return arith::MaximumFOp::create(b, loc, x, f32Constant(b, loc, 0.0));
    } else if constexpr (std::is_same_v<OpTy, TanhOp>) {
      return math::TanhOp::create(b, loc, x);
    } else {
      static_assert(std::is_same_v<OpTy, SigmoidOp>);
      // 1 / (1 + exp(−x)): exp overflows to +inf for x < −88, giving 0.
      Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
      Value d = arith::AddFOp::create(b, loc, f32Constant(b, loc, 1.0), e);
      return arith::DivFOp::create(b, loc, f32Constant(b, loc, 1.0), d);
    }
  }
};

struct AddLowering : OpConversionPattern<AddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    // A static batch on one side makes the result's static: cast the other.
    auto cast = [&](Value v) -> Value {
      return v.getType() == type ? v
                                 : tensor::CastOp::create(rewriter, loc, type, v)
                                       .getResult();
    };
    Value lhs = cast(adaptor.getLhs()), rhs = cast(adaptor.getRhs());
    Value init = emptyTensor(rewriter, loc, type, lhs);
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {lhs, rhs}, init,
                        [](OpBuilder &b, Location l, ValueRange args) {
                          return arith::AddFOp::create(b, l, args[0], args[1]);
                        }));
    return success();
  }
};

struct FlattenLowering : OpConversionPattern<FlattenOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FlattenOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    ReassociationIndices features;
    for (int64_t i = 1, e = inputType.getRank(); i < e; ++i)
      features.push_back(i);
    SmallVector<ReassociationIndices> groups{{0}, features};
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, op.getType(), adaptor.getInput(), groups);
    return success();
  }
};

template <typename OpTy>
struct ActivationGradLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value y = adaptor.getOutput();
    Value init = emptyTensor(rewriter, loc,
                             cast<RankedTensorType>(op.getType()), y);
    rewriter.replaceOp(op, elementwise(rewriter, loc,
                                       {y, adaptor.getOutputGrad()}, init,
                                       scalar));
    return success();
  }

  static Value scalar(OpBuilder &b, Location l, ValueRange args) {
    Value y = args[0], dy = args[1];
    Value one = f32Constant(b, l, 1.0);
    if constexpr (std::is_same_v<OpTy, ReluGradOp>) {
      Value positive = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, y,
                                             f32Constant(b, l, 0.0));
      return arith::SelectOp::create(b, l, positive, dy, f32Constant(b, l, 0.0));
    } else if constexpr (std::is_same_v<OpTy, TanhGradOp>) {
      Value yy = arith::MulFOp::create(b, l, y, y);
      return arith::MulFOp::create(b, l, dy,
                                   arith::SubFOp::create(b, l, one, yy));
    } else {
      static_assert(std::is_same_v<OpTy, SigmoidGradOp>);
      Value d = arith::MulFOp::create(b, l, y,
                                      arith::SubFOp::create(b, l, one, y));
      return arith::MulFOp::create(b, l, dy, d);
    }
  }
};

struct UnflattenLowering : OpConversionPattern<UnflattenOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnflattenOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    ReassociationIndices sample;
    for (int64_t i = 1, e = type.getRank(); i < e; ++i)
      sample.push_back(i);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, type, adaptor.getInput(),
        SmallVector<ReassociationIndices>{{0}, sample});
    return success();
  }
};

} // namespace

void cnn::lowering::populateElementwisePatterns(RewritePatternSet &patterns) {
  patterns.add<UnaryLowering<ReluOp>, UnaryLowering<SigmoidOp>,
               UnaryLowering<TanhOp>, AddLowering, FlattenLowering,
               ActivationGradLowering<ReluGradOp>,
               ActivationGradLowering<SigmoidGradOp>,
               ActivationGradLowering<TanhGradOp>, UnflattenLowering>(patterns.getContext());
}
