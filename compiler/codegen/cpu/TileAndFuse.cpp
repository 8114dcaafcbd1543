//===- TileAndFuse.cpp - tile linalg chains and fuse their producers ------===//
//
// Three levels of tiling on tensors:
//
//  1. the network is sliced over the batch: every op whose tensors carry
//     the (dynamic) batch as their outer dimension and treat it as a
//     parallel dimension that maps straight through (convs, poolings, pads,
//     elementwise ops, flatten, linear layers) moves into a scf.forall over
//     the images, on one image each. Values used twice (a residual block's
//     input) stay one per-image tensor. Inference is one such loop, the
//     whole network, and no activation of the whole batch is materialised;
//     the training step is several, in stages: an op that needs the whole
//     batch (a weight gradient's or a batchnorm's sum over the images, the
//     loss's mean) ends a stage, and what reads its result runs in the
//     next. Those ops, and those with no batch at all (a batchnorm folded
//     into a filter, a filter's layout), are spread over the threads by
//     their own outer dimension (scf.forall; a step of several where a
//     batch contraction's register tile spans them), their single-use
//     producers fused, except one every step would read whole (a weight
//     gradient's padded input, padded image by image in a stage instead);
//     a Winograd weight gradient is left whole (it splits the batch among
//     the threads itself, and reads its input through its padding, which
//     is then not made); a repeated block's loop inside an image's loop
//     carries the image padded where its conv pads it (the halo made once,
//     not per block);
//  2. inside, every chain (now one image) is tiled again with scf.for, by
//     the tiles the CPU strategy chose (output channels x output rows),
//     producers fused except pads (fusing a pad would recompute the halo
//     per tile);
//  3. convolutions, poolings and contractions are tiled down to the
//     register-tile steps the strategy chose (one output row, input channel
//     and filter tap for an NCHW conv; columns x channels for a
//     channels-last one; for a contraction over the batch, one sample per
//     step, outermost), and so are the ops over whole parameters (flat: the
//     SGD update, the penalty's sums), which levels 1 and 2 leave alone;
//     a step that does not divide its range leaves a smaller last step,
//     peeled into a loop of its own so that every step has a static
//     shape; CpuVectorize turns each step into a register tile.
//
// What an op is and its tile sizes are the strategy's decisions
// (cnn-cpu-strategy, compiler/codegen/cpu/Strategy.cpp), read from the op's
// #cnn_cpu.config: nothing here depends on the machine, and an op without a
// config is not tiled.
//
// Producers that compute the same values for every tile (a filter flipped
// for a conv's input gradient) are not fused: they run once. Fills and pads
// that several consumers share are cloned, one per consumer, so that each
// is fused where it is read.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "codegen/cpu/CpuConfig.h"
#include "codegen/cpu/PoolWindows.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

#include <functional>

namespace cnnc::cpu {
#define GEN_PASS_DEF_CPUTILEANDFUSE
#include "codegen/cpu/Passes.h.inc"
} // namespace cnnc::cpu

using namespace mlir;
namespace cpu = cnnc::cpu;

