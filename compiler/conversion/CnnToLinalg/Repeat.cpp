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
  StackSlice(OpBuilder &b, OpFoldResult k, ArrayRef<OpFoldResult> sliceSizes) {
    offsets.assign(sliceSizes.size() + 1, b.getIndexAttr(0));
    offsets[0] = k;
    sizes.push_back(b.getIndexAttr(1));
    llvm::append_range(sizes, sliceSizes);
    strides.assign(sliceSizes.size() + 1, b.getIndexAttr(1));
  }
};

/// Slice `k` of `stack` (a leading dimension of 1 dropped), of `type`.
Value stackSlice(OpBuilder &b, Location loc, Value stack, OpFoldResult k,
                 RankedTensorType type) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    sizes.push_back(
        type.isDynamicDim(d)
            ? OpFoldResult(
                  tensor::DimOp::create(b, loc, stack, d + 1).getResult())
            : OpFoldResult(b.getIndexAttr(type.getDimSize(d))));
  StackSlice s(b, k, sizes);
  return tensor::ExtractSliceOp::create(b, loc, type, stack, s.offsets, s.sizes,
                                        s.strides);
}

/// `value` written into slice `k` of `stack`.
Value fillSlice(OpBuilder &b, Location loc, Value value, Value stack,
                OpFoldResult k) {
  StackSlice s(b, k, tensor::getMixedSizes(b, loc, value));
  return tensor::InsertSliceOp::create(b, loc, value, stack, s.offsets, s.sizes,
                                       s.strides);
}

