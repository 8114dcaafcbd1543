//===- ChannelsLastActivations.cpp - activations between lane convs -------===//
#include "codegen/cpu/ChannelsLastActivations.h"
#include "codegen/cpu/CpuConfig.h"
#include "codegen/cpu/PoolWindows.h"
#include "conversion/CnnToLinalg/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Iterators.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using cnn::lowering::channelsFirst;
using cnn::lowering::channelsFirstDims;
using cnn::lowering::channelsLast;
using cnn::lowering::channelsLastDims;

namespace cnnc::cpu {

bool isTranspose(linalg::GenericOp op, ArrayRef<unsigned> inputDims) {
  unsigned rank = inputDims.size();
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != rank || op.getNumParallelLoops() != rank ||
      op.getBody()->getOperations().size() != 1)
    return false;
  OpOperand *input = op.getDpsInputOperand(0);
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  return yield.getValues()[0] == op.getMatchingBlockArgument(input) &&
         op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() &&
         op.getMatchingIndexingMap(input) ==
             AffineMap::getPermutationMap(inputDims, op.getContext());
}

namespace {

/// The rank of an activation [N, C, H, W] and of a stack of them [S, N, C,
/// H, W] (a repeated block's saved activations).
constexpr int64_t kImageRank = 4, kStackRank = 5;

int64_t rankOf(Value v) { return cast<ShapedType>(v.getType()).getRank(); }

/// Whether `v` is an activation or a stack of them, by its rank.
bool hasLayoutRank(Value v) {
  int64_t rank = rankOf(v);
  return rank == kImageRank || rank == kStackRank;
}

/// The iter_args a loop carries channels-last since LoopCarriesChannelsLast.
constexpr llvm::StringLiteral kCarriedMark = "cnn_cpu.channels_last_carried";

/// The NCHW tensor that `v` is the channels-last transpose of, or null.
Value channelsFirstSource(Value v) {
  auto op = v.getDefiningOp<linalg::GenericOp>();
  return op && hasLayoutRank(v) && isTranspose(op, channelsFirstDims(rankOf(v)))
             ? op.getDpsInputs()[0]
             : Value();
}

/// The NCHW dims (n, c, h, w) of the channels-last iteration (n, h, w, c).
AffineMap nchwOfChannelsLast(MLIRContext *ctx) {
  AffineExpr n, h, w, c;
  bindDims(ctx, n, h, w, c);
  return AffineMap::get(4, 0, {n, c, h, w}, ctx);
}

/// An NCHW shape or list of sizes (or a stack's), channels-last.
template <typename T> SmallVector<T> toChannelsLast(ArrayRef<T> nchw) {
  return llvm::map_to_vector(channelsLastDims(nchw.size()),
                             [&](unsigned d) { return nchw[d]; });
}

/// An empty channels-last tensor of the NCHW `like`'s sizes.
Value emptyChannelsLast(OpBuilder &b, Location loc, Value like) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, like);
  return tensor::EmptyOp::create(
      b, loc, toChannelsLast<OpFoldResult>(sizes),
      cast<RankedTensorType>(like.getType()).getElementType());
}

void mark(Operation *op) {
  op->setAttr(kChannelsLastMark, UnitAttr::get(op->getContext()));
}

/// A map that reads less than a whole image (a channel's parameter).
bool readsPart(AffineMap map) {
  return map.isProjectedPermutation() && map.getNumResults() < kImageRank;
}

/// Whether the elementwise `op` over an NCHW tensor can run channels-last
/// where `isChannelsLast` says which values are: every full-size operand
/// it reads is (a bias or a scalar is read through the permuted dims), and
/// so at least one input. Then no transpose is added: the ones of its
/// inputs become the one of its result.
bool elementwiseFits(linalg::GenericOp op,
                     function_ref<bool(Value)> isChannelsLast) {
  if (op.getNumLoops() != 4 || op.getNumParallelLoops() != 4 ||
      op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      !op.getBody()->getOps<linalg::IndexOp>().empty())
    return false;
  bool any = false;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.isIdentity()) {
      if (!isChannelsLast(input->get()))
        return false;
      any = true;
    } else if (!readsPart(map)) {
      return false;
    }
  }
  OpOperand *init = op.getDpsInitOperand(0);
  return any &&
         (!op.payloadUsesValueFromOperand(init) || isChannelsLast(init->get()));
}

/// A pad with a constant value from outside.
bool padFits(tensor::PadOp pad) {
  Value value = pad.getConstantPaddingValue();
  return value && pad.getSourceType().getRank() == 4 &&
         value.getParentRegion() != &pad.getRegion();
}

/// A pooling into a filled init.
template <typename Pool> bool poolFits(Pool pool) {
  return pool.getOutputs()[0].template getDefiningOp<linalg::FillOp>() !=
         nullptr;
}

bool takesChannelsLast(OpOperand &use);

