//===- NarrowRows.cpp - vectors with a short innermost dimension ----------===//
#include "codegen/cpu/NarrowRows.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Utils/VectorUtils.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace {

/// vector<... x N x K>, K in [2, maxNarrow], N >= 2: the shape rewritten.
bool isNarrow(Type type, int64_t maxNarrow) {
  auto vector = dyn_cast<VectorType>(type);
  if (!vector || vector.isScalable() || vector.getRank() < 2)
    return false;
  ArrayRef<int64_t> shape = vector.getShape();
  int64_t k = shape.back(), n = shape[shape.size() - 2];
  return k >= 2 && k <= maxNarrow && n >= 2;
}

/// vector<... x N x K> -> vector<... x N*K>.
VectorType joined(VectorType type) {
  SmallVector<int64_t> shape(type.getShape().drop_back(2));
  shape.push_back(type.getShape().back() * type.getShape()[type.getRank() - 2]);
  return VectorType::get(shape, type.getElementType());
}

Value castTo(PatternRewriter &rewriter, Location loc, Value value,
             VectorType type) {
  if (value.getType() == type)
    return value;
  return vector::ShapeCastOp::create(rewriter, loc, type, value);
}

/// A memref whose last dimension is `k` long and contiguous with the one
/// before (stride k, unit stride): the two collapse into one.
bool lastTwoDimsJoin(Type type, int64_t k) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || memref.getRank() < 2 || memref.getShape().back() != k)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(memref.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1 && strides[strides.size() - 2] == k;
}

/// A transfer of a whole narrow row block: in bounds, unmasked, minor
/// identity, from the start of a last dimension that is exactly K long.
bool isJoinableTransfer(VectorTransferOpInterface transfer, int64_t maxNarrow) {
  VectorType type = transfer.getVectorType();
  if (!isNarrow(type, maxNarrow) || transfer.getMask() ||
      !transfer.getPermutationMap().isMinorIdentity() ||
      transfer.hasOutOfBoundsDim())
    return false;
  if (!lastTwoDimsJoin(transfer.getBase().getType(), type.getShape().back()))
    return false;
  return isZeroInteger(transfer.getIndices().back());
}

bool isElementwiseOnNarrow(Operation *op, int64_t maxNarrow) {
  if (!op->hasTrait<OpTrait::Elementwise>() || op->getNumResults() != 1 ||
      op->getNumRegions() != 0 ||
      !isNarrow(op->getResult(0).getType(), maxNarrow))
    return false;
  auto shape = cast<VectorType>(op->getResult(0).getType()).getShape();
  return llvm::all_of(op->getOperandTypes(), [&](Type t) {
    auto vector = dyn_cast<VectorType>(t);
    return !vector || vector.getShape() == shape;
  });
}

enum class BroadcastForm { Invalid, Splat, Row, Stretch, Leading };

/// How a broadcast to a narrow shape [..., N, K] reads its source: a
/// scalar (Splat), one window row <K> (Row), [..., N, 1] stretched along
/// the last dimension (Stretch), or [..., N, K] under new leading
/// dimensions (Leading).
BroadcastForm broadcastForm(vector::BroadcastOp broadcast, int64_t maxNarrow) {
  VectorType result = broadcast.getResultVectorType();
  if (!isNarrow(result, maxNarrow))
    return BroadcastForm::Invalid;
  auto source = dyn_cast<VectorType>(broadcast.getSourceType());
  if (!source || source.getRank() == 0)
    return BroadcastForm::Splat;
  ArrayRef<int64_t> s = source.getShape(), r = result.getShape();
  int64_t k = r.back(), n = r[r.size() - 2];
  if (source.getRank() == 1)
    return s[0] == k ? BroadcastForm::Row : BroadcastForm::Invalid;
  if (s[s.size() - 2] != n)
    return BroadcastForm::Invalid;
  // The source's other dims are the result's (right-aligned): only the
  // last one, or new leading ones, are stretched.
  if (r.drop_back(2).take_back(s.size() - 2) != s.drop_back(2))
    return BroadcastForm::Invalid;
  if (s.back() == 1)
    return BroadcastForm::Stretch;
  return s.back() == k ? BroadcastForm::Leading : BroadcastForm::Invalid;
}