struct RepeatLowering : OpConversionPattern<RepeatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RepeatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t count = int64_t(op.getCount());
    unsigned numCarried = op.getNumCarried();
    unsigned numStacked = op.getStackedResults().size();
    YieldOp yield = op.getYield();

    // A stacked value that is the iteration's carried input (the training
    // step's forward loop saves each block's input for the backward pass):
    // its stack gets count + 1 slices and replaces the carried value in the
    // loop. Iteration k reads its input at slice k and writes its result at
    // k + 1, where the block's last op can compute it in place; carried
    // and stacked apart, every input would be copied into the stack.
    // The two directions of that pairing; -1 where there is none.
    SmallVector<int> stackOfCarried(numCarried, -1);
    SmallVector<int> carriedOfStack(numStacked, -1);
    if (!op.getReverse())
      for (unsigned j = 0; j < numStacked; ++j) {
        auto arg = dyn_cast<BlockArgument>(yield.getValues()[numCarried + j]);
        if (!arg || arg.getOwner() != &op.getBodyBlock() ||
            arg.getArgNumber() < 1 || arg.getArgNumber() > numCarried)
          continue;
        unsigned i = arg.getArgNumber() - 1;
        if (stackOfCarried[i] < 0) {
          stackOfCarried[i] = int(j);
          carriedOfStack[j] = int(i);
        }
      }

    // The loop's iteration arguments: the carried values kept as such,
    // then the stacks (a dynamic dimension is the batch, the first carried
    // value's leading one; the op's verifier checks it).
    SmallVector<Value> iterInits;
    for (unsigned i = 0; i < numCarried; ++i)
      if (stackOfCarried[i] < 0)
        iterInits.push_back(adaptor.getInits()[i]);
    unsigned numKept = iterInits.size();
    Value batch;
    for (auto [j, t] : llvm::enumerate(op.getStackedResults().getTypes())) {
      auto type = cast<RankedTensorType>(t);
      if (!batch && !type.hasStaticShape())
        batch = tensor::DimOp::create(rewriter, loc, adaptor.getInits().front(),
                                      0);
      SmallVector<int64_t> shape(type.getShape());
      if (carriedOfStack[j] >= 0)
        shape[0] = count + 1;
      SmallVector<Value> dynamic(type.getNumDynamicDims(), batch);
      Value stack = tensor::EmptyOp::create(rewriter, loc, shape,
                                            type.getElementType(), dynamic);
      if (carriedOfStack[j] >= 0)
        stack = fillSlice(rewriter, loc, adaptor.getInits()[carriedOfStack[j]],
                          stack, rewriter.getIndexAttr(0));
      iterInits.push_back(stack);
    }
    auto loop = scf::ForOp::create(rewriter, loc, indexConstant(rewriter, loc, 0),
                                   indexConstant(rewriter, loc, count),
                                   indexConstant(rewriter, loc, 1), iterInits);
    Block *body = loop.getBody();
    if (!body->empty()) // a terminator the builder added
      rewriter.eraseOp(body->getTerminator());
    ValueRange stacks = loop.getRegionIterArgs().drop_front(numKept);

    // The iteration: k, its carried values and its slices of the stacks.
    rewriter.setInsertionPointToStart(body);
    Value k = loop.getInductionVar();
    if (op.getReverse())
      k = arith::SubIOp::create(rewriter, loc,
                                indexConstant(rewriter, loc, count - 1), k);
    SmallVector<Value> args{k};
    ValueRange kept = loop.getRegionIterArgs().take_front(numKept);
    for (unsigned i = 0, next = 0; i < numCarried; ++i)
      args.push_back(
          stackOfCarried[i] < 0
              ? kept[next++]
              : stackSlice(rewriter, loc, stacks[stackOfCarried[i]], k,
                           cast<RankedTensorType>(op.getInits()[i].getType())));
    for (auto [stack, arg] : llvm::zip(adaptor.getStacked(), op.getSliceArgs()))
      args.push_back(stackSlice(rewriter, loc, stack, k,
                                cast<RankedTensorType>(arg.getType())));
    rewriter.mergeBlocks(&op.getBodyBlock(), body, args);

    // The yield: the kept carried values, then each stack with slice k
    // filled (k + 1 with the next input, for a stack of inputs).
    rewriter.setInsertionPoint(yield);
    ValueRange values = yield.getValues();
    SmallVector<Value> next;
    for (unsigned i = 0; i < numCarried; ++i)
      if (stackOfCarried[i] < 0)
        next.push_back(values[i]);
    Value kNext = arith::AddIOp::create(rewriter, loc, k,
                                        indexConstant(rewriter, loc, 1));
    for (unsigned j = 0; j < numStacked; ++j)
      next.push_back(
          carriedOfStack[j] < 0
              ? fillSlice(rewriter, loc, values[numCarried + j], stacks[j], k)
              : fillSlice(rewriter, loc, values[carriedOfStack[j]], stacks[j],
                          kNext));
    rewriter.replaceOpWithNewOp<scf::YieldOp>(yield, next);

    // The op's results: a carried value kept in a stack is its last slice,
    // the stack of inputs its first `count`.
    rewriter.setInsertionPointAfter(loop);
    SmallVector<Value> results;
    ValueRange loopKept = loop.getResults().take_front(numKept);
    ValueRange loopStacks = loop.getResults().drop_front(numKept);
    for (unsigned i = 0, nextKept = 0; i < numCarried; ++i)
      results.push_back(
          stackOfCarried[i] < 0
              ? loopKept[nextKept++]
              : stackSlice(rewriter, loc, loopStacks[stackOfCarried[i]],
                           rewriter.getIndexAttr(count),
                           cast<RankedTensorType>(op.getInits()[i].getType())));
    for (auto [j, t] : llvm::enumerate(op.getStackedResults().getTypes())) {
      if (carriedOfStack[j] < 0) {
        results.push_back(loopStacks[j]);
        continue;
      }
      auto type = cast<RankedTensorType>(t);
      SmallVector<OpFoldResult> sizes =
          tensor::getMixedSizes(rewriter, loc, loopStacks[j]);
      sizes[0] = rewriter.getIndexAttr(count);
      SmallVector<OpFoldResult> zeros(type.getRank(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> ones(type.getRank(), rewriter.getIndexAttr(1));
      results.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, type, loopStacks[j], zeros, sizes, ones));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void cnn::lowering::populateRepeatPatterns(RewritePatternSet &patterns) {
  patterns.add<RepeatLowering>(patterns.getContext());
}