/// Whether `expand` views an image [N, C, H, W] as its pooling windows [N,
/// C, OH, KH, OW, KW] for max_pool2d_grad's reductions over them alone
/// (its maxima and first-maximum codes): those read a channels-last image
/// as well (WindowReductionRunsChannelsLast).
bool isWindowsView(tensor::ExpandShapeOp expand) {
  return expand.getReassociationIndices() ==
             SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}} &&
         llvm::all_of(expand->getUses(), [](OpOperand &use) {
           auto reduction = dyn_cast<linalg::GenericOp>(use.getOwner());
           return isa<tensor::DimOp>(use.getOwner()) ||
                  (reduction && isWindowReduction(reduction) &&
                   use.getOperandNumber() == 0);
         });
}

/// max_pool2d_grad's scatter into the windows, as convert-cnn-to-linalg
/// writes it: (n, c, oh, i, ow, j), every loop parallel, from per-window
/// values read at (n, c, oh, ow) into a fresh [N, C, OH, KH, OW, KW] that
/// one collapse views as the image [N, C, H, W]; that collapse, where
/// everything reading it reads channels-last as well.
tensor::CollapseShapeOp windowScatterFits(linalg::GenericOp op) {
  MLIRContext *ctx = op.getContext();
  AffineExpr n, c, oh, ow;
  bindDims(ctx, n, c, oh, ow);
  AffineMap perWindow =
      AffineMap::get(6, 0, {n, c, oh, getAffineDimExpr(4, ctx)}, ctx);
  if (op.getNumLoops() != 6 || op.getNumParallelLoops() != 6 ||
      op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics() ||
      !op.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *input) {
        return op.getMatchingIndexingMap(input) != perWindow;
      }))
    return nullptr;
  auto readers =
      llvm::make_filter_range(op->getResult(0).getUsers(), [](Operation *user) {
        return !isa<tensor::DimOp>(user);
      });
  if (llvm::range_size(readers) != 1)
    return nullptr;
  auto collapse = dyn_cast<tensor::CollapseShapeOp>(*readers.begin());
  if (!collapse ||
      collapse.getReassociationIndices() !=
          SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}} ||
      !llvm::all_of(collapse->getUses(), [](OpOperand &use) {
        return isa<tensor::DimOp>(use.getOwner()) || takesChannelsLast(use);
      }))
    return nullptr;
  return collapse;
}

/// Whether `use` reads a channels-last value as well: a pad, a pooling or
/// a lane conv input, an elementwise op's full-size input, a loop's yield,
/// a transpose to channels-last, an insert into a stack, a window
/// scatter's per-window input (where its image may go channels-last), a
/// weight gradient's dy that the strategy would read channels-last.
bool takesChannelsLast(OpOperand &use) {
  Operation *user = use.getOwner();
  if (isa<tensor::PadOp, scf::YieldOp>(user))
    return true;
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(user))
    return use.get() == insert.getSource() &&
           insert.getDestType().getRank() == kStackRank;
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(user))
    return isWindowsView(expand);
  if (isa<linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp>(user))
    return use.getOperandNumber() == 0;
  auto generic = dyn_cast<linalg::GenericOp>(user);
  if (!generic || !generic.isDpsInput(&use))
    return false;
  if (getKind(generic) == OpKind::LaneConv)
    return use.getOperandNumber() == 0;
  if (generic->hasAttr(kChannelsLastDyMark))
    return use.getOperandNumber() == 1;
  if (windowScatterFits(generic))
    return true;
  return isTranspose(generic, {0, 3, 1, 2}) ||
         (generic.getNumLoops() == 4 &&
          generic.getMatchingIndexingMap(&use).isIdentity());
}

/// Whether the transpose may move below `op`: it then reads `op`'s result,
/// which must have one user (into which it fuses, as it did into `op`) or
/// users that all take channels-last. (The training step's activations
/// are also read by the backward pass, NCHW: there the transpose would be
/// one more copy of the activation.)
bool transposeMayMoveBelow(Operation *op) {
  // (Its size, which a transpose's init reads, is the same either way.)
  auto readers =
      llvm::make_filter_range(op->getResult(0).getUses(), [](OpOperand &use) {
        return !isa<tensor::DimOp>(use.getOwner());
      });
  return llvm::range_size(readers) <= 1 ||
         llvm::all_of(readers, takesChannelsLast);
}