namespace {

/// What a linalg op is, as far as tiling is concerned: the CPU strategy's
/// kind (cnn-cpu-strategy's #cnn_cpu.config); fills are tiled as
/// producers only, ops without a config not at all.
/// Flat ops (whole parameters as one dimension) are only stepped through.
enum class Kind { Conv, Pool, Matmul, Elementwise, Flat, Fill, Other };

Kind classify(Operation *op) {
  if (isa<linalg::FillOp>(op))
    return Kind::Fill;
  std::optional<cpu::OpKind> kind = cpu::getKind(op);
  if (!kind)
    return Kind::Other;
  switch (*kind) {
  case cpu::OpKind::Conv:
    return Kind::Conv;
  case cpu::OpKind::Pool:
    return Kind::Pool;
  case cpu::OpKind::LaneConv:
  case cpu::OpKind::Contraction:
  case cpu::OpKind::BatchContraction:
    return Kind::Matmul;
  case cpu::OpKind::Elementwise:
  case cpu::OpKind::Window:
    return Kind::Elementwise;
  case cpu::OpKind::Flat:
    return Kind::Flat;
  }
  return Kind::Other;
}

bool isTileable(Operation *op) {
  Kind k = classify(op);
  return k != Kind::Other && k != Kind::Fill && k != Kind::Flat;
}

/// An elementwise op over pooling windows (max_pool2d_grad's) steps through
/// one window row at a time: a producer fused there would run once per row
/// of the window, so its producers end chains of their own.
bool isWindowStepper(Operation *op) {
  return cpu::getKind(op) == cpu::OpKind::Window;
}

/// A chain ends at an op whose result does not flow into exactly one
/// elementwise op or pooling as an input; everything above it is fused.
bool isChainEnd(Operation *op) {
  if (!isTileable(op) || op->getNumResults() == 0)
    return false;
  if (op->getNumResults() > 1) // several sums of one pass over the inputs
    return true;
  // Its threads' loop is its own: it fuses into no tile of another op.
  if (cpu::isWinogradWeightGrad(op))
    return true;
  Value result = op->getResult(0);
  if (!result.hasOneUse())
    return true;
  OpOperand &use = *result.getUses().begin();
  auto user = dyn_cast<linalg::LinalgOp>(use.getOwner());
  if (!user || !user.isDpsInput(&use))
    return true;
  Kind userKind = classify(user);
  if (isWindowStepper(user))
    return true;
  return userKind != Kind::Elementwise && userKind != Kind::Pool;
}

/// A linalg op on static tensors only, outside every loop (a filter flipped
/// for a conv's input gradient): its values are the same for every tile.
bool isInvariantWork(Operation *op) {
  auto isStatic = [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return !shaped || shaped.hasStaticShape();
  };
  return isa<linalg::LinalgOp>(op) && !isa<linalg::FillOp>(op) &&
         !op->getParentOfType<LoopLikeOpInterface>() &&
         llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

/// A contraction whose reductions include the (dynamic) batch: a weight
/// gradient or a batchnorm sum.
bool isBatchContraction(Operation *op) {
  return cpu::getKind(op) == cpu::OpKind::BatchContraction;
}

/// A convolution computed channels-last, the output channels in the lanes.
bool isChannelLaneConv(Operation *op) {
  return cpu::getKind(op) == cpu::OpKind::LaneConv;
}

/// A reduction over the windows of a channels-last image, the channels in
/// the lanes.
bool isChannelsLastWindowReduction(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && cpu::isChannelsLastWindowReduction(linalgOp);
}

/// Producers that may be fused into a consumer's tile loop at `level`:
/// single-use ops (so nothing is computed twice), pads only at level 1 (per
/// image), channel-lane convs not at level 2 (their register tiles need
/// whole rows of every channel, where the consumer's tile is a few
/// channels of one row; the same for a channels-last window reduction,
/// whose lane is the channels).
bool isFusableProducer(Operation *op, int level) {
  if (op->getNumResults() != 1 || !op->getResult(0).hasOneUse() ||
      cpu::isWinogradWeightGrad(op))
    return false;
  if (isa<tensor::PadOp>(op))
    return level == 1;
  if (isChannelLaneConv(op) || isChannelsLastWindowReduction(op))
    return level == 1;
  // Computed once before the loops rather than once per tile.
  if (isInvariantWork(op))
    return false;
  Operation *user = *op->getResult(0).getUsers().begin();
  if (isWindowStepper(user))
    return false;
  // A batch contraction's tiles each read every sample: a fused producer
  // would run over the whole batch once per tile.
  if (isBatchContraction(user) && classify(op) == Kind::Elementwise)
    return false;
  return isTileable(op) || classify(op) == Kind::Fill;
}

/// Whether `slice` takes all of its source: no offset, every size whole.
bool isWholeTensor(tensor::ExtractSliceOp slice) {
  RankedTensorType source = slice.getSourceType();
  if (!slice.hasUnitStride() || !slice.getOffsets().empty() ||
      llvm::any_of(slice.getStaticOffsets(),
                   [](int64_t offset) { return offset != 0; }))
    return false;
  for (auto [size, dim] : llvm::zip(slice.getStaticSizes(), source.getShape()))
    if (size != dim && !ShapedType::isDynamic(dim))
      return false;
  return true;
}

/// Gives every use of a shared fill or pad of `block` a copy of its own (with
/// its own tensor.empty), so that each is fused into its consumer's tile
/// loop: a zero init CSE merged across convs, a padded activation read by
/// the conv and by its weight gradient. Shared, they would run once over the
/// whole batch outside every loop, on one thread (a pad as a scalar copy),
/// and the init would be copied again for each consumer; cloned, each runs
/// per tile, in parallel and in cache. Only where every user is itself
/// tiled, so no clone is left to run whole.
void cloneSharedCheapProducers(RewriterBase &rewriter, Block &block) {
  SmallVector<Operation *> shared;
  for (Operation &op : block) {
    if (!isa<linalg::FillOp, tensor::PadOp>(op) || op.getNumResults() != 1 ||
        op.getResult(0).hasOneUse() || op.getResult(0).use_empty())
      continue;
    if (llvm::all_of(op.getResult(0).getUsers(), [&](Operation *user) {
          return user->getBlock() == &block && isTileable(user);
        }))
      shared.push_back(&op);
  }
  for (Operation *op : shared) {
    SmallVector<OpOperand *> uses = llvm::map_to_vector(
        op->getResult(0).getUses(), [](OpOperand &use) { return &use; });
    for (OpOperand *use : ArrayRef(uses).drop_front()) {
      rewriter.setInsertionPoint(use->getOwner());
      IRMapping map;
      if (auto fill = dyn_cast<linalg::FillOp>(op))
        if (auto empty = fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
          map.map(empty.getResult(), rewriter.clone(*empty)->getResult(0));
      Operation *copy = rewriter.clone(*op, map);
      rewriter.modifyOpInPlace(use->getOwner(),
                               [&] { use->set(copy->getResult(0)); });
    }
  }
}

/// The sizes asked of ops' results (tensor.dim) resolved to their inits'.
RewritePatternSet dimResolution(MLIRContext *ctx) {
  RewritePatternSet patterns(ctx);
  memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
  tensor::DimOp::getCanonicalizationPatterns(patterns, ctx);
  return patterns;
}

/// Resolves every size asked in `root` and erases what is dead.
LogicalResult cleanUp(Operation *root) {
  return applyPatternsGreedily(root, dimResolution(root->getContext()));
}

/// After one tiling: the new loops' bounds and the fused producers' slices
/// (the ops from `first` to `end`) still refer to the untiled ops (`end`
/// and `untiled`) through tensor.dim; resolve those to the inits' dims, so
/// that the untiled ops die, and erase them and what they alone used. Only
/// the new ops are visited: cleaning the whole function after every chain
/// made tiling quadratic in the network (33 s of a 100-layer chain's
/// training step).
LogicalResult cleanUpTiling(RewriterBase &rewriter, Operation *first,
                            Operation *end, ArrayRef<Operation *> untiled) {
  MLIRContext *ctx = end->getContext();
  auto created = [&] {
    SmallVector<Operation *> ops;
    for (Operation *op = first; op != end; op = op->getNextNode())
      op->walk([&](Operation *nested) { ops.push_back(nested); });
    return ops;
  };
  GreedyRewriteConfig config;
  config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
  // A linalg op's sizes are its init's (tensor.dim's folding): cheap.
  // Reifying an op's shape composes affine maps over all its operands'
  // sizes: only for what is left (a fused pad's).
  RewritePatternSet canonical(ctx);
  tensor::DimOp::getCanonicalizationPatterns(canonical, ctx);
  if (failed(applyOpPatternsGreedily(created(), std::move(canonical), config)))
    return failure();
  DenseSet<Operation *> untiledSet(untiled.begin(), untiled.end());
  SmallVector<Operation *> left;
  for (Operation *op : created())
    if (auto dim = dyn_cast<tensor::DimOp>(op))
      if (untiledSet.contains(dim.getSource().getDefiningOp()))
        left.push_back(op);
  if (!left.empty() &&
      failed(applyOpPatternsGreedily(left, dimResolution(ctx), config)))
    return failure();

  SmallVector<Operation *> worklist(untiled);
  DenseSet<Operation *> erased;
  Block *block = end->getBlock();
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (erased.contains(op) || op->getBlock() != block ||
        !isOpTriviallyDead(op))
      continue;
    SmallVector<Operation *> defs;
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        defs.push_back(def);
    erased.insert(op);
    rewriter.eraseOp(op);
    llvm::append_range(worklist, defs);
  }
  return success();
}

/// A tensor whose outer dimension is the (dynamic) batch.
bool isBatched(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getRank() >= 1 && type.isDynamicDim(0);
}

/// `type` for one image: batch 1, every other dimension static; or null.
RankedTensorType imageType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.getRank() < 1 || !tensor.isDynamicDim(0) ||
      llvm::any_of(tensor.getShape().drop_front(), ShapedType::isDynamic))
    return nullptr;
  SmallVector<int64_t> shape(tensor.getShape());
  shape[0] = 1;
  return tensor.clone(shape);
}

bool isPerImage(Operation *op);

/// Whether `op` has nothing to do with the batch: no batched operand or
/// result (index arithmetic, a view of the arena, a weight fold), or it
/// only asks for a batched tensor's size (which per image is 1).
bool isBatchFree(Operation *op) {
  if (isa<tensor::DimOp>(op))
    return true;
  return llvm::none_of(op->getOperands(), isBatched) &&
         llvm::none_of(op->getResults(), isBatched) &&
         !isa<LoopLikeOpInterface>(op);
}

/// A loop over a repeated block (cnn.repeat's scf.for) runs image by image
/// when it carries batched tensors only and its body does.
bool isPerImageLoop(scf::ForOp loop) {
  if (loop.getNumResults() == 0 ||
      !llvm::all_of(loop.getResults(),
                    [](Value r) { return imageType(r.getType()); }))
    return false;
  return llvm::all_of(loop.getBody()->without_terminator(), [](Operation &op) {
    return isPerImage(&op) || isBatchFree(&op);
  });
}

