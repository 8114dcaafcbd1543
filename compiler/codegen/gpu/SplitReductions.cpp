//===- SplitReductions.cpp - partial sums and a fixed-order total ---------===//

#include "codegen/gpu/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUSPLITREDUCTIONS
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

/// Whether every output of `op` is a sum: its block argument used once, by
/// an addf whose result is yielded for it.
bool isSum(linalg::GenericOp op) {
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  for (OpOperand &init : op.getDpsInitsMutable()) {
    BlockArgument out = op.getMatchingBlockArgument(&init);
    if (!out.hasOneUse())
      return false;
    auto add = dyn_cast<arith::AddFOp>(*out.getUsers().begin());
    unsigned result = init.getOperandNumber() - op.getNumDpsInputs();
    if (!add || yield.getOperand(result) != add.getResult() ||
        !add->hasOneUse())
      return false;
  }
  return true;
}

/// The loop `dim`'s size, from an operand that indexes by it alone.
Value loopSize(OpBuilder &b, linalg::GenericOp op, unsigned dim) {
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    for (unsigned i = 0; i < map.getNumResults(); ++i)
      if (map.getResult(i) == getAffineDimExpr(dim, op.getContext()))
        return tensor::DimOp::create(b, op.getLoc(), operand.get(), i);
  }
  return {};
}

struct GpuSplitReductions
    : impl::GpuSplitReductionsBase<GpuSplitReductions> {
  using Base::Base;

  /// The outer reduction loop of `op` to split, if it is worth it.
  std::optional<unsigned> splitLoop(linalg::GenericOp op) {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInits() == 0 ||
        !isSum(op))
      return std::nullopt;
    SmallVector<int64_t> sizes = op.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    std::optional<unsigned> outer;
    int64_t rest = 1;
    for (unsigned d = 0; d < iterators.size(); ++d) {
      if (iterators[d] != utils::IteratorType::reduction)
        continue;
      if (!outer) {
        outer = d;
        continue;
      }
      if (ShapedType::isDynamic(sizes[d]))
        return std::nullopt; // an image size unknown: leave it
      rest *= sizes[d];
    }
    if (!outer || rest < minRest)
      return std::nullopt;
    // The batch (dynamic) is always worth splitting; a static loop if long.
    if (!ShapedType::isDynamic(sizes[*outer]) && sizes[*outer] < minSplit)
      return std::nullopt;
    // One map for all outputs, so one total serves them all.
    AffineMap outMap = op.getIndexingMapsArray()[op.getNumDpsInputs()];
    for (OpOperand &init : op.getDpsInitsMutable())
      if (op.getMatchingIndexingMap(&init) != outMap)
        return std::nullopt;
    return outer;
  }

  LogicalResult split(RewriterBase &rewriter, linalg::GenericOp op,
                      unsigned s) {
    MLIRContext *ctx = op.getContext();
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    Value size = loopSize(rewriter, op, s);
    if (!size)
      return failure();
    unsigned numLoops = op.getNumLoops();
    AffineMap outMap = op.getIndexingMapsArray()[op.getNumDpsInputs()];

    // Partial sums: [size of loop s, output...], from zero.
    SmallVector<Value> partialInits;
    for (Value init : op.getDpsInits()) {
      auto type = cast<RankedTensorType>(init.getType());
      SmallVector<int64_t> shape{ShapedType::kDynamic};
      llvm::append_range(shape, type.getShape());
      SmallVector<Value> dynamic{size};
      for (unsigned i = 0; i < type.getRank(); ++i)
        if (type.isDynamicDim(i))
          dynamic.push_back(tensor::DimOp::create(rewriter, loc, init, i));
      Value empty = tensor::EmptyOp::create(rewriter, loc, shape,
                                            type.getElementType(), dynamic);
      Value zero = arith::ConstantOp::create(
          rewriter, loc, rewriter.getZeroAttr(type.getElementType()));
      partialInits.push_back(
          linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0));
    }
    SmallVector<AffineExpr> partialResults{getAffineDimExpr(s, ctx)};
    llvm::append_range(partialResults, outMap.getResults());
    AffineMap partialMap = AffineMap::get(numLoops, 0, partialResults, ctx);
    SmallVector<AffineMap> maps;
    for (OpOperand *input : op.getDpsInputOperands())
      maps.push_back(op.getMatchingIndexingMap(input));
    maps.append(op.getNumDpsInits(), partialMap);
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    iterators[s] = utils::IteratorType::parallel;
    auto partial = linalg::GenericOp::create(
        rewriter, loc, TypeRange(ValueRange(partialInits)), op.getDpsInputs(),
        partialInits, maps, iterators);
    rewriter.inlineRegionBefore(op.getRegion(), partial.getRegion(),
                                partial.getRegion().begin());

    // The totals: init + the partials in order, loop s innermost.
    unsigned outRank = outMap.getNumResults();
    SmallVector<AffineExpr> outDims, readDims{getAffineDimExpr(outRank, ctx)};
    for (unsigned i = 0; i < outRank; ++i)
      outDims.push_back(getAffineDimExpr(i, ctx));
    llvm::append_range(readDims, outDims);
    SmallVector<AffineMap> totalMaps(
        op.getNumDpsInits(), AffineMap::get(outRank + 1, 0, readDims, ctx));
    totalMaps.append(op.getNumDpsInits(),
                     AffineMap::get(outRank + 1, 0, outDims, ctx));
    SmallVector<utils::IteratorType> totalIterators(
        outRank, utils::IteratorType::parallel);
    totalIterators.push_back(utils::IteratorType::reduction);
    unsigned numOutputs = op.getNumDpsInits();
    auto total = linalg::GenericOp::create(
        rewriter, loc, op->getResultTypes(), partial.getResults(),
        op.getDpsInits(), totalMaps, totalIterators,
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
          SmallVector<Value> sums;
          for (unsigned i = 0; i < numOutputs; ++i)
            sums.push_back(arith::AddFOp::create(b, bodyLoc,
                                                 args[numOutputs + i],
                                                 args[i]));
          linalg::YieldOp::create(b, bodyLoc, sums);
        });
    rewriter.replaceOp(op, total.getResults());
    return success();
  }

  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, unsigned>> work;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<unsigned> s = splitLoop(op))
        work.push_back({op, *s});
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, s] : work)
      if (failed(split(rewriter, op, s))) {
        op->emitError("cannot split this sum for the GPU");
        return signalPassFailure();
      }
  }
};

} // namespace
} // namespace cnnc::gpu
