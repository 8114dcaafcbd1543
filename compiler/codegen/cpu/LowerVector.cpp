//===- LowerVector.cpp - n-D vector ops to 1-D forms ----------------------===//
//
// Runs after bufferization. Contractions become outer products (FMAs),
// multi-reductions become 1-D reductions, n-D transfers are unrolled into
// 1-D ones (which the LLVM conversion turns into plain vector loads and
// stores), transposes and broadcasts become shuffles.
//
// Compile time matters as much as the code: every op left here ends up in
// one LLVM basic block. Static memref.copy (the interior of each padded
// image) therefore becomes a loop nest over the rows with one 1-D row copy
// per step, not one n-D transfer unrolled into a load and a store per row
// (a 32x16x16 copy was 1024 memory ops in one block, over which the X86
// DAG combiner's alias checks are quadratic: minutes for NetResDeep). And a
// transpose of a broadcast (the conv's filter column, splat along the row)
// becomes a broadcast of unit dims, i.e. one splat per row, instead of a
// shuffle of the whole flattened tile (<256 x float>). A row of inputs
// whose values are each splat (a channel-lane conv step) is read value by
// value, so that LLVM broadcasts from memory instead of shuffling lanes.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/NarrowRows.h"
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/Strategy.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace cnnc::cpu {
#define GEN_PASS_DEF_CPULOWERVECTOR
#include "codegen/cpu/Passes.h.inc"
} // namespace cnnc::cpu

using namespace mlir;

namespace {

/// A copy of one whole contiguous buffer outside every loop (the training
/// step's gradients into the replica exchange's buffer and from it into
/// their arena slots) stays a memref.copy, i.e. one llvm.memcpy. As vector
/// row copies LLVM unrolls it, and the copies of all the parameters, one
/// after the other, become one basic block that grows with the network,
/// over which the X86 schedulers are quadratic (minutes for 100 layers).
bool isWholeContiguousCopy(memref::CopyOp copy) {
  auto contiguous = [](Value v) {
    auto type = dyn_cast<MemRefType>(v.getType());
    return type && memref::isStaticShapeAndContiguousRowMajor(type);
  };
  return !copy->getParentOfType<LoopLikeOpInterface>() &&
         contiguous(copy.getSource()) && contiguous(copy.getTarget());
}

/// A memref.copy whose innermost dimension is static and contiguous on
/// both sides as a loop nest over the outer dimensions (and over pieces of
/// a row longer than `maxPiece` elements) around one 1-D copy
/// (transfer_read + transfer_write, plain vector loads and stores after
/// the transfer lowering). An outer dimension may be dynamic (the batch: a
/// repeated block's input read from the stack its loop saves). Fails for
/// other copies.
LogicalResult copyByRows(RewriterBase &rewriter, memref::CopyOp copy,
                         int64_t maxPiece) {
  auto sourceType = dyn_cast<MemRefType>(copy.getSource().getType());
  auto targetType = dyn_cast<MemRefType>(copy.getTarget().getType());
  if (!sourceType || !targetType || sourceType.getRank() < 1 ||
      ShapedType::isDynamic(sourceType.getShape().back()) ||
      !VectorType::isValidElementType(sourceType.getElementType()) ||
      !sourceType.isLastDimUnitStride() || !targetType.isLastDimUnitStride())
    return failure();
  Location loc = copy.getLoc();
  ArrayRef<int64_t> shape = sourceType.getShape();
  // The largest divisor of the row not above maxPiece: static pieces.
  int64_t lanes = std::min(shape.back(), maxPiece);
  while (shape.back() % lanes != 0)
    --lanes;
  auto pieceType = VectorType::get(lanes, sourceType.getElementType());
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  SmallVector<Value> lbs, ubs, steps;
  for (auto [d, size] : llvm::enumerate(shape)) {
    lbs.push_back(zero);
    ubs.push_back(
        ShapedType::isDynamic(size)
            ? memref::DimOp::create(rewriter, loc, copy.getSource(), d)
                  .getResult()
            : arith::ConstantIndexOp::create(rewriter, loc, size).getResult());
    steps.push_back(one);
  }
  steps.back() = arith::ConstantIndexOp::create(rewriter, loc, lanes);
  scf::buildLoopNest(rewriter, loc, lbs, ubs, steps,
                     [&](OpBuilder &b, Location loc, ValueRange ivs) {
                       Value piece = vector::TransferReadOp::create(
                           b, loc, pieceType, copy.getSource(), ivs,
                           /*padding=*/std::nullopt, ArrayRef<bool>{true});
                       vector::TransferWriteOp::create(b, loc, piece,
                                                       copy.getTarget(), ivs,
                                                       ArrayRef<bool>{true});
                     });
  rewriter.eraseOp(copy);
  return success();
}

/// A 1-D vector.load whose every use extracts one static lane (a conv
/// step's input row, each value splat across the output channels) as one
/// scalar load per lane: LLVM then folds each load into its splat (a
/// broadcast from memory, on a load port), where extracting lanes of the
/// loaded vector costs a shuffle per lane on the FMA units' ports.
struct ExtractedLanesToScalarLoads : OpRewritePattern<vector::LoadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::LoadOp load,
                                PatternRewriter &rewriter) const override {
    auto memrefType = dyn_cast<MemRefType>(load.getBase().getType());
    if (load.getVectorType().getRank() != 1 || !memrefType ||
        !memrefType.isLastDimUnitStride() || load->use_empty())
      return failure();
    SmallVector<vector::ExtractOp> extracts;
    for (Operation *user : load->getUsers()) {
      auto extract = dyn_cast<vector::ExtractOp>(user);
      if (!extract || extract.hasDynamicPosition() ||
          extract.getStaticPosition().size() != 1)
        return failure();
      extracts.push_back(extract);
    }
    for (vector::ExtractOp extract : extracts) {
      rewriter.setInsertionPoint(extract);
      SmallVector<Value> indices(load.getIndices());
      int64_t lane = extract.getStaticPosition().front();
      Value offset = arith::ConstantIndexOp::create(rewriter, load.getLoc(), lane);
      indices.back() = arith::AddIOp::create(rewriter, load.getLoc(),
                                             indices.back(), offset);
      rewriter.replaceOpWithNewOp<memref::LoadOp>(extract, load.getBase(),
                                                  indices);
    }
    rewriter.eraseOp(load);
    return success();
  }
};