/// A repeated block's loop derives tensors from its iteration's weights (a
/// batchnorm folded into the conv's filter, the filter in channels-last
/// layout): the same for every image. Left in the loop they would be
/// recomputed per image once the loop runs image by image; instead a loop
/// of their own before it computes them once per iteration, stacked along
/// a leading dimension, and the block's loop takes its iteration's slice;
/// what does not depend on the iteration moves before the loop. Returns the
/// new loop, or null when there is none.
scf::ForOp hoistBatchFreeWork(RewriterBase &rewriter, scf::ForOp loop) {
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *lb != 0 || *step != 1 || *ub < 1 ||
      !isPerImageLoop(loop))
    return nullptr;
  Block *body = loop.getBody();
  Value k = loop.getInductionVar();
  // The batch-free ops to move (tensor.dim asks of a batched tensor), and
  // the values of theirs that the rest of the body reads.
  SmallVector<Operation *> moved;
  DenseSet<Operation *> movedSet;
  for (Operation &op : body->without_terminator()) {
    if (!isBatchFree(&op) || isa<tensor::DimOp>(op))
      continue;
    bool inputsMoved = llvm::all_of(op.getOperands(), [&](Value v) {
      Operation *def = v.getDefiningOp();
      return def ? def->getBlock() != body || movedSet.contains(def)
                 : v == k || v.getParentBlock() != body;
    });
    if (!inputsMoved)
      continue;
    moved.push_back(&op);
    movedSet.insert(&op);
  }
  // What does not depend on the iteration (a shared block's weights) goes
  // before the loop, computed once.
  DenseSet<Operation *> varying;
  for (Operation *op : moved)
    if (llvm::any_of(op->getOperands(), [&](Value v) {
          return v == k || varying.contains(v.getDefiningOp());
        }))
      varying.insert(op);
  for (Operation *op : llvm::make_early_inc_range(moved))
    if (!varying.contains(op))
      rewriter.moveOpBefore(op, loop);
  llvm::erase_if(moved, [&](Operation *op) { return !varying.contains(op); });
  movedSet = DenseSet<Operation *>(moved.begin(), moved.end());
  SmallVector<Value> boundary;
  for (Operation *op : moved) {
    if (!isa<linalg::LinalgOp>(op))
      continue;
    for (Value r : op->getResults()) {
      auto type = dyn_cast<RankedTensorType>(r.getType());
      if (type && type.hasStaticShape() &&
          llvm::any_of(r.getUsers(), [&](Operation *user) {
            return !movedSet.contains(user);
          }))
        boundary.push_back(r);
    }
  }
  if (boundary.empty())
    return nullptr;

  Location loc = loop.getLoc();
  rewriter.setInsertionPoint(loop);
  SmallVector<Value> stacks;
  for (Value v : boundary) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape{*ub};
    llvm::append_range(shape, type.getShape());
    stacks.push_back(tensor::EmptyOp::create(rewriter, loc, shape,
                                             type.getElementType()));
  }
  // Iteration k's slice of a stack, as offsets, sizes and strides.
  auto sliceOf = [&](OpBuilder &b, Value iv, RankedTensorType type) {
    SmallVector<OpFoldResult> offsets(type.getRank() + 1, b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes{b.getIndexAttr(1)};
    SmallVector<OpFoldResult> strides(type.getRank() + 1, b.getIndexAttr(1));
    offsets[0] = iv;
    for (int64_t d : type.getShape())
      sizes.push_back(b.getIndexAttr(d));
    return std::make_tuple(offsets, sizes, strides);
  };
  auto weights = scf::ForOp::create(
      rewriter, loc, loop.getLowerBound(), loop.getUpperBound(),
      loop.getStep(), stacks,
      [&](OpBuilder &b, Location, Value iv, ValueRange iterArgs) {
        IRMapping map;
        map.map(k, iv);
        for (Operation *op : moved)
          b.clone(*op, map);
        SmallVector<Value> yielded;
        for (auto [v, stack] : llvm::zip(boundary, iterArgs)) {
          auto [offsets, sizes, strides] =
              sliceOf(b, iv, cast<RankedTensorType>(v.getType()));
          yielded.push_back(tensor::InsertSliceOp::create(
              b, loc, map.lookup(v), stack, offsets, sizes, strides));
        }
        scf::YieldOp::create(b, loc, yielded);
      });
  rewriter.setInsertionPointToStart(body);
  for (auto [v, stack] : llvm::zip(boundary, weights.getResults())) {
    auto type = cast<RankedTensorType>(v.getType());
    auto [offsets, sizes, strides] = sliceOf(rewriter, k, type);
    Value slice = tensor::ExtractSliceOp::create(rewriter, loc, type, stack,
                                                 offsets, sizes, strides);
    rewriter.replaceAllUsesWith(v, slice);
  }
  return weights;
}

/// A repeated block's result (a residual add) is computed into a fresh
/// tensor while the block's input, which it reads element by element, dies
/// with the iteration. Read and written as the op's output instead (tiles
/// then read and write the same tile of one tensor), the loop's carried
/// tensor stays one buffer: no allocation, copy and free per iteration.
void writeResultOverInput(RewriterBase &rewriter, scf::ForOp loop) {
  for (auto [carried, yielded] :
       llvm::zip(loop.getRegionIterArgs(),
                 loop.getBody()->getTerminator()->getOperands())) {
    auto op = yielded.getDefiningOp<linalg::GenericOp>();
    if (!op || op.getNumDpsInits() != 1 || op.getNumResults() != 1 ||
        op.getNumLoops() != op.getNumParallelLoops() ||
        !op.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>() ||
        op.getDpsInits()[0].getType() != carried.getType() ||
        op.payloadUsesValueFromOperand(op.getDpsInitOperand(0)))
      continue;
    AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    OpOperand *input = nullptr;
    for (OpOperand *in : op.getDpsInputOperands())
      if (in->get() == carried && op.getMatchingIndexingMap(in) == out)
        input = in;
    if (!input || !out.isIdentity())
      continue;
    unsigned drop = input->getOperandNumber();
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *in : op.getDpsInputOperands())
      if (in != input) {
        inputs.push_back(in->get());
        maps.push_back(op.getMatchingIndexingMap(in));
      }
    maps.push_back(out);
    rewriter.setInsertionPoint(op);
    auto inPlace = linalg::GenericOp::create(
        rewriter, op.getLoc(), op->getResultTypes(), inputs,
        ValueRange{carried}, maps, op.getIteratorTypesArray());
    inPlace->setDiscardableAttrs(op->getDiscardableAttrDictionary());
    rewriter.inlineRegionBefore(op.getRegion(), inPlace.getRegion(),
                                inPlace.getRegion().begin());
    Block &body = inPlace.getRegion().front();
    rewriter.replaceAllUsesWith(body.getArgument(drop),
                                body.getArguments().back());
    body.eraseArgument(drop);
    rewriter.replaceOp(op, inPlace.getResults());
  }
}

