//===- FlatTensorOps.cpp - ops over whole parameters, as one dimension ----===//
#include "codegen/cpu/FlatTensorOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

using namespace mlir;

namespace cnnc::cpu {

namespace {

bool isStaticTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape();
}

/// All loops of `op` have `type`.
bool allLoops(linalg::GenericOp op, utils::IteratorType type) {
  return llvm::all_of(op.getIteratorTypesArray(),
                      [&](utils::IteratorType t) { return t == type; });
}

} // namespace

bool isWholeTensorOp(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumLoops() == 0 ||
      op->getParentOfType<LoopLikeOpInterface>() ||
      !llvm::all_of(op->getOperandTypes(), isStaticTensor))
    return false;
  // A body that asks where it is (linalg.index) or reads elsewhere
  // (tensor.extract) depends on the shape.
  if (op.hasIndexSemantics() ||
      op->walk([](tensor::ExtractOp) { return WalkResult::interrupt(); })
          .wasInterrupted())
    return false;
  auto identity = [&](OpOperand *operand) {
    return op.getMatchingIndexingMap(operand).isIdentity();
  };
  bool inputsIdentical = llvm::all_of(op.getDpsInputOperands(), identity);
  if (allLoops(op, utils::IteratorType::parallel))
    return inputsIdentical &&
           llvm::all_of(op.getDpsInitsMutable(),
                        [&](OpOperand &init) { return identity(&init); });
  if (allLoops(op, utils::IteratorType::reduction))
    return inputsIdentical &&
           llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
             return op.getMatchingIndexingMap(&init).getNumResults() == 0;
           });
  return false;
}

linalg::GenericOp flatten(RewriterBase &rewriter, linalg::GenericOp op) {
  unsigned loops = op.getNumLoops();
  if (loops == 1)
    return op;
  MLIRContext *ctx = op.getContext();
  Location loc = op.getLoc();
  ReassociationIndices all = llvm::to_vector(llvm::seq<int64_t>(0, loops));
  SmallVector<ReassociationIndices> reassociation{all};
  rewriter.setInsertionPoint(op);
  // A tensor of the op's full rank, collapsed; a rank-0 one as it is.
  auto collapse = [&](Value v) -> Value {
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getRank() == 0)
      return v;
    return tensor::CollapseShapeOp::create(rewriter, loc, v, reassociation);
  };
  SmallVector<Value> inputs = llvm::map_to_vector(op.getDpsInputs(), collapse);
  // An empty init stays a fresh one (of its own: the entry ABI's empty
  // tensor elimination puts the arena there).
  SmallVector<Value> inits =
      llvm::map_to_vector(op.getDpsInits(), [&](Value init) -> Value {
        auto type = cast<RankedTensorType>(init.getType());
        if (type.getRank() == 0 || !init.getDefiningOp<tensor::EmptyOp>())
          return collapse(init);
        return tensor::EmptyOp::create(rewriter, loc, type.getNumElements(),
                                       type.getElementType());
      });
  AffineMap one = AffineMap::getMultiDimIdentityMap(1, ctx);
  AffineMap scalar = AffineMap::get(1, 0, {}, ctx);
  SmallVector<AffineMap> maps(inputs.size(), one);
  for (Value init : inits)
    maps.push_back(cast<RankedTensorType>(init.getType()).getRank() == 0
                       ? scalar
                       : one);
  auto flat = linalg::GenericOp::create(
      rewriter, loc, TypeRange(ValueRange(inits)), inputs, inits, maps,
      {op.getIteratorTypesArray().front()});
  flat->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  rewriter.inlineRegionBefore(op.getRegion(), flat.getRegion(),
                              flat.getRegion().begin());
  // A result the entry ABI writes into the arena is written there flat
  // (the view collapsed), so that the op computes it in place.
  for (auto [result, original] : llvm::zip(flat.getResults(), op.getResults())) {
    if (cast<RankedTensorType>(original.getType()).getRank() == 0)
      continue;
    for (Operation *user : llvm::make_early_inc_range(original.getUsers())) {
      auto store = dyn_cast<bufferization::MaterializeInDestinationOp>(user);
      auto dest = store ? dyn_cast<TypedValue<MemRefType>>(store.getDest())
                        : nullptr;
      if (!dest || !memref::CollapseShapeOp::isGuaranteedCollapsible(
                       dest.getType(), reassociation))
        continue;
      rewriter.setInsertionPoint(store);
      Value flatDest =
          memref::CollapseShapeOp::create(rewriter, loc, dest, reassociation);
      auto flatStore = bufferization::MaterializeInDestinationOp::create(
          rewriter, loc, result, flatDest);
      flatStore.setRestrict(store.getRestrict());
      flatStore.setWritable(store.getWritable());
      rewriter.eraseOp(store);
    }
  }
  rewriter.setInsertionPointAfter(flat);
  SmallVector<Value> results;
  for (auto [result, original] : llvm::zip(flat.getResults(), op.getResults())) {
    auto type = cast<RankedTensorType>(original.getType());
    results.push_back(type.getRank() == 0 || original.use_empty()
                          ? result
                          : Value(tensor::ExpandShapeOp::create(
                                rewriter, loc, type, result, reassociation)));
  }
  rewriter.replaceOp(op, results);
  return flat;
}

} // namespace cnnc::cpu