/// `value` (narrow) comes from an op these patterns rewrite (or have
/// rewritten): reading it as rows costs no shuffle.
bool producedAsRows(Value value, int64_t maxNarrow) {
  if (matchPattern(value, m_Constant()))
    return true;
  Operation *def = value.getDefiningOp();
  if (!def)
    return false;
  if (auto cast = dyn_cast<vector::ShapeCastOp>(def))
    return cast.getSourceVectorType() == joined(cast.getResultVectorType());
  if (auto read = dyn_cast<vector::TransferReadOp>(def))
    return isJoinableTransfer(read, maxNarrow);
  if (auto broadcast = dyn_cast<vector::BroadcastOp>(def))
    return broadcastForm(broadcast, maxNarrow) != BroadcastForm::Invalid;
  return isElementwiseOnNarrow(def, maxNarrow);
}

bool isRowReduction(vector::MultiDimReductionOp op, int64_t maxNarrow) {
  if (!isNarrow(op.getSourceVectorType(), maxNarrow) || op.isMasked())
    return false;
  SmallVector<bool> reduced = op.getReductionMask();
  return reduced.back() &&
         llvm::none_of(ArrayRef(reduced).drop_back(), [](bool r) { return r; });
}

/// Every use of `value` (narrow) is rewritten into rows too.
bool consumedAsRows(Value value, int64_t maxNarrow) {
  auto type = cast<VectorType>(value.getType());
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (auto cast = dyn_cast<vector::ShapeCastOp>(user)) {
      if (cast.getResultVectorType() != joined(type))
        return false;
    } else if (auto write = dyn_cast<vector::TransferWriteOp>(user)) {
      if (use.get() != write.getVector() ||
          !isJoinableTransfer(write, maxNarrow))
        return false;
    } else if (auto reduction = dyn_cast<vector::MultiDimReductionOp>(user)) {
      if (use.get() != reduction.getSource() ||
          !isRowReduction(reduction, maxNarrow))
        return false;
    } else if (!isElementwiseOnNarrow(user, maxNarrow)) {
      return false;
    }
  }
  return true;
}

/// The base collapsed over its last two dims and the indices into it.
std::pair<Value, SmallVector<Value>>
joinedBase(PatternRewriter &rewriter, VectorTransferOpInterface transfer) {
  Location loc = transfer.getLoc();
  Value base = transfer.getBase();
  int64_t rank = cast<MemRefType>(base.getType()).getRank();
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < rank - 2; ++d)
    groups.push_back({d});
  groups.push_back({rank - 2, rank - 1});
  Value collapsed =
      memref::CollapseShapeOp::create(rewriter, loc, base, groups);
  SmallVector<Value> indices(transfer.getIndices().drop_back());
  int64_t k = transfer.getVectorType().getShape().back();
  if (!isZeroInteger(indices.back())) {
    Value width = arith::ConstantIndexOp::create(rewriter, loc, k);
    indices.back() =
        arith::MulIOp::create(rewriter, loc, indices.back(), width);
  }
  return {collapsed, indices};
}

template <typename OpTy> struct NarrowPattern : OpRewritePattern<OpTy> {
  NarrowPattern(MLIRContext *ctx, int64_t maxNarrow, PatternBenefit benefit = 1)
      : OpRewritePattern<OpTy>(ctx, benefit), maxNarrow(maxNarrow) {}
  int64_t maxNarrow;
};

struct JoinTransferRead : NarrowPattern<vector::TransferReadOp> {
  using NarrowPattern::NarrowPattern;

  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    if (!isJoinableTransfer(read, maxNarrow) ||
        !consumedAsRows(read.getResult(), maxNarrow))
      return failure();
    auto [base, indices] = joinedBase(rewriter, read);
    VectorType rows = joined(read.getVectorType());
    Value joinedRead = vector::TransferReadOp::create(
        rewriter, read.getLoc(), rows, base, indices, read.getPadding(),
        SmallVector<bool>(rows.getRank(), true));
    rewriter.replaceOp(read, castTo(rewriter, read.getLoc(), joinedRead,
                                    read.getVectorType()));
    return success();
  }
};

