//===- FuseSideBySide.cpp - independent kernels as one launch -------------===//
//
// A launch costs about as much as a small kernel's work: the training
// step's per-parameter kernels (the update, the copies into and out of
// the replicas' buffer, the penalty's partial sums) are each a few
// thousand threads. Side by side in one launch they cost one.
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/LoopFusion.h"
#include "codegen/gpu/UnderlyingBuffer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace cnnc::gpu {
namespace {

/// Where `memref`'s aligned pointer is in its underlying buffer, in bytes,
/// when that is known at compile time.
std::optional<int64_t> basePointerByte(Value memref) {
  Operation *def = memref.getDefiningOp();
  if (!def || !isa<ViewLikeOpInterface>(def))
    return 0; // the buffer itself
  if (auto view = dyn_cast<memref::ViewOp>(def)) {
    APInt shift;
    std::optional<int64_t> base = basePointerByte(view.getSource());
    if (!base || !matchPattern(view.getByteShift(), m_ConstantInt(&shift)))
      return std::nullopt;
    return *base + shift.getSExtValue();
  }
  // Subviews, casts and reshapes keep the pointer and move the offset.
  if (isa<memref::SubViewOp, memref::ReinterpretCastOp, memref::CastOp,
          memref::CollapseShapeOp, memref::ExpandShapeOp>(def))
    return basePointerByte(cast<ViewLikeOpInterface>(def).getViewSource());
  return std::nullopt;
}

/// The bytes of its underlying buffer `memref` may touch, [first, end),
/// when its shape and layout are static.
std::optional<std::pair<int64_t, int64_t>> byteRange(Value memref) {
  auto type = dyn_cast<MemRefType>(memref.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return std::nullopt;
  std::optional<int64_t> base = basePointerByte(memref);
  if (!base)
    return std::nullopt;
  int64_t bytes = type.getElementTypeBitWidth() / 8;
  int64_t last = offset;
  for (auto [size, stride] : llvm::zip(type.getShape(), strides)) {
    if (size == 0)
      return std::make_pair(*base, *base);
    last += (size - 1) * stride;
  }
  return std::make_pair(*base + offset * bytes, *base + (last + 1) * bytes);
}

bool mayOverlap(Value a, Value b) {
  if (underlyingBuffer(a) != underlyingBuffer(b))
    return false;
  auto ra = byteRange(a), rb = byteRange(b);
  if (!ra || !rb)
    return true;
  return ra->first < rb->second && rb->first < ra->second;
}

/// The memrefs a loop reads and writes; false when some effect is not
/// on a known memref.
struct Accesses {
  SmallVector<Value> reads, writes;
};

bool collectAccesses(scf::ParallelOp loop, Accesses &accesses) {
  WalkResult result = loop.getBody()->walk([&](Operation *op) {
    if (op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return WalkResult::advance();
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects)
      return WalkResult::interrupt();
    SmallVector<MemoryEffects::EffectInstance> instances;
    effects.getEffects(instances);
    for (const auto &instance : instances) {
      Value value = instance.getValue();
      bool read = isa<MemoryEffects::Read>(instance.getEffect());
      bool write = isa<MemoryEffects::Write>(instance.getEffect());
      if (!read && !write)
        continue;
      if (!value || !isa<BaseMemRefType>(value.getType()))
        return WalkResult::interrupt();
      (write ? accesses.writes : accesses.reads).push_back(value);
    }
    return WalkResult::advance();
  });
  return !result.wasInterrupted();
}

bool independent(const Accesses &a, const Accesses &b) {
  auto overlaps = [](ArrayRef<Value> xs, ArrayRef<Value> ys) {
    return llvm::any_of(xs, [&](Value x) {
      return llvm::any_of(ys, [&](Value y) { return mayOverlap(x, y); });
    });
  };
  return !overlaps(a.writes, b.writes) && !overlaps(a.writes, b.reads) &&
         !overlaps(b.writes, a.reads);
}

bool isCandidate(scf::ParallelOp loop) {
  return loop.getNumLoops() == 1 && loop.getNumResults() == 0 &&
         matchPattern(loop.getLowerBound()[0], m_Zero()) &&
         matchPattern(loop.getStep()[0], m_One());
}

/// One loop over the sizes of `loops` together, in place of the last:
/// index i runs loop k's body at i - (the sizes before k) when that is
/// within loop k's size.
void fuse(RewriterBase &rewriter, ArrayRef<scf::ParallelOp> loops) {
  scf::ParallelOp last = loops.back();
  Location loc = last.getLoc();
  rewriter.setInsertionPoint(last);
  Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
  SmallVector<Value> starts;
  Value total = zero;
  for (scf::ParallelOp loop : loops) {
    starts.push_back(total);
    total = total == zero ? loop.getUpperBound()[0]
                          : rewriter.create<arith::AddIOp>(
                                loc, total, loop.getUpperBound()[0]);
  }
  auto fused = rewriter.create<scf::ParallelOp>(
      loc, ValueRange{zero}, ValueRange{total}, ValueRange{one});
  Value index = fused.getInductionVars()[0];
  rewriter.setInsertionPointToStart(fused.getBody());
  for (auto [k, start] : llvm::enumerate(starts)) {
    scf::ParallelOp loop = loops[k];
    Value local = start == zero
                      ? index
                      : rewriter.create<arith::SubIOp>(loc, index, start);
    // Unsigned: an index before this range wraps around and fails too.
    Value within = rewriter.create<arith::CmpIOp>(
        loc, arith::CmpIPredicate::ult, local, loop.getUpperBound()[0]);
    auto branch = rewriter.create<scf::IfOp>(loc, within);
    IRMapping mapping;
    mapping.map(loop.getInductionVars()[0], local);
    rewriter.setInsertionPoint(branch.thenBlock()->getTerminator());
    for (Operation &op : loop.getBody()->without_terminator())
      rewriter.clone(op, mapping);
    rewriter.setInsertionPointAfter(branch);
  }
  for (scf::ParallelOp loop : loops)
    rewriter.eraseOp(loop);
}

/// `loops` (in order, with nothing between them but allocations and pure
/// ops) grouped by the length of the longest chain of conflicting loops
/// before each: every group is independent within, the groups run in
/// that order, and each group is one loop.
void fuseByDepth(RewriterBase &rewriter, ArrayRef<scf::ParallelOp> loops,
                 ArrayRef<Accesses> accesses) {
  SmallVector<unsigned> depth(loops.size(), 0);
  unsigned deepest = 0;
  for (size_t i = 0; i < loops.size(); ++i) {
    for (size_t j = 0; j < i; ++j)
      if (!independent(accesses[j], accesses[i]))
        depth[i] = std::max(depth[i], depth[j] + 1);
    deepest = std::max(deepest, depth[i]);
  }
  // The allocations and pure ops among the loops go before the first
  // (they use no loop's result: the loops have none), then the loops
  // follow in order of depth.
  Operation *first = loops.front();
  Operation *end = loops.back()->getNextNode();
  for (Operation *op = first->getNextNode(); op != end;) {
    Operation *next = op->getNextNode();
    if (!isa<scf::ParallelOp>(op))
      op->moveBefore(first);
    op = next;
  }
  SmallVector<SmallVector<scf::ParallelOp>> groups(deepest + 1);
  for (size_t i = 0; i < loops.size(); ++i)
    groups[depth[i]].push_back(loops[i]);
  Operation *insertion = loops.back()->getNextNode();
  for (ArrayRef<scf::ParallelOp> group : groups)
    for (scf::ParallelOp loop : group)
      loop->moveBefore(insertion);
  for (ArrayRef<scf::ParallelOp> group : groups)
    if (group.size() > 1)
      fuse(rewriter, group);
}

} // namespace

void fuseSideBySide(RewriterBase &rewriter, Block &block) {
  // Segments of the block that loops may be reordered in: loops,
  // allocations and pure ops, between anything else (a call, a host
  // loop, the terminator).
  SmallVector<SmallVector<Operation *>> segments(1);
  for (Operation &op : block) {
    auto loop = dyn_cast<scf::ParallelOp>(op);
    bool movable = loop ? isCandidate(loop) : mayStayBetweenFusedLoops(op);
    if (movable)
      segments.back().push_back(&op);
    else if (!segments.back().empty())
      segments.emplace_back();
  }
  for (ArrayRef<Operation *> segment : segments) {
    SmallVector<scf::ParallelOp> loops;
    SmallVector<Accesses> accesses;
    // A loop whose accesses are not all known stays where it is: it ends
    // the part of the segment before it.
    auto flush = [&]() {
      if (loops.size() > 1)
        fuseByDepth(rewriter, loops, accesses);
      loops.clear();
      accesses.clear();
    };
    for (Operation *op : segment) {
      auto loop = dyn_cast<scf::ParallelOp>(op);
      if (!loop)
        continue;
      Accesses known;
      if (!collectAccesses(loop, known)) {
        flush();
        continue;
      }
      loops.push_back(loop);
      accesses.push_back(std::move(known));
    }
    flush();
  }
}

} // namespace cnnc::gpu