/// A repeated block's loop that runs image by image and pads its carried
/// image (its conv's zero halo) carries the padded image instead: the halo
/// is made once, before the loop, and each iteration's result goes into
/// the interior, where the next iteration's conv reads it. Padded in every
/// iteration, the image was filled and copied again per block (1.8% of
/// NetResDeep's inference). The halo is never written in the loop, so it
/// keeps the padding value.
void carryPaddedImage(RewriterBase &rewriter, scf::ForOp loop) {
  for (auto [i, carried] : llvm::enumerate(loop.getRegionIterArgs())) {
    auto type = dyn_cast<RankedTensorType>(carried.getType());
    if (!type || !type.hasStaticShape())
      continue;
    tensor::PadOp pad;
    for (Operation *user : carried.getUsers())
      if (auto p = dyn_cast<tensor::PadOp>(user);
          p && p.getSource() == carried && p.getLow().empty() &&
          p.getHigh().empty() && p.getResultType().hasStaticShape()) {
        Value value = p.getConstantPaddingValue();
        if (value && loop.isDefinedOutsideOfLoop(value)) {
          pad = p;
          break;
        }
      }
    if (!pad)
      continue;
    Location loc = loop.getLoc();
    RankedTensorType paddedType = pad.getResultType();
    SmallVector<OpFoldResult> offsets =
        getAsIndexOpFoldResult(rewriter.getContext(), pad.getStaticLow());
    SmallVector<OpFoldResult> sizes =
        getAsIndexOpFoldResult(rewriter.getContext(), type.getShape());
    SmallVector<OpFoldResult> strides(type.getRank(), rewriter.getIndexAttr(1));
    // The halo, once.
    rewriter.setInsertionPoint(loop);
    IRMapping before;
    before.map(carried, loop.getInitArgs()[i]);
    Value paddedInit = rewriter.clone(*pad, before)->getResult(0);
    rewriter.modifyOpInPlace(loop, [&] {
      loop.getInitArgsMutable()[i].assign(paddedInit);
      carried.setType(paddedType);
      loop.getResult(i).setType(paddedType);
    });
    // In the body the image is the interior; the pad, the carried tensor.
    rewriter.setInsertionPointToStart(loop.getBody());
    auto image = tensor::ExtractSliceOp::create(rewriter, loc, type, carried,
                                                offsets, sizes, strides);
    rewriter.replaceAllUsesExcept(carried, image.getResult(), image);
    rewriter.replaceOp(pad, carried);
    auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
    rewriter.setInsertionPoint(yield);
    Value result = tensor::InsertSliceOp::create(
        rewriter, loc, yield.getOperand(i), carried, offsets, sizes, strides);
    rewriter.modifyOpInPlace(
        yield, [&] { yield.getResultsMutable()[i].assign(result); });
    // After the loop, the interior.
    rewriter.setInsertionPointAfter(loop);
    auto out = tensor::ExtractSliceOp::create(
        rewriter, loc, type, loop.getResult(i), offsets, sizes, strides);
    rewriter.replaceAllUsesExcept(loop.getResult(i), out.getResult(), out);
  }
}

/// A batched tensor that `op`'s body reads from outside (labels, the input
/// of a pooling whose gradient finds each window's maximum again).
bool isCapturedBatch(Operation *op, Value v) {
  return isBatched(v) && !op->isAncestor(v.getParentRegion()->getParentOp());
}

/// Whether `op`'s body asks for its image's index (linalg.index 0) only
/// to read that image of a batched tensor from outside: per image, the
/// index is 0 and the tensor that image's slice.
bool readsOnlyItsImage(linalg::LinalgOp op) {
  WalkResult result = op->walk([&](Operation *nested) {
    if (nested == op.getOperation())
      return WalkResult::advance();
    if (auto index = dyn_cast<linalg::IndexOp>(nested); index && index.getDim() == 0)
      for (OpOperand &use : index->getUses()) {
        auto extract = dyn_cast<tensor::ExtractOp>(use.getOwner());
        if (!extract || use.getOperandNumber() != 1 ||
            !isCapturedBatch(op, extract.getTensor()))
          return WalkResult::interrupt();
      }
    for (OpOperand &operand : nested->getOpOperands())
      if (isCapturedBatch(op, operand.get())) {
        auto extract = dyn_cast<tensor::ExtractOp>(nested);
        auto index = extract && !extract.getIndices().empty()
                         ? extract.getIndices()[0].getDefiningOp<linalg::IndexOp>()
                         : nullptr;
        if (!index || index.getDim() != 0 || operand.getOperandNumber() != 0)
          return WalkResult::interrupt();
      }
    return WalkResult::advance();
  });
  return !result.wasInterrupted();
}

/// Whether `op` can run image by image: it produces batched tensors only,
/// and (linalg) its loop 0 is parallel and is the batch dimension of every
/// batched operand and of no other operand.
bool isPerImage(Operation *op) {
  if (auto loop = dyn_cast<scf::ForOp>(op))
    return isPerImageLoop(loop);
  if (op->getNumResults() == 0 || op->getNumRegions() > 1 ||
      !llvm::all_of(op->getResults(),
                    [](Value r) { return imageType(r.getType()); }))
    return false;
  if (auto empty = dyn_cast<tensor::EmptyOp>(op))
    return empty.getDynamicSizes().size() == 1;
  // A Winograd weight gradient reads through its padding of x
  // (cnn-cpu-winograd-conv): none is made.
  if (isa<tensor::PadOp>(op) &&
      llvm::all_of(op->getUsers(), cpu::isWinogradWeightGrad))
    return false;
  if (auto pad = dyn_cast<tensor::PadOp>(op))
    return isBatched(pad.getSource()) && pad.getLow().empty() &&
           pad.getHigh().empty() && pad.getStaticLow()[0] == 0 &&
           pad.getStaticHigh()[0] == 0;
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op))
    return collapse.getReassociationIndices()[0].size() == 1;
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op))
    return expand.getReassociationIndices()[0].size() == 1 &&
           expand.getOutputShape().size() == 1;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      linalgOp.getNumLoops() == 0 ||
      linalgOp.getIteratorTypesArray()[0] != utils::IteratorType::parallel)
    return false;
  AffineExpr d0 = getAffineDimExpr(0, op->getContext());
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
    bool batched = isBatched(operand.get());
    if (batched && (map.getNumResults() == 0 || map.getResult(0) != d0))
      return false;
    for (auto [i, expr] : llvm::enumerate(map.getResults()))
      if ((!batched || i > 0) && expr.isFunctionOfDim(0))
        return false;
    if (!batched && linalgOp.isDpsInit(&operand))
      return false;
  }
  return readsOnlyItsImage(linalgOp);
}

