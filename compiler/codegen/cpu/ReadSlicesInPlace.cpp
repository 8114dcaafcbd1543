//===- ReadSlicesInPlace.cpp - no copy of a slice that stays intact -------===//
//
// A repeated block's loop reads its input from slot k of a stack of
// activations and writes its output into slot k + 1 of the same stack.
// One-Shot Bufferize cannot tell those slots apart (k is the loop's
// induction variable), so it reads slot k through a fresh copy: for
// NetResDeep, 1.6 MB copied by one thread before every block of the
// forward pass. This pass proves what the analysis could not: between the
// copy and the copy's last read, every write into the stack goes to a slot
// that differs from k by a constant; then the readers read slot k itself,
// and the copy, its buffer and the buffer's deallocation go.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace cnnc::cpu {
#define GEN_PASS_DEF_CPUREADSLICESINPLACE
#include "codegen/cpu/Passes.h.inc"
} // namespace cnnc::cpu

using namespace mlir;

namespace {

/// The buffer a view is a view of, through any chain of view ops.
Value rootOf(Value view) {
  while (auto viewOp = view.getDefiningOp<ViewLikeOpInterface>())
    view = viewOp.getViewSource();
  return view;
}

/// The first subview taken of `root` on the way to `view` (null if the
/// view right on the root is no subview).
memref::SubViewOp subviewOfRoot(Value view, Value root) {
  while (auto viewOp = view.getDefiningOp<ViewLikeOpInterface>()) {
    Value source = viewOp.getViewSource();
    if (source == root)
      return dyn_cast<memref::SubViewOp>(viewOp.getOperation());
    view = source;
  }
  return {};
}

/// An offset as base + constant (base null for a constant).
std::pair<Value, int64_t> splitOffset(OpFoldResult offset) {
  if (std::optional<int64_t> c = getConstantIntValue(offset))
    return {Value(), *c};
  auto value = cast<Value>(offset);
  if (auto add = value.getDefiningOp<arith::AddIOp>()) {
    if (std::optional<int64_t> c = getConstantIntValue(add.getRhs()))
      return {add.getLhs(), *c};
    if (std::optional<int64_t> c = getConstantIntValue(add.getLhs()))
      return {add.getRhs(), *c};
  }
  return {value, 0};
}

/// The positions a subview spans in dimension `d` of its source, from its
/// offset: (size - 1) · stride + 1, where both are constants.
std::optional<int64_t> extent(memref::SubViewOp view, unsigned d) {
  std::optional<int64_t> size = getConstantIntValue(view.getMixedSizes()[d]);
  std::optional<int64_t> stride =
      getConstantIntValue(view.getMixedStrides()[d]);
  if (!size || !stride || *size < 1 || *stride < 1)
    return std::nullopt;
  return (*size - 1) * *stride + 1;
}

/// Whether the two subviews of one buffer are provably apart: in some
/// dimension, constant extents at offsets with the same base that differ
/// by at least the extent in front.
bool disjoint(memref::SubViewOp a, memref::SubViewOp b) {
  for (unsigned d = 0; d < a.getMixedOffsets().size(); ++d) {
    std::optional<int64_t> lengthA = extent(a, d), lengthB = extent(b, d);
    if (!lengthA || !lengthB)
      continue;
    auto [baseA, startA] = splitOffset(a.getMixedOffsets()[d]);
    auto [baseB, startB] = splitOffset(b.getMixedOffsets()[d]);
    if (baseA != baseB)
      continue;
    if (startA + *lengthA <= startB || startB + *lengthB <= startA)
      return true;
  }
  return false;
}

/// Whether every use of `buffer` (but `except`) and of its subviews reads
/// it (in any layout: loads, vector reads, prefetches, linalg inputs, copy
/// sources) or frees it.
bool onlyRead(Value buffer, Operation *except) {
  for (OpOperand &use : buffer.getUses()) {
    Operation *user = use.getOwner();
    if (user == except || isa<memref::DeallocOp>(user))
      continue;
    if (auto subview = dyn_cast<memref::SubViewOp>(user)) {
      if (!onlyRead(subview.getResult(), nullptr))
        return false;
      continue;
    }
    if (isa<vector::TransferReadOp, vector::LoadOp, memref::LoadOp,
            memref::PrefetchOp>(user))
      continue;
    if (auto copy = dyn_cast<memref::CopyOp>(user)) {
      if (copy.getSource() == buffer)
        continue;
      return false;
    }
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(user)) {
      if (linalgOp.isDpsInput(&use))
        continue;
      return false;
    }
    return false;
  }
  return true;
}

