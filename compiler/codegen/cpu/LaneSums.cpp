//===- LaneSums.cpp - batch sums by image column or by image --------------===//
#include "codegen/cpu/LaneSums.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace cnn::lowering;

namespace cnnc::cpu {

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

namespace {

/// The reduction loop of `op` over the (dynamic) batch, if it has one.
std::optional<unsigned> batchReduction(linalg::GenericOp op) {
  SmallVector<IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == kRed && ShapedType::isDynamic(ranges[d]))
      return d;
  return std::nullopt;
}

/// Whether `op` sums over the batch: its reductions include the (dynamic)
/// batch, and its every result is `acc + term` over parallel dimensions.
bool isBatchSum(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() == 0 ||
      op.getNumParallelLoops() == 0 || !batchReduction(op))
    return false;
  SmallVector<IteratorType> iters = op.getIteratorTypesArray();
  // Every result a sum: acc + term, acc used there only, over parallel
  // dimensions.
  Block *body = op.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  unsigned numInputs = op.getNumDpsInputs();
  for (auto [k, init] : llvm::enumerate(op.getDpsInitsMutable())) {
    Value acc = body->getArgument(numInputs + k);
    auto add = yield.getOperand(k).getDefiningOp<arith::AddFOp>();
    if (!add || add->getBlock() != body || !acc.hasOneUse() ||
        (add.getLhs() != acc && add.getRhs() != acc))
      return false;
    AffineMap map = op.getMatchingIndexingMap(&init);
    if (!map.isProjectedPermutation())
      return false;
    for (AffineExpr e : map.getResults())
      if (iters[cast<AffineDimExpr>(e).getPosition()] != kPar)
        return false;
  }
  return true;
}

/// The loop that reads the first 4-D input of `op` at its dimension
/// `fromLast` places before its last (0: the last), if a plain loop does.
std::optional<unsigned> loopReading(linalg::GenericOp op, unsigned fromLast) {
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.getNumResults() != 4)
      continue;
    if (auto dim = dyn_cast<AffineDimExpr>(map.getResult(3 - fromLast)))
      return dim.getPosition();
    return std::nullopt;
  }
  return std::nullopt;
}

/// That loop, where it is a static reduction.
std::optional<unsigned> reductionReading(linalg::GenericOp op,
                                         unsigned fromLast) {
  std::optional<unsigned> d = loopReading(op, fromLast);
  if (!d || op.getIteratorTypesArray()[*d] != kRed ||
      ShapedType::isDynamic(op.getStaticLoopRanges()[*d]))
    return std::nullopt;
  return d;
}

/// Whether the first 4-D input of `op` has its channels, read by a parallel
/// loop, last: the channels are the lanes already.
bool readsChannelLanes(linalg::GenericOp op) {
  std::optional<unsigned> d = loopReading(op, 0);
  return d && op.getIteratorTypesArray()[*d] == kPar;
}

/// Replaces the sum `op` by partial sums that keep loop `kept` apart,
/// iterating (kept, parallel dims | other reductions) where `keptFirst`,
/// else (parallel dims, kept | other reductions), and their sums over it.
void splitKeeping(RewriterBase &rewriter, linalg::GenericOp op, unsigned kept,
                  bool keptFirst);

} // namespace

std::optional<unsigned> laneLoop(linalg::GenericOp op) {
  if (!isBatchSum(op))
    return std::nullopt;
  return reductionReading(op, 0);
}

std::optional<unsigned> imageLoop(linalg::GenericOp op) {
  // A per-channel sum over whole images: the image's rows read by a plain
  // reduction loop of their own (not a weight gradient's h + i).
  if (!isBatchSum(op) || !readsChannelLanes(op) || !reductionReading(op, 2))
    return std::nullopt;
  return batchReduction(op);
}

void splitByLane(RewriterBase &rewriter, linalg::GenericOp op, unsigned lane) {
  splitKeeping(rewriter, op, lane, /*keptFirst=*/false);
}

void splitByImage(RewriterBase &rewriter, linalg::GenericOp op,
                  unsigned image) {
  splitKeeping(rewriter, op, image, /*keptFirst=*/true);
}