/// The stack buffer (memref.alloca) `memref` is a view of, or null.
memref::AllocaOp stackBuffer(Value memref) {
  while (Operation *def = memref.getDefiningOp()) {
    if (auto alloca = dyn_cast<memref::AllocaOp>(def))
      return alloca;
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      return nullptr;
    memref = view.getViewSource();
  }
  return nullptr;
}

/// The fewest elements one write into `buffer` (or a view of it) stores.
int64_t narrowestWrite(memref::AllocaOp buffer) {
  int64_t narrowest = std::numeric_limits<int64_t>::max();
  SmallVector<Value> memrefs{buffer.getResult()};
  while (!memrefs.empty()) {
    Value memref = memrefs.pop_back_val();
    for (Operation *user : memref.getUsers()) {
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == memref)
        memrefs.push_back(view->getResult(0));
      else if (auto store = dyn_cast<vector::StoreOp>(user))
        narrowest = std::min(narrowest, store.getVectorType().getNumElements());
      else if (auto write = dyn_cast<vector::TransferWriteOp>(user))
        narrowest = std::min(narrowest, write.getVectorType().getNumElements());
      else if (isa<memref::StoreOp>(user))
        narrowest = 1;
    }
  }
  return narrowest;
}

/// A 1-D load of a stack buffer longer than one vector register, from a
/// buffer written by narrower stores, as register-sized loads. LLVM 22's SROA
/// merges the stores that fill a slice of an alloca, read by one load of
/// exactly that slice, into shuffles placed at the store of the highest offset,
/// which need not be the last: invalid IR ("Instruction does not dominate all
/// uses") when a later store's value is defined after it
/// (llvm/llvm-project#189680, not in 22.1). NetDepth's inference at the
/// Fashion-MNIST shape with AVX-512 met it: its pooled 16x3x3 image, stored in
/// rows of 3, is read by fc1 48 floats at a time. Register-sized loads leave no
/// such slice, and cost nothing more: LLVM splits a wider load into registers.
struct SplitWideStackLoad : OpRewritePattern<vector::LoadOp> {
  SplitWideStackLoad(MLIRContext *ctx, int64_t lanes)
      : OpRewritePattern(ctx), lanes(lanes) {}
  int64_t lanes;

