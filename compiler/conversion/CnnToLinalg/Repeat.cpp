//===- Repeat.cpp - cnn.repeat as an scf.for ------------------------------===//
//
// cnn.repeat is an scf.for whose iteration arguments are the carried values,
// then one tensor per stacked result that iteration k fills at slice k; the
// body moves as it is, its slices of stacked operands extracted at k.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"
#include "LinalgBuilders.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace cnn;
using namespace cnn::lowering;

namespace {

/// Offsets, sizes and strides of slice `k` of a stack whose slices are like
/// `slice` (sizes from `sliceSizes`).
struct StackSlice {
  SmallVector<OpFoldResult> offsets, sizes, strides;
  StackSlice(OpBuilder &b, Value k, ArrayRef<OpFoldResult> sliceSizes) {
    offsets.assign(sliceSizes.size() + 1, b.getIndexAttr(0));
    offsets[0] = k;
    sizes.push_back(b.getIndexAttr(1));
    llvm::append_range(sizes, sliceSizes);
    strides.assign(sliceSizes.size() + 1, b.getIndexAttr(1));
  }
};

struct RepeatLowering : OpConversionPattern<RepeatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RepeatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t count = int64_t(op.getCount());
    unsigned numCarried = op.getNumCarried();

    // The stacks the loop fills; a dynamic dimension is the batch, the
    // first carried value's leading one (the op's verifier checks it).
    SmallVector<Value> iterInits(adaptor.getInits());
    Value batch;
    for (Type t : op.getStackedResults().getTypes()) {
      auto type = cast<RankedTensorType>(t);
      if (!batch && !type.hasStaticShape())
        batch = tensor::DimOp::create(rewriter, loc, adaptor.getInits().front(),
                                      0);
      SmallVector<Value> dynamic(type.getNumDynamicDims(), batch);
      iterInits.push_back(tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                                  type.getElementType(),
                                                  dynamic));
    }
    auto loop = scf::ForOp::create(rewriter, loc, indexConstant(rewriter, loc, 0),
                                   indexConstant(rewriter, loc, count),
                                   indexConstant(rewriter, loc, 1), iterInits);
    Block *body = loop.getBody();
    if (!body->empty()) // a terminator the builder added
      rewriter.eraseOp(body->getTerminator());

    // The iteration: k, its carried values and its slices of the stacks.
    rewriter.setInsertionPointToStart(body);
    Value k = loop.getInductionVar();
    if (op.getReverse())
      k = arith::SubIOp::create(rewriter, loc,
                                indexConstant(rewriter, loc, count - 1), k);
    SmallVector<Value> args{k};
    llvm::append_range(args, loop.getRegionIterArgs().take_front(numCarried));
    for (auto [stack, arg] : llvm::zip(adaptor.getStacked(), op.getSliceArgs())) {
      auto sliceType = cast<RankedTensorType>(arg.getType());
      SmallVector<OpFoldResult> sizes;
      for (int64_t d = 0; d < sliceType.getRank(); ++d)
        sizes.push_back(
            sliceType.isDynamicDim(d)
                ? OpFoldResult(tensor::DimOp::create(rewriter, loc, stack, d + 1)
                                   .getResult())
                : OpFoldResult(rewriter.getIndexAttr(sliceType.getDimSize(d))));
      StackSlice s(rewriter, k, sizes);
      args.push_back(tensor::ExtractSliceOp::create(rewriter, loc, sliceType,
                                                    stack, s.offsets, s.sizes,
                                                    s.strides));
    }
    YieldOp yield = op.getYield();
    rewriter.mergeBlocks(&op.getBodyBlock(), body, args);

    // The yield: the carried values, then each stack with slice k filled.
    rewriter.setInsertionPoint(yield);
    SmallVector<Value> next(yield.getValues().take_front(numCarried));
    for (auto [value, stack] :
         llvm::zip(yield.getValues().drop_front(numCarried),
                   loop.getRegionIterArgs().drop_front(numCarried))) {
      StackSlice s(rewriter, k, tensor::getMixedSizes(rewriter, loc, value));
      next.push_back(tensor::InsertSliceOp::create(rewriter, loc, value, stack,
                                                   s.offsets, s.sizes,
                                                   s.strides));
    }
    rewriter.replaceOpWithNewOp<scf::YieldOp>(yield, next);
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

} // namespace

void cnn::lowering::populateRepeatPatterns(RewritePatternSet &patterns) {
  patterns.add<RepeatLowering>(patterns.getContext());
}