/// f(NCHW transposes) -> NCHW transpose of f over the channels-last sources.
struct ElementwiseRunsChannelsLast : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!elementwiseFits(op,
                         [](Value v) { return bool(channelsLastSource(v)); }) ||
        !transposeMayMoveBelow(op))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap nchw = nchwOfChannelsLast(ctx);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      if (map.isIdentity()) {
        inputs.push_back(channelsLastSource(input->get()));
        maps.push_back(identity);
      } else {
        inputs.push_back(input->get());
        maps.push_back(map.compose(nchw));
      }
    }
    OpOperand *initOperand = op.getDpsInitOperand(0);
    Value init = op.payloadUsesValueFromOperand(initOperand)
                     ? channelsLastSource(initOperand->get())
                     : emptyChannelsLast(rewriter, loc, initOperand->get());
    maps.push_back(identity);
    auto last =
        linalg::GenericOp::create(rewriter, loc, init.getType(), inputs, init,
                                  maps, op.getIteratorTypesArray());
    rewriter.inlineRegionBefore(op.getRegion(), last.getRegion(),
                                last.getRegion().end());
    mark(last);
    rewriter.replaceOp(op, channelsFirst(rewriter, loc, last.getResult(0)));
    return success();
  }
};

/// Whether `op` is a sum per channel over the batch and the image, as
/// convert-cnn-to-linalg writes it: (n, c, h, w) with c alone parallel.
bool isChannelSum(Operation *op) {
  using utils::IteratorType;
  auto generic = dyn_cast<linalg::GenericOp>(op);
  return generic && generic.getNumLoops() == kImageRank &&
         generic.getIteratorTypesArray() ==
             SmallVector<IteratorType>{
                 IteratorType::reduction, IteratorType::parallel,
                 IteratorType::reduction, IteratorType::reduction} &&
         generic.hasPureTensorSemantics() &&
         generic.getBody()->getOps<linalg::IndexOp>().empty() &&
         llvm::all_of(generic.getDpsInitsMutable(), [&](OpOperand &init) {
           return readsPart(generic.getMatchingIndexingMap(&init));
         });
}

/// A sum per channel over the batch and the image (batchnorm's statistics
/// and their gradients, a bias gradient) whose every full-size input is an
/// NCHW transpose that only such sums read reads the channels-last
/// sources instead, iterating (c | n, h, w): the channels are the lanes of
/// a contraction, and the transposes go. (Where something else still
/// reads a transpose, it is made anyway, and the sum reads it as it would
/// the channels-last source.) After the moves above.
struct SumsRunChannelsLast : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!isChannelSum(op))
      return failure();
    // The new loops (c, n, h, w) as the old (n, c, h, w); the channels-last
    // image read at (n, h, w, c).
    MLIRContext *ctx = op.getContext();
    AffineExpr c, n, h, w;
    bindDims(ctx, c, n, h, w);
    AffineMap nchw = AffineMap::get(kImageRank, 0, {n, c, h, w}, ctx);
    AffineMap nhwc = AffineMap::get(kImageRank, 0, {n, h, w, c}, ctx);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      if (map.isIdentity()) {
        inputs.push_back(channelsLastSource(input->get()));
        if (!inputs.back() ||
            !llvm::all_of(input->get().getUsers(), [](Operation *user) {
              return isa<tensor::DimOp>(user) || isChannelSum(user);
            }))
          return failure();
        maps.push_back(nhwc);
      } else if (readsPart(map)) {
        inputs.push_back(input->get());
        maps.push_back(map.compose(nchw));
      } else {
        return failure();
      }
    }
    if (!llvm::is_contained(maps, nhwc))
      return failure();
    for (OpOperand &init : op.getDpsInitsMutable())
      maps.push_back(op.getMatchingIndexingMap(&init).compose(nchw));
    SmallVector<utils::IteratorType> iterators(kImageRank,
                                               utils::IteratorType::reduction);
    iterators[0] = utils::IteratorType::parallel;
    auto last =
        linalg::GenericOp::create(rewriter, op.getLoc(), op.getResultTypes(),
                                  inputs, op.getDpsInits(), maps, iterators);
    rewriter.inlineRegionBefore(op.getRegion(), last.getRegion(),
                                last.getRegion().end());
    rewriter.replaceOp(op, last->getResults());
    return success();
  }
};

/// Whether a slice of `stack` [S, N, C, H, W] that drops `dropped` of its
/// dims to rank `sliceRank` is entries of the stack, or one entry: then
/// it is the same slice of the stack channels-last, its offsets, sizes
/// and strides permuted so.
bool isStackSlice(RankedTensorType stack, const llvm::SmallBitVector &dropped,
                  int64_t sliceRank) {
  if (stack.getRank() != kStackRank)
    return false;
  if (sliceRank == kStackRank)
    return dropped.none();
  return sliceRank == kImageRank && dropped.count() == 1 && dropped.test(0);
}

bool isStackSlice(tensor::ExtractSliceOp slice) {
  return isStackSlice(slice.getSourceType(), slice.getDroppedDims(),
                      slice.getResultType().getRank());
}

bool isStackSlice(tensor::InsertSliceOp insert) {
  return isStackSlice(insert.getDestType(), insert.getDroppedDims(),
                      insert.getSourceType().getRank());
}

/// An empty stack, for saved activations.
bool isEmptyStack(Value v) {
  return v.getDefiningOp<tensor::EmptyOp>() && rankOf(v) == kStackRank;
}