struct JoinTransferWrite : NarrowPattern<vector::TransferWriteOp> {
  using NarrowPattern::NarrowPattern;

  LogicalResult matchAndRewrite(vector::TransferWriteOp write,
                                PatternRewriter &rewriter) const override {
    if (!isa<MemRefType>(write.getBase().getType()) ||
        !isJoinableTransfer(write, maxNarrow) ||
        !producedAsRows(write.getVector(), maxNarrow))
      return failure();
    auto [base, indices] = joinedBase(rewriter, write);
    VectorType rows = joined(write.getVectorType());
    Value value = castTo(rewriter, write.getLoc(), write.getVector(), rows);
    vector::TransferWriteOp::create(rewriter, write.getLoc(), value, base,
                                    indices,
                                    SmallVector<bool>(rows.getRank(), true));
    rewriter.eraseOp(write);
    return success();
  }
};

struct JoinElementwise : RewritePattern {
  JoinElementwise(MLIRContext *ctx, int64_t maxNarrow)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx),
        maxNarrow(maxNarrow) {}
  int64_t maxNarrow;

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isElementwiseOnNarrow(op, maxNarrow) ||
        !consumedAsRows(op->getResult(0), maxNarrow))
      return failure();
    for (Value operand : op->getOperands())
      if (isa<VectorType>(operand.getType()) &&
          !producedAsRows(operand, maxNarrow))
        return failure();
    Location loc = op->getLoc();
    auto resultType = cast<VectorType>(op->getResult(0).getType());
    OperationState state(loc, op->getName());
    for (Value operand : op->getOperands()) {
      auto type = dyn_cast<VectorType>(operand.getType());
      state.addOperands(type ? castTo(rewriter, loc, operand, joined(type))
                             : operand);
    }
    state.addTypes(joined(resultType));
    state.addAttributes(op->getAttrs());
    Operation *rows = rewriter.create(state);
    rewriter.replaceOp(op,
                       castTo(rewriter, loc, rows->getResult(0), resultType));
    return success();
  }
};

/// vector<M x N> -> vector<M x N*K>: row m of the result is shuffle(row m,
/// mask(j)) for j < N*K.
Value shuffleRows(PatternRewriter &rewriter, Location loc, Value rows,
                  int64_t outLength,
                  llvm::function_ref<int64_t(int64_t)> mask) {
  auto type = cast<VectorType>(rows.getType());
  SmallVector<int64_t> lanes;
  for (int64_t j = 0; j < outLength; ++j)
    lanes.push_back(mask(j));
  if (type.getRank() == 1)
    return vector::ShuffleOp::create(rewriter, loc, rows, rows, lanes);
  int64_t m = type.getShape().front();
  auto resultType = VectorType::get({m, outLength}, type.getElementType());
  Value result = arith::ConstantOp::create(
      rewriter, loc, resultType,
      DenseElementsAttr::get(resultType,
                             rewriter.getZeroAttr(type.getElementType())));
  for (int64_t i = 0; i < m; ++i) {
    Value row = vector::ExtractOp::create(rewriter, loc, rows, i);
    Value shuffled = vector::ShuffleOp::create(rewriter, loc, row, row, lanes);
    result = vector::InsertOp::create(rewriter, loc, shuffled, result, i);
  }
  return result;
}

/// `value` as vector<M x L> (or <L> where M is 1), L its last dimension.
Value asMatrix(PatternRewriter &rewriter, Location loc, Value value) {
  auto type = cast<VectorType>(value.getType());
  int64_t l = type.getShape().back();
  int64_t m = type.getNumElements() / l;
  VectorType flat = m == 1 ? VectorType::get({l}, type.getElementType())
                           : VectorType::get({m, l}, type.getElementType());
  return castTo(rewriter, loc, value, flat);
}