/// Whether `root` (a local allocation) reaches other ops only through view
/// ops and as an operand of ops whose effects name what they touch: so no
/// call, loop or other op can hold an alias of it that no view shows.
bool tracedThroughViews(Value root) {
  for (Operation *user : root.getUsers()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
      if (view.getViewSource() == root &&
          !tracedThroughViews(user->getResult(0)))
        return false;
      continue;
    }
    if (isa<memref::PrefetchOp>(user))
      continue; // a hint: it neither writes nor keeps its view
    if (!isa<MemoryEffectOpInterface>(user) ||
        (user->getNumRegions() != 0 && !isa<linalg::LinalgOp>(user)))
      return false;
  }
  return true;
}

/// Whether `op` has an operand that views `root`.
bool viewsRoot(Operation *op, Value root) {
  return llvm::any_of(op->getOperands(), [&](Value operand) {
    return isa<BaseMemRefType>(operand.getType()) && rootOf(operand) == root;
  });
}

/// Whether any op from `begin` to `end` (of one block, nested regions
/// included) may write where `slice` (a subview of `root`) lies. An op
/// that names no buffer it writes (a call) cannot reach `root` unless
/// given a view of it (tracedThroughViews).
bool mayWrite(Block::iterator begin, Block::iterator end, Value root,
              memref::SubViewOp slice) {
  for (Operation &op : llvm::make_range(begin, end)) {
    WalkResult result = op.walk([&](Operation *nested) {
      if (isa<memref::PrefetchOp>(nested))
        return WalkResult::advance();
      auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
      if (!effects)
        return viewsRoot(nested, root) ? WalkResult::interrupt()
                                       : WalkResult::advance();
      SmallVector<MemoryEffects::EffectInstance> instances;
      effects.getEffects(instances);
      for (MemoryEffects::EffectInstance &instance : instances) {
        if (!isa<MemoryEffects::Write>(instance.getEffect()))
          continue;
        Value written = instance.getValue();
        if (!written) {
          if (viewsRoot(nested, root))
            return WalkResult::interrupt();
          continue;
        }
        if (!isa<BaseMemRefType>(written.getType()) || rootOf(written) != root)
          continue;
        memref::SubViewOp other = subviewOfRoot(written, root);
        if (!other || !disjoint(slice, other))
          return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return true;
  }
  return false;
}

/// `view`'s users but `except` and deallocations, made to read
/// `replacement` (the same elements in another layout): subviews rebuilt
/// on it, reads given it.
void rebase(RewriterBase &rewriter, Value view, Value replacement,
            Operation *except) {
  for (OpOperand &use : llvm::make_early_inc_range(view.getUses())) {
    Operation *user = use.getOwner();
    if (user == except || isa<memref::DeallocOp>(user))
      continue;
    if (auto subview = dyn_cast<memref::SubViewOp>(user)) {
      rewriter.setInsertionPoint(subview);
      auto type = memref::SubViewOp::inferRankReducedResultType(
          subview.getType().getShape(), cast<MemRefType>(replacement.getType()),
          subview.getMixedOffsets(), subview.getMixedSizes(),
          subview.getMixedStrides());
      auto rebuilt = memref::SubViewOp::create(
          rewriter, subview.getLoc(), cast<MemRefType>(type), replacement,
          subview.getMixedOffsets(), subview.getMixedSizes(),
          subview.getMixedStrides());
      rebase(rewriter, subview.getResult(), rebuilt.getResult(), nullptr);
      rewriter.eraseOp(subview);
      continue;
    }
    rewriter.modifyOpInPlace(user, [&] { use.set(replacement); });
  }
}

struct CpuReadSlicesInPlace
    : cnnc::cpu::impl::CpuReadSlicesInPlaceBase<CpuReadSlicesInPlace> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      auto alloc = copy.getTarget().getDefiningOp<memref::AllocOp>();
      auto slice = copy.getSource().getDefiningOp<memref::SubViewOp>();
      if (!alloc || !slice || alloc->getBlock() != copy->getBlock())
        continue;
      Value root = slice.getSource();
      if (!root.getDefiningOp<memref::AllocOp>() ||
          !onlyRead(alloc.getResult(), copy) || !tracedThroughViews(root))
        continue;
      // The reads end at the last op of the copy's block that holds one.
      Block *block = copy->getBlock();
      Operation *last = copy;
      for (Operation *user : alloc->getUsers()) {
        if (isa<memref::DeallocOp>(user))
          continue;
        Operation *ancestor = block->findAncestorOpInBlock(*user);
        if (ancestor && last->isBeforeInBlock(ancestor))
          last = ancestor;
      }
      if (mayWrite(std::next(copy->getIterator()),
                   std::next(last->getIterator()), root, slice))
        continue;
      rebase(rewriter, alloc.getResult(), slice.getResult(), copy);
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        rewriter.eraseOp(user); // the copy and the deallocations
      rewriter.eraseOp(alloc);
    }
  }
};

} // namespace