/// A stack slice's offsets, sizes and strides, channels-last.
struct ChannelsLastSlice {
  SmallVector<OpFoldResult> offsets, sizes, strides;
  explicit ChannelsLastSlice(OffsetSizeAndStrideOpInterface slice)
      : offsets(toChannelsLast<OpFoldResult>(slice.getMixedOffsets())),
        sizes(toChannelsLast<OpFoldResult>(slice.getMixedSizes())),
        strides(toChannelsLast<OpFoldResult>(slice.getMixedStrides())) {}
};

/// extract_slice(NCHW transpose of a stack) -> NCHW transpose of the
/// channels-last stack's slice: a repeated block's saved activation, read
/// by its backward pass.
struct ExtractRunsChannelsLast : OpRewritePattern<tensor::ExtractSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::ExtractSliceOp slice,
                                PatternRewriter &rewriter) const override {
    Value source = channelsLastSource(slice.getSource());
    if (!source || !isStackSlice(slice))
      return failure();
    RankedTensorType type = slice.getResultType();
    auto lastType = type.clone(toChannelsLast<int64_t>(type.getShape()));
    ChannelsLastSlice at(slice);
    Value last = tensor::ExtractSliceOp::create(rewriter, slice.getLoc(),
                                                lastType, source, at.offsets,
                                                at.sizes, at.strides);
    rewriter.replaceOp(slice, channelsFirst(rewriter, slice.getLoc(), last));
    return success();
  }
};

/// insert_slice(NCHW transpose into the NCHW transpose of a stack, or into
/// an empty stack) -> NCHW transpose of the channels-last insert: a repeated
/// block saving its activations for its backward pass.
struct InsertRunsChannelsLast : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::InsertSliceOp insert,
                                PatternRewriter &rewriter) const override {
    Value source = channelsLastSource(insert.getSource());
    Value dest = insert.getDest();
    if (!source || !isStackSlice(insert) ||
        !(channelsLastSource(dest) || isEmptyStack(dest)))
      return failure();
    Location loc = insert.getLoc();
    Value lastDest = channelsLastSource(dest);
    if (!lastDest)
      lastDest = emptyChannelsLast(rewriter, loc, dest);
    ChannelsLastSlice at(insert);
    Value last = tensor::InsertSliceOp::create(
        rewriter, loc, source, lastDest, at.offsets, at.sizes, at.strides);
    rewriter.replaceOp(insert, channelsFirst(rewriter, loc, last));
    return success();
  }
};

/// pad(NCHW transpose) -> NCHW transpose of the channels-last pad.
struct PadRunsChannelsLast : OpRewritePattern<tensor::PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::PadOp pad,
                                PatternRewriter &rewriter) const override {
    Value source = channelsLastSource(pad.getSource());
    if (!source || !padFits(pad) || !transposeMayMoveBelow(pad))
      return failure();
    SmallVector<OpFoldResult> low = pad.getMixedLowPad();
    SmallVector<OpFoldResult> high = pad.getMixedHighPad();
    auto type = pad.getResultType();
    auto lastType = type.clone(toChannelsLast<int64_t>(type.getShape()));
    Value last = tensor::PadOp::create(
        rewriter, pad.getLoc(), lastType, source,
        toChannelsLast<OpFoldResult>(low), toChannelsLast<OpFoldResult>(high),
        pad.getConstantPaddingValue(), pad.getNofold());
    rewriter.replaceOp(pad, channelsFirst(rewriter, pad.getLoc(), last));
    return success();
  }
};

/// pooling_nchw(NCHW transpose) -> NCHW transpose of pooling_nhwc.
template <typename Nchw, typename Nhwc>
struct PoolRunsChannelsLast : OpRewritePattern<Nchw> {
  using OpRewritePattern<Nchw>::OpRewritePattern;
  LogicalResult matchAndRewrite(Nchw pool,
                                PatternRewriter &rewriter) const override {
    Value source = channelsLastSource(pool.getInputs()[0]);
    if (!source || !pool.hasPureTensorSemantics() || !poolFits(pool) ||
        !transposeMayMoveBelow(pool))
      return failure();
    Location loc = pool.getLoc();
    Value init = pool.getOutputs()[0];
    auto fill = init.getDefiningOp<linalg::FillOp>();
    Value lastInit =
        linalg::FillOp::create(rewriter, loc, fill.getInputs()[0],
                               emptyChannelsLast(rewriter, loc, init))
            .getResult(0);
    auto last = Nhwc::create(rewriter, loc, lastInit.getType(),
                             ValueRange{source, pool.getInputs()[1]}, lastInit,
                             pool.getStridesAttr(), pool.getDilationsAttr());
    mark(last);
    rewriter.replaceOp(pool, channelsFirst(rewriter, loc, last.getResult(0)));
    return success();
  }
};