  LogicalResult matchAndRewrite(vector::LoadOp load,
                                PatternRewriter &rewriter) const override {
    VectorType type = load.getVectorType();
    memref::AllocaOp buffer = stackBuffer(load.getBase());
    if (type.getRank() != 1 || type.isScalable() ||
        type.getNumElements() <= lanes || !buffer ||
        narrowestWrite(buffer) >= type.getNumElements())
      return failure();
    Location loc = load.getLoc();
    int64_t length = type.getNumElements();
    Value whole = arith::ConstantOp::create(
        rewriter, loc, type,
        DenseElementsAttr::get(type,
                               rewriter.getZeroAttr(type.getElementType())));
    for (int64_t offset = 0; offset < length; offset += lanes) {
      int64_t size = std::min(lanes, length - offset);
      SmallVector<Value> indices(load.getIndices());
      indices.back() = arith::AddIOp::create(
          rewriter, loc, indices.back(),
          arith::ConstantIndexOp::create(rewriter, loc, offset));
      Value piece = vector::LoadOp::create(
          rewriter, loc, VectorType::get({size}, type.getElementType()),
          load.getBase(), indices);
      whole = vector::InsertStridedSliceOp::create(rewriter, loc, piece, whole,
                                                   ArrayRef<int64_t>{offset},
                                                   ArrayRef<int64_t>{1});
    }
    rewriter.replaceOp(load, whole);
    return success();
  }
};

/// A transpose that swaps two dimensions (unit ones aside) of f32, both at
/// least 4 long (a channels-last conv tile back to NCHW, 14 x 4 -> 4 x 14;
/// a padded NCHW row into NHWC, 8 x 18 -> 18 x 8): 4 x 4 blocks of eight
/// two-source shuffles each (unpack, then move halves: what x86 does in
/// registers), the blocks' rows then joined. The generic lowering shuffles the
/// flattened tile as one vector, which x86 assembles element by element.
struct TransposeBy4x4Blocks : OpRewritePattern<vector::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransposeOp transpose,
                                PatternRewriter &rewriter) const override {
    VectorType sourceType = transpose.getSourceVectorType();
    if (sourceType.isScalable() || !sourceType.getElementType().isF32())
      return failure();
    SmallVector<int64_t> dims;
    for (auto [d, size] : llvm::enumerate(sourceType.getShape()))
      if (size != 1)
        dims.push_back(int64_t(d));
    if (dims.size() != 2)
      return failure();
    SmallVector<int64_t> resultOrder;
    for (int64_t d : transpose.getPermutation())
      if (sourceType.getDimSize(d) != 1)
        resultOrder.push_back(d);
    if (resultOrder[0] != dims[1])
      return failure(); // the two keep their order: a reshape
    int64_t rows = sourceType.getDimSize(dims[0]);
    int64_t columns = sourceType.getDimSize(dims[1]);
    if (rows < 4 || columns < 4)
      return failure();

    Location loc = transpose.getLoc();
    Type f32 = sourceType.getElementType();
    auto quad = VectorType::get({4}, f32);
    Value flat = vector::ShapeCastOp::create(
        rewriter, loc, VectorType::get({rows, columns}, f32),
        transpose.getVector());
    Value zeros = arith::ConstantOp::create(
        rewriter, loc, quad, DenseElementsAttr::get(quad, 0.0f));
    auto shuffle = [&](Value a, Value b, ArrayRef<int64_t> mask) -> Value {
      return vector::ShuffleOp::create(rewriter, loc, a, b, mask);
    };
    // pieces[c]: column c of the source, 4 rows at a time.
    SmallVector<SmallVector<Value>> pieces(columns);
    for (int64_t r0 = 0; r0 < rows; r0 += 4) {
      for (int64_t c0 = 0; c0 < columns; c0 += 4) {
        // The last block of a row whose length is no multiple of 4 takes
        // what is left, then zeros.
        int64_t width = std::min<int64_t>(4, columns - c0);
        Value a[4];
        for (int64_t k = 0; k < 4; ++k) {
          if (r0 + k >= rows) {
            a[k] = zeros;
            continue;
          }
          Value row = vector::ExtractOp::create(rewriter, loc, flat, r0 + k);
          a[k] = vector::ExtractStridedSliceOp::create(
              rewriter, loc, row, ArrayRef<int64_t>{c0},
              ArrayRef<int64_t>{width}, ArrayRef<int64_t>{1});
          if (width < 4) {
            SmallVector<int64_t> mask;
            for (int64_t i = 0; i < 4; ++i)
              mask.push_back(i < width ? i : width);
            a[k] = shuffle(a[k], zeros, mask);
          }
        }
        Value t0 = shuffle(a[0], a[1], {0, 4, 1, 5});
        Value t1 = shuffle(a[0], a[1], {2, 6, 3, 7});
        Value t2 = shuffle(a[2], a[3], {0, 4, 1, 5});
        Value t3 = shuffle(a[2], a[3], {2, 6, 3, 7});
        Value block[4] = {
            shuffle(t0, t2, {0, 1, 4, 5}), shuffle(t0, t2, {2, 3, 6, 7}),
            shuffle(t1, t3, {0, 1, 4, 5}), shuffle(t1, t3, {2, 3, 6, 7})};
        for (int64_t i = 0; i < width; ++i)
          pieces[c0 + i].push_back(block[i]);
      }
    }
    // Each result row: its pieces joined, the last one cut to the rows.
    auto resultFlat = VectorType::get({columns, rows}, f32);
    Value result = arith::ConstantOp::create(
        rewriter, loc, resultFlat, DenseElementsAttr::get(resultFlat, 0.0f));
    for (int64_t c = 0; c < columns; ++c) {
      Value joined = pieces[c].front();
      int64_t length = 4;
      for (Value piece : ArrayRef<Value>(pieces[c]).drop_front()) {
        int64_t take = std::min<int64_t>(4, rows - length);
        SmallVector<int64_t> mask;
        for (int64_t i = 0; i < length + take; ++i)
          mask.push_back(i);
        joined = shuffle(joined, piece, mask);
        length += take;
      }
      if (length > rows) {
        SmallVector<int64_t> mask;
        for (int64_t i = 0; i < rows; ++i)
          mask.push_back(i);
        joined = shuffle(joined, joined, mask);
      }
      result = vector::InsertOp::create(rewriter, loc, joined, result, c);
    }
    rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(
        transpose, transpose.getResultVectorType(), result);
    return success();
  }
};

