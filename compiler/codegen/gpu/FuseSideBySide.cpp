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

} // namespace

void fuseSideBySide(RewriterBase &rewriter, Block &block) {
  SmallVector<scf::ParallelOp> run;
  SmallVector<Accesses> runAccesses;
  auto flush = [&]() {
    if (run.size() > 1)
      fuse(rewriter, run);
    run.clear();
    runAccesses.clear();
  };
  for (Operation &op : llvm::make_early_inc_range(block)) {
    auto loop = dyn_cast<scf::ParallelOp>(op);
    if (!loop) {
      // Allocations and pure ops may sit between the loops: the fused
      // loop takes the last one's place, after them.
      bool allocation = isa<memref::AllocOp>(op);
      if (!allocation && (op.getNumRegions() != 0 || !isMemoryEffectFree(&op)))
        flush();
      continue;
    }
    Accesses accesses;
    if (!isCandidate(loop) || !collectAccesses(loop, accesses)) {
      flush();
      continue;
    }
    if (!llvm::all_of(runAccesses, [&](const Accesses &other) {
          return independent(other, accesses);
        }))
      flush();
    run.push_back(loop);
    runAccesses.push_back(accesses);
  }
  flush();
}

} // namespace cnnc::gpu