struct JoinBroadcast : NarrowPattern<vector::BroadcastOp> {
  using NarrowPattern::NarrowPattern;

  LogicalResult matchAndRewrite(vector::BroadcastOp broadcast,
                                PatternRewriter &rewriter) const override {
    BroadcastForm form = broadcastForm(broadcast, maxNarrow);
    if (form == BroadcastForm::Invalid ||
        !consumedAsRows(broadcast.getResult(), maxNarrow))
      return failure();
    Location loc = broadcast.getLoc();
    VectorType resultType = broadcast.getResultVectorType();
    VectorType rowsType = joined(resultType);
    int64_t k = resultType.getShape().back();
    int64_t length = rowsType.getShape().back();
    Value source = broadcast.getSource();
    Value rows;
    switch (form) {
    case BroadcastForm::Splat:
      rows = source;
      break;
    case BroadcastForm::Row: // [s0 .. sK-1] repeated N times
      rows = shuffleRows(rewriter, loc, source, length,
                         [&](int64_t j) { return j % k; });
      break;
    case BroadcastForm::Stretch: { // each element K times
      auto sourceType = cast<VectorType>(source.getType());
      Value matrix =
          asMatrix(rewriter, loc,
                   castTo(rewriter, loc, source,
                          VectorType::get(sourceType.getShape().drop_back(),
                                          sourceType.getElementType())));
      Value spread = shuffleRows(rewriter, loc, matrix, length,
                                 [&](int64_t j) { return j / k; });
      SmallVector<int64_t> shape(sourceType.getShape().drop_back(2));
      shape.push_back(length);
      rows = castTo(rewriter, loc, spread,
                    VectorType::get(shape, sourceType.getElementType()));
      break;
    }
    case BroadcastForm::Leading:
      rows = castTo(rewriter, loc, source,
                    joined(cast<VectorType>(source.getType())));
      break;
    case BroadcastForm::Invalid:
      return failure();
    }
    if (rows.getType() != rowsType)
      rows = vector::BroadcastOp::create(rewriter, loc, rowsType, rows);
    rewriter.replaceOp(broadcast, castTo(rewriter, loc, rows, resultType));
    return success();
  }
};

/// A reduction over the window columns: per row of N*K, one deinterleaving
/// shuffle per column position and an elementwise combine.
struct JoinRowReduction : NarrowPattern<vector::MultiDimReductionOp> {
  // Before LowerVector's reduction of the whole flattened vector.
  JoinRowReduction(MLIRContext *ctx, int64_t maxNarrow)
      : NarrowPattern(ctx, maxNarrow, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(vector::MultiDimReductionOp op,
                                PatternRewriter &rewriter) const override {
    if (!isRowReduction(op, maxNarrow) ||
        !producedAsRows(op.getSource(), maxNarrow))
      return failure();
    Location loc = op.getLoc();
    VectorType sourceType = op.getSourceVectorType();
    int64_t k = sourceType.getShape().back();
    int64_t n = sourceType.getShape()[sourceType.getRank() - 2];
    Value rows =
        asMatrix(rewriter, loc,
                 castTo(rewriter, loc, op.getSource(), joined(sourceType)));
    Value acc = asMatrix(rewriter, loc, op.getAcc());
    Value result = acc;
    for (int64_t position = 0; position < k; ++position) {
      Value part = shuffleRows(rewriter, loc, rows, n,
                               [&](int64_t j) { return j * k + position; });
      result =
          vector::makeArithReduction(rewriter, loc, op.getKind(), part, result);
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result,
                                  cast<VectorType>(op.getAcc().getType())));
    return success();
  }
};

} // namespace

namespace cnnc::cpu {

void populateNarrowRowsPatterns(RewritePatternSet &patterns,
                                int64_t maxNarrow) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<JoinTransferRead, JoinTransferWrite, JoinElementwise,
               JoinBroadcast, JoinRowReduction>(ctx, maxNarrow);
}

} // namespace cnnc::cpu
