//===- Replica.cpp - sums over the replicas of a data-parallel run --------===//
//
// cnn.replica_sum, and the same exchange for the other lowerings that sum
// over the global batch (batch statistics, the cross-entropy's sample
// count): the tensors are copied, in order, into one contiguous buffer, the
// runtime sums the buffer over the replicas in place (model_abi.h's
// cnnrt_replica_sum_f32/_f64: nothing to do in one process), and the
// results are read back from it. One runtime call per op, whatever the
// number of tensors: the training step's gradients go in one exchange.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

#include "cnn/CnnOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace cnn;

namespace {

/// The runtime's declaration, `func.func private @cnnrt_replica_sum_f32(
/// memref<?xf32>)` (or f64), made once per module: by MLIR's default memref
/// calling convention the C function takes (allocated, aligned, offset,
/// size, stride).
func::FuncOp runtimeSum(OpBuilder &b, Location loc, Operation *at,
                        FloatType element) {
  auto module = at->getParentOfType<ModuleOp>();
  std::string name =
      element.isF32() ? "cnnrt_replica_sum_f32" : "cnnrt_replica_sum_f64";
  if (auto fn = module.lookupSymbol<func::FuncOp>(name))
    return fn;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto fn = func::FuncOp::create(
      b, loc, name,
      b.getFunctionType(MemRefType::get({ShapedType::kDynamic}, element), {}));
  fn.setPrivate();
  return fn;
}

struct ReplicaSumLowering : OpConversionPattern<ReplicaSumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReplicaSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, lowering::replicaSums(rewriter, op.getLoc(),
                                                 adaptor.getInputs()));
    return success();
  }
};

} // namespace

SmallVector<Value> cnn::lowering::replicaSums(OpBuilder &b, Location loc,
                                              ValueRange tensors) {
  MLIRContext *ctx = b.getContext();
  auto element = cast<FloatType>(getElementTypeOrSelf(tensors.front()));
  int64_t total = 0;
  for (Value t : tensors)
    total += cast<RankedTensorType>(t.getType()).getNumElements();
  Value buffer = memref::AllocOp::create(
      b, loc, MemRefType::get({total}, element), b.getI64IntegerAttr(64));

  // Each tensor into its place, row-major, one after the other.
  SmallVector<Value> views;
  int64_t offset = 0;
  for (Value t : tensors) {
    auto type = cast<RankedTensorType>(t.getType());
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (int64_t d = type.getRank() - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * type.getDimSize(d + 1);
    auto viewType = MemRefType::get(
        type.getShape(), element,
        StridedLayoutAttr::get(ctx, offset, strides));
    Value view = memref::ReinterpretCastOp::create(
        b, loc, viewType, buffer, offset, type.getShape(), strides);
    // Copied, never computed in place: the runtime overwrites the buffer,
    // and a tensor the step still reads after the sum (a batchnorm's own
    // statistics, for its parameters' gradients) must keep its values.
    Value source = bufferization::ToBufferOp::create(
        b, loc, bufferization::getMemRefTypeWithFullyDynamicLayout(type), t,
        b.getUnitAttr());
    memref::CopyOp::create(b, loc, source, view);
    views.push_back(view);
    offset += type.getNumElements();
  }

  Value whole = memref::CastOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, element), buffer);
  func::FuncOp fn = runtimeSum(b, loc, buffer.getDefiningOp(), element);
  func::CallOp::create(b, loc, fn, ValueRange{whole});

  SmallVector<Value> sums;
  for (auto [t, view] : llvm::zip_equal(tensors, views))
    sums.push_back(bufferization::ToTensorOp::create(b, loc, t.getType(), view,
                                                     /*restrict=*/true));
  return sums;
}

SmallVector<Value> cnn::lowering::replicaSumsAndCount(OpBuilder &b,
                                                      Location loc,
                                                      ValueRange tensors,
                                                      Value &count) {
  SmallVector<Value> all(tensors);
  all.push_back(tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({}, count.getType()), count));
  SmallVector<Value> sums = replicaSums(b, loc, all);
  count = tensor::ExtractOp::create(b, loc, sums.back(), ValueRange{});
  sums.pop_back();
  return sums;
}

void cnn::lowering::populateReplicaPatterns(RewritePatternSet &patterns) {
  patterns.add<ReplicaSumLowering>(patterns.getContext());
}