namespace {

void splitKeeping(RewriterBase &rewriter, linalg::GenericOp op, unsigned kept,
                  bool keptFirst) {
  MLIRContext *ctx = op.getContext();
  Location loc = op.getLoc();
  unsigned numLoops = op.getNumLoops();
  SmallVector<IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // The partial sums' loops: the parallel ones and the kept one, then the
  // other reductions, each in its order.
  SmallVector<unsigned> order;
  if (keptFirst)
    order.push_back(kept);
  for (unsigned d = 0; d < numLoops; ++d)
    if (iters[d] == kPar)
      order.push_back(d);
  if (!keptFirst)
    order.push_back(kept);
  unsigned numKept = order.size();
  for (unsigned d = 0; d < numLoops; ++d)
    if (iters[d] == kRed && d != kept)
      order.push_back(d);
  SmallVector<AffineExpr> newOfOld(numLoops);
  SmallVector<unsigned> positionOf(numLoops);
  for (auto [k, d] : llvm::enumerate(order)) {
    newOfOld[d] = getAffineDimExpr(k, ctx);
    positionOf[d] = k;
  }
  AffineMap toOld = AffineMap::get(numLoops, 0, newOfOld, ctx);
  SmallVector<int64_t> partialShape;
  SmallVector<AffineExpr> keptDims;
  for (unsigned k = 0; k < numKept; ++k) {
    partialShape.push_back(ranges[order[k]]);
    keptDims.push_back(getAffineDimExpr(k, ctx));
  }
  SmallVector<AffineMap> inputMaps;
  for (OpOperand *input : op.getDpsInputOperands())
    inputMaps.push_back(op.getMatchingIndexingMap(input).compose(toOld));
  SmallVector<IteratorType> partialIters(numKept, kPar);
  partialIters.append(numLoops - numKept, kRed);
  SmallVector<IteratorType> laneIters(numKept, kPar);
  laneIters[keptFirst ? 0 : numKept - 1] = kRed;

  Block *body = op.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  unsigned numInputs = op.getNumDpsInputs();
  unsigned numResults = op.getNumDpsInits();
  rewriter.setInsertionPoint(op);
  // All the partial sums in one op, which reads the inputs once.
  SmallVector<Value> partialInits;
  // A dynamic kept loop (the batch): its size from an input it reads.
  SmallVector<Value> dynamicSizes;
  for (unsigned k = 0; k < numKept; ++k) {
    if (!ShapedType::isDynamic(partialShape[k]))
      continue;
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      std::optional<unsigned> at =
          map.getResultPosition(getAffineDimExpr(order[k], ctx));
      if (at) {
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, input->get(), *at));
        break;
      }
    }
  }
  for (Type type : op.getResultTypes())
    partialInits.push_back(zeros(rewriter, loc, partialShape,
                                 getElementTypeOrSelf(type), dynamicSizes));
  SmallVector<AffineMap> maps(inputMaps);
  maps.append(numResults, AffineMap::get(numLoops, 0, keptDims, ctx));
  auto partials =
      generic(rewriter, loc, op.getDpsInputs(), partialInits, maps,
              partialIters, [&](OpBuilder &b, Location, ValueRange args) {
                IRMapping map;
                for (unsigned i = 0; i < numInputs + numResults; ++i)
                  map.map(body->getArgument(i), args[i]);
                for (Operation &bodyOp : body->without_terminator())
                  b.clone(bodyOp, map);
                SmallVector<Value> yielded;
                for (Value v : yield.getOperands())
                  yielded.push_back(map.lookupOrDefault(v));
                return yielded;
              });
  SmallVector<Value> results;
  for (auto [k, init] : llvm::enumerate(op.getDpsInitsMutable())) {
    // The lanes summed into the result's init, its map over the kept
    // parallel loops.
    SmallVector<AffineExpr> outExprs;
    for (AffineExpr e : op.getMatchingIndexingMap(&init).getResults())
      outExprs.push_back(getAffineDimExpr(
          positionOf[cast<AffineDimExpr>(e).getPosition()], ctx));
    results.push_back(
        generic(rewriter, loc, partials.getResult(k), init.get(),
                {identityMap(ctx, numKept),
                 AffineMap::get(numKept, 0, outExprs, ctx)},
                laneIters,
                [](OpBuilder &b, Location l, ValueRange args) {
                  return SmallVector<Value>{
                      arith::AddFOp::create(b, l, args[1], args[0])};
                })
            .getResult(0));
  }
  rewriter.replaceOp(op, results);
}

} // namespace

} // namespace cnnc::cpu
