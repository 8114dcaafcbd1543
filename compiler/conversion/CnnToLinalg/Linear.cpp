//===- Linear.cpp - linear and its gradients ------------------------------===//
//
// linear and both its gradients are linalg.matmul with the operand maps
// that read the weight (or the activations) transposed in place.
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

/// A linalg.matmul C[m, n] = Σ_k A·B with the given operand maps over
/// (m, n, k).
Value matmul(OpBuilder &b, Location loc, Value lhs, Value rhs, Value init,
             AffineMap lhsMap, AffineMap rhsMap) {
  MLIRContext *ctx = b.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  auto op = linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                     ValueRange{lhs, rhs}, ValueRange{init});
  op.setIndexingMapsAttr(b.getAffineMapArrayAttr(
      {lhsMap, rhsMap, AffineMap::get(3, 0, {m, n}, ctx)}));
  return op.getResult(0);
}

struct LinearLowering : OpConversionPattern<LinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value init = biasOrZeros(
        rewriter, loc, adaptor.getBias(),
        emptyTensor(rewriter, loc, op.getType(), adaptor.getInput()), 1);
    // x [N, F] · Wᵀ with W [O, F]: B is read transposed, (m, n, k) -> (n, k).
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    rewriter.replaceOp(op, matmul(rewriter, loc, adaptor.getInput(),
                                  adaptor.getWeight(), init,
                                  AffineMap::get(3, 0, {m, k}, ctx),
                                  AffineMap::get(3, 0, {n, k}, ctx)));
    return success();
  }
};

/// dx[n, f] = Σ_o dy[n, o]·w[o, f].
struct LinearInputGradLowering : OpConversionPattern<LinearInputGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LinearInputGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value dy = adaptor.getOutputGrad();
    Value init = fill(rewriter, loc, 0.0,
                      emptyTensor(rewriter, loc, op.getType(), dy));
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    rewriter.replaceOp(op, matmul(rewriter, loc, dy, adaptor.getWeight(), init,
                                  AffineMap::get(3, 0, {m, k}, ctx),
                                  AffineMap::get(3, 0, {k, n}, ctx)));
    return success();
  }
};

/// dw[o, f] = Σ_n dy[n, o]·x[n, f].
struct LinearWeightGradLowering : OpConversionPattern<LinearWeightGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LinearWeightGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    Value init = zeros(rewriter, loc, type.getShape(), rewriter.getF32Type());
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    rewriter.replaceOp(op, matmul(rewriter, loc, adaptor.getOutputGrad(),
                                  adaptor.getInput(), init,
                                  AffineMap::get(3, 0, {k, m}, ctx),
                                  AffineMap::get(3, 0, {k, n}, ctx)));
    return success();
  }
};

} // namespace

void cnn::lowering::populateLinearPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearLowering, LinearInputGradLowering, LinearWeightGradLowering>(patterns.getContext());
}