/// The ops of `block` whose results `op` (its regions included) reads.
SmallVector<Operation *> blockDefsOf(Operation *op, Block &block) {
  SmallVector<Operation *> defs;
  op->walk([&](Operation *nested) {
    for (Value v : nested->getOperands())
      if (Operation *def = v.getDefiningOp())
        if (Operation *top = block.findAncestorOpInBlock(*def);
            top && top != op)
          defs.push_back(top);
  });
  return defs;
}

/// A per-image op cheap to make again (an empty image, its fill, a pad, a
/// reshape): one copy for each op that reads it, made in that op's stage,
/// rather than once and kept for the whole batch. Where the reader needs
/// the whole batch, an empty or a fill is fused into it and a reshape
/// views the whole batch; a pad (a weight gradient's padded input) is
/// made image by image in the stage its source is ready: fused, every
/// tile of the reader's would pad the whole batch again. (A reshape in
/// its source's stage would make the stage's result the reshaped image,
/// which its producer cannot write in place: a copy of every image.)
bool isMadePerReader(Operation *op) {
  if (isa<tensor::EmptyOp, tensor::PadOp, tensor::ExpandShapeOp,
          tensor::CollapseShapeOp>(op))
    return true;
  auto fill = dyn_cast<linalg::FillOp>(op);
  return fill && fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
}

/// Builds one loop over the images (scf.forall, or scf.for when `parallel`
/// is off) at the rewriter's insertion point, computing `sliced` (ops of
/// one block, in order) image by image; the results of theirs used
/// elsewhere are replaced by the loop's. Returns the loop.
Operation *buildImageLoop(RewriterBase &rewriter,
                          const SetVector<Operation *> &sliced,
                          Value batchSource, bool parallel) {
  SmallVector<Value> roots;
  for (Operation *op : sliced)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            Operation *top = op->getBlock()->findAncestorOpInBlock(*user);
            return !top || !sliced.contains(top);
          }))
        roots.push_back(result);

  Location loc = sliced.back()->getLoc();
  Value batch = tensor::DimOp::create(rewriter, loc, batchSource, 0);
  // A root computed in place over a batched tensor from outside (a
  // repeated block's result written over its carried input) keeps it as
  // the loop's output, its images sliced from the loop's; a fresh tensor
  // would leave the result in the input's buffer, copied out every step.
  SmallVector<Value> outs;
  SmallVector<Value> inPlace(roots.size());
  for (auto [i, root] : llvm::enumerate(roots)) {
    auto linalgOp = root.getDefiningOp<linalg::LinalgOp>();
    OpOperand *tied =
        linalgOp ? linalgOp.getTiedOpOperand(cast<OpResult>(root)) : nullptr;
    Value init = tied && linalgOp.payloadUsesValueFromOperand(tied)
                     ? tied->get()
                     : Value();
    bool fromOutside =
        init && isBatched(init) && !sliced.contains(init.getDefiningOp()) &&
        !llvm::is_contained(inPlace, init) &&
        llvm::none_of(init.getUsers(), [&](Operation *user) {
          Operation *top = root.getParentBlock()->findAncestorOpInBlock(*user);
          return top && top != user && sliced.contains(top);
        });
    if (fromOutside)
      inPlace[i] = init;
    outs.push_back(fromOutside ? init
                               : tensor::EmptyOp::create(
                                     rewriter, loc,
                                     cast<RankedTensorType>(root.getType()),
                                     ValueRange{batch})
                                     .getResult());
  }

  // One image's slice of `full` (batched) at image `iv`.
  auto imageSlice = [&](OpBuilder &b, Value full, Value iv) -> Value {
    auto type = cast<RankedTensorType>(full.getType());
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, strides(type.getRank(),
                                             b.getIndexAttr(1));
    offsets[0] = iv;
    for (int64_t d : imageType(type).getShape())
      sizes.push_back(b.getIndexAttr(d));
    return tensor::ExtractSliceOp::create(b, loc, imageType(type), full,
                                          offsets, sizes, strides);
  };
  // `op` for image `iv`: batched types become one image's, values from
  // outside the loop are sliced, a repeated block's loop is cloned with its
  // body (batch-free ops in it as they are).
  std::function<void(OpBuilder &, Operation *, IRMapping &, Value)>
      cloneForImage = [&](OpBuilder &b, Operation *op, IRMapping &map,
                          Value iv) {
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      if (Value mapped = map.lookupOrNull(operand))
        operands.push_back(mapped);
      else if (isBatched(operand))
        operands.push_back(imageSlice(b, operand, iv));
      else
        operands.push_back(operand);
    }
    SmallVector<Type> types;
    for (Type t : op->getResultTypes())
      types.push_back(imageType(t) ? Type(imageType(t)) : t);
    Operation *image;
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      auto copy = scf::ForOp::create(b, loop.getLoc(), operands[0],
                                     operands[1], operands[2],
                                     ArrayRef(operands).drop_front(3));
      map.map(loop.getBody()->getArguments(), copy.getBody()->getArguments());
      OpBuilder inner = OpBuilder::atBlockBegin(copy.getBody());
      for (Operation &bodyOp : *loop.getBody())
        cloneForImage(inner, &bodyOp, map, iv);
      image = copy;
    } else if (isa<tensor::EmptyOp>(op) && isBatched(op->getResult(0))) {
      image = tensor::EmptyOp::create(
          b, op->getLoc(), cast<RankedTensorType>(types[0]), ValueRange{});
    } else if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
      // One image's shape is static: no batch size to give.
      image = tensor::ExpandShapeOp::create(
          b, op->getLoc(), types[0], operands[0],
          expand.getReassociationIndices());
    } else {
      // What the body reads of a batched tensor from outside: its image.
      op->walk([&](Operation *nested) {
        for (Value v : nested->getOperands())
          if (!map.contains(v) && isCapturedBatch(op, v))
            map.map(v, imageSlice(b, v, iv));
      });
      for (auto [operand, mapped] : llvm::zip(op->getOperands(), operands))
        map.map(operand, mapped);
      image = b.clone(*op, map);
      for (auto [result, type] : llvm::zip(image->getResults(), types))
        result.setType(type);
    }
    map.map(op->getResults(), image->getResults());
  };
  // The sliced ops for image `iv`, in order; returns the roots' images.
  auto buildBody = [&](OpBuilder &b, Value iv, ValueRange loopOuts) {
    IRMapping map;
    for (auto [init, out] : llvm::zip(inPlace, loopOuts))
      if (init)
        map.map(init, imageSlice(b, out, iv));
    for (Operation *op : sliced)
      cloneForImage(b, op, map, iv);
    SmallVector<Value> images = llvm::map_to_vector(
        roots, [&](Value root) { return map.lookup(root); });
    // A root whose op writes a fresh tensor (not reading it) writes its
    // image's part of the loop's output instead: a fresh tensor's image
    // would be a buffer of its own, copied into the output (NetResDeep's
    // ReLU gradient, 25 KB an image and block).
    for (auto [image, out, init] : llvm::zip(images, loopOuts, inPlace)) {
      auto linalgOp = image.getDefiningOp<linalg::LinalgOp>();
      if (init || !linalgOp)
        continue;
      OpOperand *tied = linalgOp.getTiedOpOperand(cast<OpResult>(image));
      if (!tied || linalgOp.payloadUsesValueFromOperand(tied))
        continue;
      Value fresh = tied->get();
      if (auto slice = fresh.getDefiningOp<tensor::ExtractSliceOp>())
        fresh = slice.getSource();
      if (!fresh.getDefiningOp<tensor::EmptyOp>())
        continue;
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(linalgOp);
      tied->set(imageSlice(b, out, iv));
    }
    return images;
  };
  // Where image `iv`'s result `image` goes in the whole batch's.
  auto placeOf = [&](OpBuilder &b, Value image, Value iv) {
    auto type = cast<RankedTensorType>(image.getType());
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
    offsets[0] = iv;
    SmallVector<OpFoldResult> sizes =
        getAsIndexOpFoldResult(b.getContext(), type.getShape());
    return std::make_tuple(offsets, sizes, strides);
  };

  Operation *loop;
  SmallVector<Value> results;
  if (parallel) {
    auto forall = scf::ForallOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{batch}, outs, std::nullopt);
    OpBuilder b = OpBuilder::atBlockBegin(forall.getBody());
    Value iv = forall.getInductionVars()[0];
    SmallVector<Value> images = buildBody(b, iv, forall.getRegionIterArgs());
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    for (auto [image, out] : llvm::zip(images, forall.getRegionIterArgs())) {
      auto [offsets, sizes, strides] = placeOf(b, image, iv);
      tensor::ParallelInsertSliceOp::create(b, loc, image, out, offsets,
                                            sizes, strides);
    }
    loop = forall;
    results = forall.getResults();
  } else {
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto forOp = scf::ForOp::create(
        rewriter, loc, zero, batch, one, outs,
        [&](OpBuilder &b, Location, Value iv, ValueRange iterArgs) {
          SmallVector<Value> images = buildBody(b, iv, iterArgs);
          SmallVector<Value> yielded;
          for (auto [image, out] : llvm::zip(images, iterArgs)) {
            auto [offsets, sizes, strides] = placeOf(b, image, iv);
            yielded.push_back(tensor::InsertSliceOp::create(
                b, loc, image, out, offsets, sizes, strides));
          }
          scf::YieldOp::create(b, loc, yielded);
        });
    loop = forOp;
    results = forOp.getResults();
  }
  for (auto [root, result] : llvm::zip(roots, results))
    rewriter.replaceUsesWithIf(root, result, [&](OpOperand &use) {
      Operation *top =
          root.getParentBlock()->findAncestorOpInBlock(*use.getOwner());
      return !top || !sliced.contains(top);
    });
  return loop;
}