/// transpose(broadcast(x)) where the transpose keeps the dimensions of x in
/// order and only moves the broadcast ones around it:
///   broadcast(shape_cast(x) with unit dims where the broadcast ones land).
/// E.g. the conv's filter column, vector<8> -> <32x8> -> transpose -> <8x32>,
/// becomes <8> -> <8x1> -> broadcast <8x32>: eight splats, no shuffle.
struct TransposeOfBroadcastToBroadcast : OpRewritePattern<vector::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransposeOp transpose,
                                PatternRewriter &rewriter) const override {
    auto broadcast = transpose.getVector().getDefiningOp<vector::BroadcastOp>();
    if (!broadcast)
      return failure();
    auto sourceType = dyn_cast<VectorType>(broadcast.getSourceType());
    if (!sourceType || sourceType.getRank() == 0 || sourceType.isScalable())
      return failure();
    VectorType resultType = transpose.getResultVectorType();
    ArrayRef<int64_t> broadcastShape =
        broadcast.getResultVectorType().getShape();
    int64_t added = broadcastShape.size() - sourceType.getRank();
    // Only added leading dims: the source's dims are not stretched.
    if (broadcastShape.drop_front(added) != sourceType.getShape())
      return failure();
    SmallVector<int64_t> castShape;
    int64_t lastSourceDim = -1;
    for (int64_t dim : transpose.getPermutation()) {
      if (dim < added) {
        castShape.push_back(1);
        continue;
      }
      if (dim < lastSourceDim)
        return failure(); // the source's own dims are permuted
      lastSourceDim = dim;
      castShape.push_back(broadcastShape[dim]);
    }
    Value cast = vector::ShapeCastOp::create(
        rewriter, transpose.getLoc(),
        VectorType::get(castShape, sourceType.getElementType()),
        broadcast.getSource());
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(transpose, resultType,
                                                     cast);
    return success();
  }
};