/// The channels-last image whose NCHW transpose `windows` views as [N, C,
/// OH, KH, OW, KW] (poolWindows': an expand, after a slice where the
/// pooling's floor cuts rows or columns off), and that slice; null where
/// `windows` is not such a view.
struct WindowsView {
  Value image;                  ///< channels-last, [N, H, W, C]
  tensor::ExtractSliceOp slice; ///< of the NCHW transpose, or null
  tensor::ExpandShapeOp expand;
};
std::optional<WindowsView> windowsOfChannelsLast(Value windows) {
  auto expand = windows.getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand ||
      expand.getReassociationIndices() !=
          SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}})
    return std::nullopt;
  Value covered = expand.getSrc();
  auto slice = covered.getDefiningOp<tensor::ExtractSliceOp>();
  if (slice && (!slice.hasZeroOffset() || !slice.hasUnitStride() ||
                slice.getSourceType().getRank() != 4 ||
                slice.getResultType().getRank() != 4))
    return std::nullopt;
  Value image = channelsLastSource(slice ? slice.getSource() : covered);
  if (!image)
    return std::nullopt;
  return WindowsView{image, slice, expand};
}

/// The windows of view.image, channels-last: [N, OH, KH, OW, KW, C].
Value channelsLastWindows(OpBuilder &b, Location loc, WindowsView view) {
  Value covered = view.image;
  if (view.slice) {
    SmallVector<OpFoldResult> sizes = view.slice.getMixedSizes();
    auto type = view.slice.getResultType();
    OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
    covered = tensor::ExtractSliceOp::create(
        b, loc, type.clone(toChannelsLast<int64_t>(type.getShape())), covered,
        SmallVector<OpFoldResult>(4, zero), toChannelsLast<OpFoldResult>(sizes),
        SmallVector<OpFoldResult>(4, one));
  }
  auto type = view.expand.getResultType();
  ArrayRef<int64_t> s = type.getShape();
  SmallVector<OpFoldResult> sizes = view.expand.getMixedOutputShape();
  return tensor::ExpandShapeOp::create(
      b, loc, type.clone({s[0], s[2], s[3], s[4], s[5], s[1]}), covered,
      SmallVector<ReassociationIndices>{{0}, {1, 2}, {3, 4}, {5}},
      SmallVector<OpFoldResult>{sizes[0], sizes[2], sizes[3], sizes[4],
                                sizes[5], sizes[1]});
}

/// Whether `op`'s body is `maximumf(window element, accumulator)`.
bool isMaximum(linalg::GenericOp op) {
  Block *body = op.getBody();
  if (op.getNumDpsInputs() != 1 || body->getOperations().size() != 2)
    return false;
  auto max = dyn_cast<arith::MaximumFOp>(body->front());
  return max && llvm::is_contained(max->getOperands(), body->getArgument(0)) &&
         llvm::is_contained(max->getOperands(), body->getArgument(1));
}

/// A generic over `inputs` into `init` with `op`'s iterators and body (moved
/// out of `op`), its loops renumbered: old loop d is new loop newDim[d].
linalg::GenericOp genericWithBodyOf(PatternRewriter &rewriter,
                                    linalg::GenericOp op, ValueRange inputs,
                                    Value init, ArrayRef<AffineMap> maps,
                                    ArrayRef<unsigned> newDim) {
  auto generic =
      linalg::GenericOp::create(rewriter, op.getLoc(), init.getType(), inputs,
                                init, maps, op.getIteratorTypesArray());
  rewriter.inlineRegionBefore(op.getRegion(), generic.getRegion(),
                              generic.getRegion().end());
  generic.getBody()->walk([&](linalg::IndexOp index) {
    rewriter.modifyOpInPlace(index,
                             [&] { index.setDim(newDim[index.getDim()]); });
  });
  return generic;
}

