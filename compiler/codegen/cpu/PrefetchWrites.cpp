//===- PrefetchWrites.cpp - cold destinations fetched during arithmetic ---===//
//
// A store to a line that is not in the cache reads the line from memory
// first. A training step writes each block's saved tensors (the conv's
// output, the block's output) into fresh slots of its stacks, lines last
// touched a whole step before: a conv's output transform stalls on those
// reads, and the batchnorm apply that follows, a stream of loads and
// stores, waits on them as much as on its loads. Meanwhile the conv's
// products leave memory idle.
//
// So an image loop that computes (FMAs in register tiles) asks for the
// lines that will be written next while it computes: image n + 1 of its own
// destination slice, and image n of the next image loop's, where that loop
// only streams (no FMAs) and writes one slice of a buffer, image by image.
// `memref.prefetch` for writing (PREFETCHW): a hint, which changes nothing
// but when the lines arrive.
//
// The lines of the two slices are asked for interleaved, one nest of loops
// (the slices one after the other measured half the gain). NetResDeep with
// 100 blocks at Fashion-MNIST, per block: the batchnorm apply 75-77 -> 53
// us, the conv the same; the training step 89.9 -> 86.0 ms (stop 51).
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace cnnc::cpu {
#define GEN_PASS_DEF_CPUPREFETCHWRITES
#include "codegen/cpu/Passes.h.inc"
} // namespace cnnc::cpu

using namespace mlir;