/// Level 1: moves the per-image ops of `block` into loops over the images,
/// one image a step, in stages. Where everything that touches the batch
/// runs image by image (inference), that is one loop: the whole network.
/// An op that needs the whole batch (a weight gradient's or a batchnorm's
/// sum over the images, the loss's mean) ends a stage: what reads its
/// result runs in the next loop. Ops with effects stay in order, each
/// right after the last stage it reads; other ops go as late as their
/// readers allow. Returns the loops.
FailureOr<SmallVector<Operation *>>
sliceBatch(RewriterBase &rewriter, Block &block, bool parallel) {
  SmallVector<Operation *> loops;
  DenseSet<Operation *> perImage;
  for (Operation &op : block)
    if (isPerImage(&op))
      perImage.insert(&op);

  // What the loops' batch size is read from: a batched value that a
  // per-image op reads and that is ready before every loop: from outside
  // the block (a loop's carried activation) or made of no per-image value
  // (the network's input, read from the caller's buffer).
  DenseSet<Operation *> readsImages;
  Value batchSource;
  for (Operation &op : block) {
    bool sliced = perImage.contains(&op);
    for (Operation *def : blockDefsOf(&op, block))
      if (perImage.contains(def) || readsImages.contains(def))
        readsImages.insert(&op);
    if (!sliced)
      continue;
    for (Value operand : op.getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (!batchSource && isBatched(operand) &&
          (!def || def->getBlock() != &block ||
           (!perImage.contains(def) && !readsImages.contains(def))))
        batchSource = operand;
    }
  }
  if (!batchSource || !block.mightHaveTerminator())
    return loops;
  // The batch size asked of a per-image value is the batch source's.
  for (Operation &op : block)
    if (auto dim = dyn_cast<tensor::DimOp>(op))
      if (perImage.contains(dim.getSource().getDefiningOp()) &&
          dim.getConstantIndex() == 0)
        rewriter.modifyOpInPlace(
            dim, [&] { dim.getSourceMutable().assign(batchSource); });

  // What is made per reader and read by several ops: one copy each.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block))) {
    if (!perImage.contains(&op) || !isMadePerReader(&op) ||
        op.getResult(0).hasOneUse() || op.use_empty())
      continue;
    SmallVector<OpOperand *> uses = llvm::map_to_vector(
        op.getResult(0).getUses(), [](OpOperand &use) { return &use; });
    for (OpOperand *use : ArrayRef(uses).drop_front()) {
      rewriter.setInsertionPointAfter(&op);
      Operation *copy = rewriter.clone(op);
      perImage.insert(copy);
      rewriter.modifyOpInPlace(use->getOwner(),
                               [&] { use->set(copy->getResult(0)); });
    }
  }

  auto keepsOrder = [](Operation *op) {
    return !isMemoryEffectFree(op) ||
           isa<bufferization::ToTensorOp, bufferization::ToBufferOp>(op);
  };

  // Each per-image op's stage, the first after every whole-batch op it
  // reads; for every other op, the last stage it reads (-1: none). A
  // stage with no linalg op in it (only views) is not worth a loop: its
  // ops are not sliced, and the stages are counted again.
  DenseMap<Operation *, int> level;
  int stages = 0;
  for (bool again = true; again;) {
    again = false;
    level.clear();
    stages = 0;
    int effects = -1;
    for (Operation &op : block) {
      bool sliced = perImage.contains(&op);
      int l = sliced ? 0 : -1;
      for (Operation *def : blockDefsOf(&op, block)) {
        int d = level.lookup(def);
        l = std::max(l, sliced && !perImage.contains(def) ? d + 1 : d);
      }
      // Ops with effects keep their order, each waiting for the one before,
      // and so do the casts between tensors and buffers: the training step
      // reads back the replicas' sums that a call wrote into a buffer, and
      // a buffer taken from a tensor must be read (copied) before anything
      // after it may reuse that tensor's storage.
      if (!sliced && &op != block.getTerminator() && keepsOrder(&op))
        l = effects = std::max(l, effects);
      level[&op] = l;
      if (sliced)
        stages = std::max(stages, l + 1);
    }
    // What is made per reader joins its reader's stage; where its reader
    // does not run image by image, a pad keeps its own stage and the rest
    // are not sliced.
    for (Operation &op : llvm::reverse(block)) {
      if (!perImage.contains(&op) || !isMadePerReader(&op))
        continue;
      if (op.use_empty()) {
        perImage.erase(&op);
        continue;
      }
      Operation *user = block.findAncestorOpInBlock(
          **op.getResult(0).getUsers().begin());
      if (op.getResult(0).hasOneUse() && user && perImage.contains(user))
        level[&op] = level[user];
      else if (!isa<tensor::PadOp>(op) || !op.getResult(0).hasOneUse())
        perImage.erase(&op), again = true;
    }
    SmallVector<bool> hasLinalg(stages, false);
    for (Operation *op : perImage)
      if (isa<linalg::LinalgOp, scf::ForOp>(op))
        hasLinalg[level[op]] = true;
    for (Operation *op : llvm::to_vector(perImage))
      if (!hasLinalg[level[op]])
        perImage.erase(op), again = true;
  }

  // The order: part 0, stage 0's loop, part 1, stage 1's loop, and so on.
  // Ops with effects go in the part after the last stage they read, and
  // keep their order throughout; every other op as late as its readers
  // allow, so that what a stage reads is not overwritten before (a value
  // stored into a stack of saved activations is stored after the stages
  // that read it, and stays in place). In each part the ops keep their
  // order.
  Operation *terminator = block.getTerminator();
  DenseMap<Operation *, int> part;
  for (Operation &op : llvm::reverse(block)) {
    if (perImage.contains(&op) || &op == terminator)
      continue;
    int p = level[&op] + 1;
    if (!keepsOrder(&op)) {
      p = stages;
      for (Operation *user : op.getUsers()) {
        Operation *top = block.findAncestorOpInBlock(*user);
        if (!top || top == terminator)
          continue;
        p = std::min(p, perImage.contains(top) ? level[top] : part[top]);
      }
    }
    part[&op] = p;
  }
  SmallVector<SetVector<Operation *>> stageOps(stages);
  SmallVector<SmallVector<Operation *>> after(stages + 1);
  for (Operation &op : block) {
    if (perImage.contains(&op))
      stageOps[level[&op]].insert(&op);
    else if (&op != terminator)
      after[part[&op]].push_back(&op);
  }
  for (int s = 0; s <= stages; ++s) {
    for (Operation *op : after[s])
      rewriter.moveOpBefore(op, terminator);
    if (s == stages || stageOps[s].empty())
      continue;
    rewriter.setInsertionPoint(terminator);
    loops.push_back(
        buildImageLoop(rewriter, stageOps[s], batchSource, parallel));
  }
  SmallVector<Operation *> erased;
  for (Operation &op : block)
    if (perImage.contains(&op))
      erased.push_back(&op);
  for (Operation *op : llvm::reverse(erased))
    rewriter.eraseOp(op);
  return loops;
}