/// A multi-reduction over a few trailing elements of each row (a pooling
/// window's columns) -> one deinterleaving shuffle per reduced position and
/// elementwise combines: part_k = [v[k], v[k + K], v[k + 2K], ...]. The
/// generic lowering would reduce each group of K apart: a 2-element
/// vector.reduction per output element, extracts and inserts around it.
struct SmallInnerReductionToShuffles
    : OpRewritePattern<vector::MultiDimReductionOp> {
  using OpRewritePattern::OpRewritePattern;
  static constexpr int64_t kMaxReduced = 8;

  LogicalResult matchAndRewrite(vector::MultiDimReductionOp op,
                                PatternRewriter &rewriter) const override {
    VectorType sourceType = op.getSourceVectorType();
    auto accType = dyn_cast<VectorType>(op.getAcc().getType());
    if (!accType || sourceType.isScalable() || op.isMasked())
      return failure();
    int64_t rank = sourceType.getRank();
    SmallVector<bool> reduced = op.getReductionMask();
    int64_t firstReduced = rank;
    while (firstReduced > 0 && reduced[firstReduced - 1])
      --firstReduced;
    if (firstReduced == rank || firstReduced == 0 ||
        llvm::any_of(ArrayRef(reduced).take_front(firstReduced),
                     [](bool r) { return r; }))
      return failure();
    ArrayRef<int64_t> shape = sourceType.getShape();
    int64_t k = 1, rows = 1;
    for (int64_t d = 0; d < rank; ++d)
      (d < firstReduced ? rows : k) *= shape[d];
    if (k > kMaxReduced || rows < 2)
      return failure();
    Location loc = op.getLoc();
    Type element = sourceType.getElementType();
    Value flat = vector::ShapeCastOp::create(
        rewriter, loc, VectorType::get({rows * k}, element), op.getSource());
    auto rowType = VectorType::get({rows}, element);
    Value result = vector::ShapeCastOp::create(rewriter, loc, rowType,
                                               op.getAcc());
    for (int64_t position = 0; position < k; ++position) {
      SmallVector<int64_t> mask;
      for (int64_t row = 0; row < rows; ++row)
        mask.push_back(row * k + position);
      Value part =
          vector::ShuffleOp::create(rewriter, loc, flat, flat, mask);
      result = vector::makeArithReduction(rewriter, loc, op.getKind(), result,
                                          part);
    }
    rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(op, accType, result);
    return success();
  }
};

struct CpuLowerVectorPass
    : cnnc::cpu::impl::CpuLowerVectorBase<CpuLowerVectorPass> {
  using CpuLowerVectorBase::CpuLowerVectorBase;

  LogicalResult initialize(MLIRContext *ctx) override {
    FailureOr<cnnc::cpu::TargetInfo> info =
        cnnc::cpu::targetInfoForPass(ctx, getArgument(), cpu, features);
    if (failed(info))
      return failure();
    maxPiece = cnnc::cpu::copyPieceElements(*info);
    lanes = info->f32Lanes();
    return success();
  }

  int64_t maxPiece = 0;
  int64_t lanes = 8;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();

    // memref.copy (from bufferized pads and slices) would become a call to
    // the MLIR runner library's memrefCopy for strided views: vectorize the
    // static ones and turn the rest into linalg.copy (loops later) so the
    // object needs no runtime beyond libc and libomp (memcpy is libc's).
    {
      SmallVector<memref::CopyOp> copies;
      func.walk([&](memref::CopyOp op) {
        if (!isWholeContiguousCopy(op))
          copies.push_back(op);
      });
      IRRewriter rewriter(ctx);
      for (memref::CopyOp copy : copies) {
        rewriter.setInsertionPoint(copy);
        if (succeeded(copyByRows(rewriter, copy, maxPiece)) ||
            succeeded(linalg::vectorizeCopy(rewriter, copy)))
          continue;
        linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                               copy.getTarget());
        rewriter.eraseOp(copy);
      }
    }

    // Splats instead of shuffles, before the broadcasts are lowered.
    {
      RewritePatternSet patterns(ctx);
      patterns.add<TransposeOfBroadcastToBroadcast,
                   SmallInnerReductionToShuffles>(ctx);
      patterns.add<TransposeBy4x4Blocks>(ctx, /*benefit=*/0);
      cnnc::cpu::populateNarrowRowsPatterns(patterns);
      // Elementwise ops on vectors with unit dims (a weight gradient's
      // product, vector<1x16x1>): on the vector without them, since the
      // LLVM conversion runs an innermost unit dim lane by lane.
      vector::populateDropUnitDimWithShapeCastPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }

    // High-level vector ops to elementwise ones, transfers to 1-D.
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerReduction);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateVectorBroadcastLoweringPatterns(patterns);
      vector::populateVectorMaskOpLoweringPatterns(patterns);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorTransposeLoweringPatterns(
          patterns, vector::VectorTransposeLowering::Shuffle1D);
      vector::populateVectorTransferLoweringPatterns(patterns,
                                                     /*maxTransferRank=*/1);
      vector::populateVectorToVectorCanonicalizationPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    // Whatever n-D transfers are left (masked, strided): unrolled loops.
    {
      RewritePatternSet patterns(ctx);
      populateVectorToSCFConversionPatterns(
          patterns, VectorTransferToSCFOptions().enableFullUnroll());
      vector::populateVectorTransferLoweringPatterns(patterns,
                                                     /*maxTransferRank=*/1);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet patterns(ctx);
      patterns.add<ExtractedLanesToScalarLoads>(ctx);
      patterns.add<SplitWideStackLoad>(ctx, lanes);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
  }
};

} // namespace