namespace {

/// A loop of arithmetic: at least a register tile's FMAs in its body.
constexpr int64_t kComputeFmas = 8;

bool computes(scf::ParallelOp loop) {
  int64_t fmas = 0;
  loop.getBody()->walk([&](vector::FMAOp) { ++fmas; });
  return fmas >= kComputeFmas;
}

/// A one-dimensional loop from 0 by 1.
bool isImageLoop(scf::ParallelOp loop) {
  return loop.getNumLoops() == 1 &&
         matchPattern(loop.getLowerBound()[0], m_Zero()) &&
         matchPattern(loop.getStep()[0], m_One());
}

/// The one slot of a stack (a slice [N, H, W, C] of a buffer of one more
/// dimension, static H, W, C; f32) from outside `loop` that its vector
/// stores write image by image (image n, `loop`'s index, through
/// subviews), or null. Stack slots are what a training step saves for
/// later, out of the cache by the time they are written again; buffers of
/// their own (a weight gradient's partials, per-image sums) are not, and
/// are left alone.
Value writtenSlice(scf::ParallelOp loop) {
  Value n = loop.getInductionVars()[0];
  SetVector<Value> slices;
  loop.getBody()->walk([&](vector::StoreOp store) {
    Value base = store.getBase();
    memref::SubViewOp image;
    while (auto view = base.getDefiningOp<memref::SubViewOp>()) {
      if (!loop->isAncestor(view))
        break;
      image = view;
      base = view.getSource();
    }
    if (!image || loop.getRegion().isAncestor(base.getParentRegion()))
      return;
    auto type = dyn_cast<MemRefType>(base.getType());
    OpFoldResult first = image.getMixedOffsets()[0];
    auto slot = base.getDefiningOp<memref::SubViewOp>();
    if (slot && type && slot.getSourceType().getRank() == type.getRank() + 1 &&
        type.getRank() == 4 && type.getElementType().isF32() &&
        !type.isDynamicDim(1) && !type.isDynamicDim(2) &&
        !type.isDynamicDim(3) && isa<Value>(first) && cast<Value>(first) == n)
      slices.insert(base);
  });
  return slices.size() == 1 ? slices.front() : Value();
}

/// `value` where `point` can use it: itself, or its pure defining ops
/// cloned before `point` (a stack's slot k + 1, computed after a conv for
/// the op after it). Null where that cannot be.
Value availableAt(Value value, Operation *point, DominanceInfo &dominance,
                  OpBuilder &b) {
  if (dominance.properlyDominates(value, point))
    return value;
  Operation *def = value.getDefiningOp();
  if (!def || def->getNumRegions() || !isMemoryEffectFree(def))
    return {};
  IRMapping mapping;
  for (Value operand : def->getOperands()) {
    Value available = availableAt(operand, point, dominance, b);
    if (!available)
      return {};
    mapping.map(operand, available);
  }
  b.setInsertionPoint(point);
  return b.clone(*def, mapping)
      ->getResult(cast<OpResult>(value).getResultNumber());
}

/// Prefetches for writing every line of each image (an index into the
/// first dimension) of its slice, at `b`, the slices' lines interleaved
/// (all [N, H, W, C] of one H, W and C): one nest of loops.
void prefetchImages(OpBuilder &b, Location loc,
                    ArrayRef<std::pair<Value, Value>> images) {
  auto type = cast<MemRefType>(images.front().first.getType());
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  Value zero = index(0), one = index(1);
  Value rows = index(type.getDimSize(1)), columns = index(type.getDimSize(2));
  SmallVector<Value> lines; // a line's first channel: 64 bytes of f32
  for (int64_t c = 0; c < type.getDimSize(3); c += 16)
    lines.push_back(index(c));
  scf::ForOp::create(
      b, loc, zero, rows, one, ValueRange{},
      [&](OpBuilder &b, Location loc, Value h, ValueRange) {
        scf::ForOp::create(
            b, loc, zero, columns, one, ValueRange{},
            [&](OpBuilder &b, Location loc, Value w, ValueRange) {
              for (Value c : lines)
                for (auto [slice, n] : images)
                  memref::PrefetchOp::create(b, loc, slice,
                                             ValueRange{n, h, w, c},
                                             /*isWrite=*/true,
                                             /*localityHint=*/3,
                                             /*isDataCache=*/true);
              scf::YieldOp::create(b, loc);
            });
        scf::YieldOp::create(b, loc);
      });
}

struct PrefetchWrites : cnnc::cpu::impl::CpuPrefetchWritesBase<PrefetchWrites> {
  void runOnOperation() override {
    DominanceInfo dominance(getOperation());
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (isImageLoop(loop) && computes(loop))
        loops.push_back(loop);
    });
    for (scf::ParallelOp loop : loops) {
      Location loc = loop.getLoc();
      OpBuilder b(loop);
      SmallVector<std::pair<Value, bool>> targets; // slice, next image
      if (Value own = writtenSlice(loop))
        targets.push_back({own, true});
      // The next image loop of the block, over the same images.
      scf::ParallelOp next;
      for (Operation *op = loop->getNextNode(); op && !next;
           op = op->getNextNode())
        next = dyn_cast<scf::ParallelOp>(op);
      if (next && isImageLoop(next) && !computes(next) &&
          next.getUpperBound()[0] == loop.getUpperBound()[0])
        if (Value theirs = writtenSlice(next))
          if (Value here = availableAt(theirs, loop, dominance, b))
            targets.push_back({here, false});
      if (targets.empty())
        continue;
      b.setInsertionPointToStart(loop.getBody());
      Value n = loop.getInductionVars()[0];
      SmallVector<std::pair<Value, Value>> images;
      for (auto [slice, nextImage] : targets) {
        Value image = n;
        if (nextImage) {
          Value last =
              arith::SubIOp::create(b, loc, loop.getUpperBound()[0],
                                    arith::ConstantIndexOp::create(b, loc, 1));
          image = arith::MinSIOp::create(
              b, loc,
              arith::AddIOp::create(b, loc, n,
                                    arith::ConstantIndexOp::create(b, loc, 1)),
              last);
        }
        images.push_back({slice, image});
      }
      // One nest per shape of image.
      while (!images.empty()) {
        ArrayRef<int64_t> shape =
            cast<MemRefType>(images.front().first.getType()).getShape();
        auto alike = [&](std::pair<Value, Value> image) {
          return cast<MemRefType>(image.first.getType())
                     .getShape()
                     .drop_front() == shape.drop_front();
        };
        SmallVector<std::pair<Value, Value>> nest, rest;
        for (auto image : images)
          (alike(image) ? nest : rest).push_back(image);
        prefetchImages(b, loc, nest);
        images = std::move(rest);
      }
    }
  }
};

} // namespace