struct CpuTileAndFusePass
    : cnnc::cpu::impl::CpuTileAndFuseBase<CpuTileAndFusePass> {
  using CpuTileAndFuseBase::CpuTileAndFuseBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal()) // a runtime function's declaration
      return;
    IRRewriter rewriter(&getContext());

    // Level 1: one image per step, in stages; what needs the whole batch
    // or no batch, one step of its outer dimension.
    SmallVector<Operation *> outerLoops;
    if (failed(cleanUp(func)))
      return signalPassFailure();
    // Each repeated block's weight work in a loop of its own, its chains
    // tiled as the function's own batch-free work is.
    SmallVector<scf::ForOp> weightLoops;
    // What a repeated block's loop computes the same in every iteration (a
    // shared weight's flipped filter in the training step's backward loop)
    // runs once, before it.
    for (auto loop : func.getBody().front().getOps<scf::ForOp>())
      moveLoopInvariantCode(loop);
    for (auto loop : llvm::to_vector(func.getBody().front().getOps<scf::ForOp>())) {
      writeResultOverInput(rewriter, loop);
      if (scf::ForOp weights = hoistBatchFreeWork(rewriter, loop))
        weightLoops.push_back(weights);
    }
    if (!weightLoops.empty() && failed(cleanUp(func)))
      return signalPassFailure();
    for (scf::ForOp weights : weightLoops)
      if (failed(tileChains(rewriter, *weights.getBody(), /*level=*/1,
                            outerLoops)))
        return signalPassFailure();
    // The images, in stages; then what needs the whole batch or no batch
    // (weight gradients, batchnorm sums, weight work) spread over the
    // threads by its own outer dimension. A repeated block's loop that
    // does not run image by image (the training step's, whose batchnorms
    // need the whole batch) is sliced inside, as the function is.
    SmallVector<Block *> blocks = {&func.getBody().front()};
    for (auto loop : func.getBody().front().getOps<scf::ForOp>())
      if (!llvm::is_contained(weightLoops, loop) && !isPerImageLoop(loop))
        blocks.push_back(loop.getBody());
    for (Block *block : blocks) {
      FailureOr<SmallVector<Operation *>> imageLoops =
          sliceBatch(rewriter, *block, parallel);
      if (failed(imageLoops))
        return signalPassFailure();
      llvm::append_range(outerLoops, *imageLoops);
    }
    if (failed(cleanUp(func)))
      return signalPassFailure();
    for (Block *block : blocks) {
      cloneSharedCheapProducers(rewriter, *block);
      if (failed(tileChains(rewriter, *block, /*level=*/1, outerLoops)))
        return signalPassFailure();
    }

    // A repeated block's loop inside an image's loop carries its padded
    // image.
    for (Operation *loop : outerLoops)
      loop->walk([&](scf::ForOp inner) { carryPaddedImage(rewriter, inner); });

    // Level 2: channel x row tiles inside each image.
    // A fused pad puts its producers in the else branch of a zero-size
    // guard (scf.if), a repeated block is a loop in the image's body:
    // those blocks are tiled too.
    for (Operation *loop : outerLoops) {
      SmallVector<Block *> blocks = {&loop->getRegion(0).front()};
      for (size_t i = 0; i < blocks.size(); ++i)
        for (Operation &op : *blocks[i]) {
          if (auto ifOp = dyn_cast<scf::IfOp>(op))
            for (Region *region : {&ifOp.getThenRegion(), &ifOp.getElseRegion()})
              if (!region->empty())
                blocks.push_back(&region->front());
          if (auto forOp = dyn_cast<scf::ForOp>(op))
            blocks.push_back(forOp.getBody());
        }
      SmallVector<Operation *> innerLoops;
      for (Block *block : blocks)
        if (failed(tileChains(rewriter, *block, /*level=*/2, innerLoops)))
          return signalPassFailure();
    }

    // Level 3: register-tile steps for convs, pools and matmuls in loops,
    // and for flat ops wherever they are.
    SmallVector<Operation *> toTile;
    func.walk([&](linalg::LinalgOp op) {
      Kind k = classify(op);
      if (k == Kind::Flat ||
          (op->getParentOfType<LoopLikeOpInterface>() &&
           (k == Kind::Conv || k == Kind::Pool || k == Kind::Matmul)))
        toTile.push_back(op);
    });
    for (Operation *op : toTile)
      if (failed(tileForRegisters(rewriter, op)))
        return signalPassFailure();
  }

  /// A level-1 step of `op`'s outer dimension: one, or a batch
  /// contraction's register rows where its register tile spans several
  /// steps of an outer dimension of its own (a column-lane weight
  /// gradient's output channels; a sum over two dimensions has its rows
  /// there, one per step, for the threads), in the contraction and in a
  /// consumer that reads it along the same outer dimension (the lane sum's
  /// sum of columns, into which it is fused).
  static int64_t outerStep(linalg::LinalgOp op) {
    auto registerRows = [](Operation *o) -> int64_t {
      cpu::ConfigAttr config = cpu::getConfig(o);
      if (!config || !isBatchContraction(o) || !config.getRegisters() ||
          cast<linalg::LinalgOp>(o).getNumParallelLoops() < 3)
        return 1;
      return std::max<int64_t>(1, config.getRegisters()[0]);
    };
    if (int64_t rows = registerRows(op); rows > 1)
      return rows;
    AffineExpr d0 = getAffineDimExpr(0, op->getContext());
    for (OpOperand *input : op.getDpsInputOperands()) {
      Operation *def = input->get().getDefiningOp();
      AffineMap map = op.getMatchingIndexingMap(input);
      if (def && map.getNumResults() > 0 && map.getResult(0) == d0)
        if (int64_t rows = registerRows(def); rows > 1)
          return rows;
    }
    return 1;
  }

  /// Tile sizes of `op` at `level` (1: one step of its outer dimension,
  /// the threads' share; 2: the strategy's tiles inside one image).
  SmallVector<int64_t> tileSizesFor(Operation *op, int level) {
    auto linalgOp = cast<linalg::LinalgOp>(op);
    SmallVector<int64_t> sizes(linalgOp.getNumLoops(), 0);
    // A Winograd weight gradient splits the batch among the threads itself
    // (cnn-cpu-winograd-conv).
    if (cpu::isWinogradWeightGrad(op))
      return sizes;
    if (level == 1) {
      sizes[0] = outerStep(linalgOp);
      return sizes;
    }
    if (cpu::ConfigAttr config = cpu::getConfig(op))
      if (DenseI64ArrayAttr tiles = config.getTiles())
        sizes.assign(tiles.asArrayRef().begin(), tiles.asArrayRef().end());
    return sizes;
  }

  LogicalResult tileChains(RewriterBase &rewriter, Block &block, int level,
                           SmallVectorImpl<Operation *> &loops) {
    // Chains are tiled from the last to the first: everything after `done`
    // is tiled or is no chain end, and tiling a chain before it does not
    // change that.
    Operation *done = nullptr;
    while (true) {
      // The last chain end not yet tiled; its producers come before it.
      Operation *end = done ? done->getPrevNode()
                            : (block.empty() ? nullptr : &block.back());
      while (end && !isChainEnd(end))
        end = end->getPrevNode();
      if (!end)
        return success();

      SmallVector<int64_t> sizes = tileSizesFor(end, level);
      if (llvm::all_of(sizes, [](int64_t s) { return s == 0; })) {
        done = end;
        continue;
      }
      scf::SCFTilingOptions tilingOptions;
      tilingOptions.setTileSizes(
          getAsIndexOpFoldResult(&getContext(), sizes));
      tilingOptions.setLoopType(
          level == 1 && parallel ? scf::SCFTilingOptions::LoopType::ForallOp
                                 : scf::SCFTilingOptions::LoopType::ForOp);
      scf::SCFTileAndFuseOptions options;
      options.setTilingOptions(tilingOptions);
      // Decided before tiling: once the loop exists, every producer has one
      // more use (the slice inside the loop). Only the chain's producers
      // (reached through fusable ops) can be asked about.
      DenseSet<Operation *> fusable;
      SmallVector<Operation *> producers{end};
      while (!producers.empty()) {
        Operation *op = producers.pop_back_val();
        for (Value operand : op->getOperands()) {
          Operation *def = operand.getDefiningOp();
          if (def && def->getBlock() == &block && !fusable.contains(def) &&
              isFusableProducer(def, level)) {
            fusable.insert(def);
            producers.push_back(def);
          }
        }
      }
      options.setFusionControlFn(
          [&fusable](tensor::ExtractSliceOp slice, OpResult producer, bool)
              -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
            // Every tile reading the whole of it: fused, it would be
            // computed again per tile (a weight gradient's padded input,
            // where no stage pads it image by image).
            if (!fusable.contains(producer.getOwner()) || isWholeTensor(slice))
              return std::nullopt;
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          });

      // The tiling inserts its ops right before `end`, after `before`.
      Operation *before = end->getPrevNode();
      rewriter.setInsertionPoint(end);
      FailureOr<scf::SCFTileAndFuseResult> result =
          scf::tileConsumerAndFuseProducersUsingSCF(
              rewriter, cast<TilingInterface>(end), options);
      if (failed(result)) {
        end->emitWarning("cnn-cpu-tile-and-fuse: could not tile");
        done = end;
        continue;
      }
      for (OpResult res : end->getResults())
        if (Value repl = result->replacements.lookup(res))
          rewriter.replaceAllUsesWith(res, repl);
      if (!result->loops.empty())
        loops.push_back(result->loops.front());
      done = result->loops.empty() ? result->tiledAndFusedOps.front()
                                   : result->loops.front();
      SmallVector<Operation *> untiled{end};
      llvm::append_range(untiled, result->fusedProducers);
      if (failed(cleanUpTiling(
              rewriter, before ? before->getNextNode() : &block.front(), end,
              untiled)))
        return failure();
    }
  }

  /// One register-tile step of `op`, as the strategy sized it.
  LogicalResult tileForRegisters(RewriterBase &rewriter, Operation *op) {
    auto linalgOp = cast<linalg::LinalgOp>(op);
    SmallVector<int64_t> ranges = linalgOp.getStaticLoopRanges();
    cpu::ConfigAttr config = cpu::getConfig(op);
    // A Winograd op stays whole: cnn-cpu-winograd-conv computes it.
    if (!config || !config.getRegisters() || cpu::isWinograd(op))
      return success();
    SmallVector<int64_t> sizes(config.getRegisters().asArrayRef());
    // Skip dims that are already 1.
    for (auto [size, range] : llvm::zip(sizes, ranges))
      if (range == 1)
        size = 0;
    if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
      return success();
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
    if (DenseI64ArrayAttr order = config.getOrder())
      options.setInterchange(order.asArrayRef());
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> result =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
    if (failed(result))
      return op->emitError("cnn-cpu-tile-and-fuse: could not tile for registers");
    rewriter.replaceOp(op, result->replacements);
    // A step that does not divide its range: the last, partial step
    // peeled off, so that both loops' steps have static shapes. (Nothing
    // to peel where it divides.) Innermost first: an outer loop's partial
    // step then copies inner loops already peeled.
    for (LoopLikeOpInterface loop : llvm::reverse(result->loops))
      if (auto forOp = dyn_cast<scf::ForOp>(loop.getOperation())) {
        scf::ForOp partial;
        (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
      }
    return success();
  }
};

} // namespace