/// A reduction over the windows of an NCHW transpose (max_pool2d_grad's
/// maxima and first-maximum codes) -> the NCHW transpose of the reduction
/// over the channels-last image: the channels are the lane, where NCHW
/// has a window's columns there and deinterleaves them, and the image's
/// NCHW copy goes. The maxima become the channels-last pooling, which CSE
/// merges with the forward pass's.
struct WindowReductionRunsChannelsLast : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!isWindowReduction(op) || !op.hasPureTensorSemantics())
      return failure();
    std::optional<WindowsView> view =
        windowsOfChannelsLast(op.getDpsInputs()[0]);
    auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
    if (!view || !fill || !transposeMayMoveBelow(op))
      return failure();
    AffineMap perWindow = op.getIndexingMapsArray().back();
    SmallVector<OpOperand *> inputs = op.getDpsInputOperands();
    for (OpOperand *input : ArrayRef(inputs).drop_front())
      if (op.getMatchingIndexingMap(input) != perWindow ||
          !channelsLastSource(input->get()))
        return failure();

    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value init = linalg::FillOp::create(
                     rewriter, loc, fill.getInputs()[0],
                     emptyChannelsLast(rewriter, loc, fill.getOutputs()[0]))
                     .getResult(0);
    Operation *last;
    if (isMaximum(op)) {
      auto windowsType = view->expand.getResultType();
      int64_t kernel[2] = {windowsType.getDimSize(3),
                           windowsType.getDimSize(5)};
      Value window =
          tensor::EmptyOp::create(rewriter, loc, kernel, rewriter.getF32Type());
      auto attrType = RankedTensorType::get({2}, rewriter.getI64Type());
      last = linalg::PoolingNhwcMaxOp::create(
          rewriter, loc, init.getType(), ValueRange{view->image, window}, init,
          DenseIntElementsAttr::get(attrType, ArrayRef<int64_t>(kernel)),
          DenseIntElementsAttr::get(attrType, ArrayRef<int64_t>{1, 1}));
    } else {
      // (n, oh, ow, c | i, j): the NCHW loops 1, 2, 3 are now 3, 1, 2.
      AffineExpr n, oh, ow, c, i, j;
      bindDims(ctx, n, oh, ow, c, i, j);
      AffineMap windows = AffineMap::get(6, 0, {n, oh, i, ow, j, c}, ctx);
      AffineMap pixel = AffineMap::get(6, 0, {n, oh, ow, c}, ctx);
      SmallVector<Value> inputs{channelsLastWindows(rewriter, loc, *view)};
      for (Value input : ValueRange(op.getDpsInputs()).drop_front())
        inputs.push_back(channelsLastSource(input));
      SmallVector<AffineMap> maps(inputs.size() + 1, pixel);
      maps.front() = windows;
      last = genericWithBodyOf(rewriter, op, inputs, init, maps,
                               {0, 3, 1, 2, 4, 5});
    }
    mark(last);
    rewriter.replaceOp(op, channelsFirst(rewriter, loc, last->getResult(0)));
    return success();
  }
};

/// max_pool2d_grad's scatter into the windows of NCHW transposes -> the NCHW
/// transpose of the scatter over (n, oh, i, ow, j, c): it writes the
/// channels-last image, its windows' channels in the lanes.
struct WindowScatterRunsChannelsLast : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    tensor::CollapseShapeOp collapse = windowScatterFits(op);
    if (!collapse)
      return failure();
    SmallVector<Value> inputs;
    for (Value input : op.getDpsInputs()) {
      inputs.push_back(channelsLastSource(input));
      if (!inputs.back())
        return failure();
    }
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    rewriter.setInsertionPoint(op);
    // [N, C, OH, KH, OW, KW] -> [N, OH, KH, OW, KW, C].
    const int64_t toLast[6] = {0, 2, 3, 4, 5, 1};
    SmallVector<OpFoldResult> nchwSizes =
        tensor::getMixedSizes(rewriter, loc, op.getDpsInits()[0]);
    SmallVector<OpFoldResult> sizes;
    for (int64_t d : toLast)
      sizes.push_back(nchwSizes[d]);
    Value init =
        tensor::EmptyOp::create(rewriter, loc, sizes, rewriter.getF32Type());
    AffineExpr n, oh, ow, c;
    n = getAffineDimExpr(0, ctx), oh = getAffineDimExpr(1, ctx);
    ow = getAffineDimExpr(3, ctx), c = getAffineDimExpr(5, ctx);
    SmallVector<AffineMap> maps(inputs.size(),
                                AffineMap::get(6, 0, {n, oh, ow, c}, ctx));
    maps.push_back(AffineMap::getMultiDimIdentityMap(6, ctx));
    // The old loops (n, c, oh, i, ow, j) in the new order.
    linalg::GenericOp last =
        genericWithBodyOf(rewriter, op, inputs, init, maps, {0, 5, 1, 2, 3, 4});
    mark(last);
    RankedTensorType image = collapse.getResultType();
    auto lastImage = image.clone(toChannelsLast<int64_t>(image.getShape()));
    rewriter.setInsertionPoint(collapse);
    Value collapsed = tensor::CollapseShapeOp::create(
        rewriter, loc, lastImage, last.getResult(0),
        SmallVector<ReassociationIndices>{{0}, {1, 2}, {3, 4}, {5}});
    rewriter.replaceOp(collapse, channelsFirst(rewriter, loc, collapsed));
    if (op->use_empty())
      rewriter.eraseOp(op);
    return success();
  }
};

/// A linear layer's input gradient into the image that the flatten before
/// it flattened (linear_input_grad then unflatten): (n, c, h, w | o) over
/// dy [N, O] at (n, o) and the weight [O, C, H, W] at (o, c, h, w) -> the
/// NCHW transpose of the same over (n, h, w, c | o), the weight copied
/// [O, H, W, C] (once a step, channels-last like an image), where
/// everything reading the image reads it channels-last as well (the
/// pooling's gradient before the flatten).
struct ImageContractionRunsChannelsLast : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = op.getContext();
    AffineExpr n, c, h, w, o;
    bindDims(ctx, n, c, h, w, o);
    SmallVector<AffineMap> maps{AffineMap::get(5, 0, {n, o}, ctx),
                                AffineMap::get(5, 0, {o, c, h, w}, ctx),
                                AffineMap::get(5, 0, {n, c, h, w}, ctx)};
    if (op.getNumLoops() != 5 || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics() ||
        op.getIndexingMapsArray() != maps ||
        !op.getBody()->getOps<linalg::IndexOp>().empty() ||
        !cast<ShapedType>(op.getDpsInputs()[1].getType()).hasStaticShape())
      return failure();
    auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
    auto readers =
        llvm::make_filter_range(op->getResult(0).getUses(), [](OpOperand &use) {
          return !isa<tensor::DimOp>(use.getOwner());
        });
    if (!fill || readers.empty() || !llvm::all_of(readers, takesChannelsLast))
      return failure();
    Location loc = op.getLoc();
    Value init = linalg::FillOp::create(
                     rewriter, loc, fill.getInputs()[0],
                     emptyChannelsLast(rewriter, loc, fill.getOutputs()[0]))
                     .getResult(0);
    Value weight = channelsLast(rewriter, loc, op.getDpsInputs()[1]);
    // The new loops (n, h, w, c | o) read the copied weight as the old read
    // the weight: the same maps.
    linalg::GenericOp last =
        genericWithBodyOf(rewriter, op, {op.getDpsInputs()[0], weight}, init,
                          maps, {0, 3, 1, 2, 4});
    rewriter.replaceOp(op, channelsFirst(rewriter, loc, last.getResult(0)));
    return success();
  }
};

/// A channel-lane conv reads its input value by value: from a transpose's
/// channels-last source as well as from NCHW, (n, c, y, x) -> (n, y, x, c).
struct LaneConvReadsChannelsLast : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (getKind(op) != OpKind::LaneConv)
      return failure();
    Value source = channelsLastSource(op.getDpsInputs()[0]);
    if (!source)
      return failure();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    ArrayRef<AffineExpr> r = maps[0].getResults();
    maps[0] = AffineMap::get(maps[0].getNumDims(), 0, {r[0], r[2], r[3], r[1]},
                             op.getContext());
    rewriter.modifyOpInPlace(op, [&] {
      op->setOperand(0, source);
      op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
    return success();
  }
};

/// A transpose of a transpose back: the original.
struct TransposeBackFolds : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumDpsInputs() != 1)
      return failure();
    Value input = op.getDpsInputs()[0];
    Value original;
    if (!hasLayoutRank(input))
      return failure();
    int64_t rank = rankOf(input);
    if (isTranspose(op, channelsFirstDims(rank)))
      original = channelsLastSource(input);
    else if (isTranspose(op, channelsLastDims(rank)))
      original = channelsFirstSource(input);
    if (!original || original.getType() != op.getResultTypes()[0])
      return failure();
    rewriter.replaceOp(op, original);
    return success();
  }
};

/// Whether `v` is or will be the NCHW transpose of a channels-last value,
/// given that `arg` is: what the patterns above make of it. Sets
/// `throughTranspose` where that is so by a transpose, not by `arg` alone.
bool reachesChannelsLast(Value v, Value arg, DenseMap<Value, bool> &known,
                         bool &throughTranspose) {
  if (v == arg)
    return true;
  if (channelsLastSource(v))
    return throughTranspose = true;
  if (auto it = known.find(v); it != known.end())
    return it->second;
  known[v] = false; // cycles (none in SSA outside loops) end here
  auto reaches = [&](Value u) {
    return reachesChannelsLast(u, arg, known, throughTranspose);
  };
  Operation *def = v.getDefiningOp();
  // Slices of stacks: views and writes, no copies.
  if (auto slice = dyn_cast_or_null<tensor::ExtractSliceOp>(def))
    return known[v] = isStackSlice(slice) && reaches(slice.getSource());
  if (auto insert = dyn_cast_or_null<tensor::InsertSliceOp>(def))
    return known[v] =
               isStackSlice(insert) && reaches(insert.getSource()) &&
               (isEmptyStack(insert.getDest()) || reaches(insert.getDest()));
  if (!def || def->getNumResults() != 1 || !transposeMayMoveBelow(def))
    return false;
  auto poolReaches = [&](auto pool) {
    return poolFits(pool) && reaches(pool.getInputs()[0]);
  };
  bool result = false;
  if (auto pad = dyn_cast<tensor::PadOp>(def))
    result = padFits(pad) && reaches(pad.getSource());
  else if (auto pool = dyn_cast<linalg::PoolingNchwMaxOp>(def))
    result = poolReaches(pool);
  else if (auto pool = dyn_cast<linalg::PoolingNchwSumOp>(def))
    result = poolReaches(pool);
  else if (auto generic = dyn_cast<linalg::GenericOp>(def))
    result = elementwiseFits(generic, reaches);
  return known[v] = result;
}

/// A loop that yields what becomes an NCHW transpose (a repeated residual
/// block: its activation, the stacks of what it saves for the backward
/// pass, the backward pass's gradient) carries the channels-last tensor
/// instead: the body's transpose of it and the yield's transpose back fold
/// away. What it starts from is a transpose too, an empty stack, or an
/// activation copied channels-last once before the loop. (The loop notes
/// what it carries so: such a tensor is not told from an NCHW one by its
/// type.)
struct LoopCarriesChannelsLast : OpRewritePattern<scf::ForOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(scf::ForOp loop,
                                PatternRewriter &rewriter) const override {
    SmallVector<int64_t> carried;
    if (auto attr = loop->getAttrOfType<DenseI64ArrayAttr>(kCarriedMark))
      carried.assign(attr.asArrayRef().begin(), attr.asArrayRef().end());
    for (auto [k, init] : llvm::enumerate(loop.getInitArgsMutable())) {
      if (!hasLayoutRank(init.get()) || llvm::is_contained(carried, int64_t(k)))
        continue;
      int64_t rank = rankOf(init.get());
      Value source = channelsLastSource(init.get());
      BlockArgument arg = loop.getRegionIterArgs()[k];
      DenseMap<Value, bool> known;
      bool throughTranspose = false;
      if (!reachesChannelsLast(loop.getYieldedValues()[k], arg, known,
                               throughTranspose) ||
          !(source || (throughTranspose &&
                       (rank == kImageRank || isEmptyStack(init.get())))))
        continue;
      Location loc = loop.getLoc();
      if (!source) {
        rewriter.setInsertionPoint(loop);
        source = isEmptyStack(init.get())
                     ? emptyChannelsLast(rewriter, loc, init.get())
                     : channelsLast(rewriter, loc, init.get());
      }
      OpResult result = loop->getResult(k);
      SmallVector<OpOperand *> argUses = llvm::map_to_vector(
          arg.getUses(), [](OpOperand &use) { return &use; });
      SmallVector<OpOperand *> resultUses = llvm::map_to_vector(
          result.getUses(), [](OpOperand &use) { return &use; });
      carried.push_back(k);
      rewriter.modifyOpInPlace(loop, [&] {
        loop->setAttr(kCarriedMark, rewriter.getDenseI64ArrayAttr(carried));
        init.set(source);
        arg.setType(source.getType());
        result.setType(source.getType());
      });
      rewriter.setInsertionPointToStart(loop.getBody());
      Value argNchw = channelsFirst(rewriter, loc, arg);
      for (OpOperand *use : argUses)
        rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(argNchw); });
      Operation *yield = loop.getBody()->getTerminator();
      rewriter.setInsertionPoint(yield);
      Value yielded = channelsLast(rewriter, loc, yield->getOperand(k));
      rewriter.modifyOpInPlace(yield, [&] { yield->setOperand(k, yielded); });
      rewriter.setInsertionPointAfter(loop);
      Value resultNchw = channelsFirst(rewriter, loc, result);
      for (OpOperand *use : resultUses)
        rewriter.modifyOpInPlace(use->getOwner(),
                                 [&] { use->set(resultNchw); });
      return success();
    }
    return failure();
  }
};

} // namespace

Value channelsLastSource(Value v) {
  auto op = v.getDefiningOp<linalg::GenericOp>();
  return op && hasLayoutRank(v) && isTranspose(op, channelsLastDims(rankOf(v)))
             ? op.getDpsInputs()[0]
             : Value();
}

LogicalResult propagateChannelsLast(func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  RewritePatternSet patterns(ctx);
  patterns.add<
      ElementwiseRunsChannelsLast, PadRunsChannelsLast,
      PoolRunsChannelsLast<linalg::PoolingNchwMaxOp, linalg::PoolingNhwcMaxOp>,
      PoolRunsChannelsLast<linalg::PoolingNchwSumOp, linalg::PoolingNhwcSumOp>,
      WindowReductionRunsChannelsLast, WindowScatterRunsChannelsLast,
      ImageContractionRunsChannelsLast, LaneConvReadsChannelsLast,
      ExtractRunsChannelsLast, InsertRunsChannelsLast, TransposeBackFolds,
      LoopCarriesChannelsLast>(ctx);
  GreedyRewriteConfig config;
  config.enableFolding(false);
  config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
  if (failed(applyPatternsGreedily(func, std::move(patterns), config)))
    return failure();
  RewritePatternSet sums(ctx);
  sums.add<SumsRunChannelsLast>(ctx);
  if (failed(applyPatternsGreedily(func, std::move(sums), config)))
    return failure();
  // The transposes the moves left unread; users go before their producers.
  func.walk<WalkOrder::PostOrder, ReverseIterator>([](Operation *op) {
    if (isOpTriviallyDead(op))
      op->erase();
    else
      op->removeAttr(kCarriedMark);
  });
  return success();
}

} // namespace cnnc::cpu
