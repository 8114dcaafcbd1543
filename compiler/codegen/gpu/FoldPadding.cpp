//===- FoldPadding.cpp - padded images read through a bounds check --------===//

#include "codegen/gpu/Passes.h"
#include "codegen/gpu/UnderlyingBuffer.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUFOLDPADDING
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

/// A bufferized tensor.pad: an allocation filled with one constant, a
/// source copied into its interior, and the loads that read it.
struct PaddedImage {
  memref::AllocOp alloc;
  scf::ParallelOp fill;
  Attribute padValue;
  memref::SubViewOp interior;
  scf::ParallelOp copy;
  Value source;
  SmallVector<memref::LoadOp> reads;
};

/// The only op of `loop`'s body besides its terminator, if it is an `Op`.
template <typename Op> Op onlyOp(scf::ParallelOp loop) {
  Block *body = loop.getBody();
  if (body->getOperations().size() != 2)
    return {};
  return dyn_cast<Op>(body->front());
}

/// Whether `loop`, accessing `buffer` at `indices`, visits every element
/// of it once: each index is one of the loop's variables (0 to its bound,
/// step 1; a static bound equal to the dimension) or, for a dimension of
/// one, the constant 0.
bool visitsEveryElement(scf::ParallelOp loop, MemRefType buffer,
                        ValueRange indices) {
  llvm::SmallDenseSet<Value> seen;
  for (auto [dim, index] : llvm::enumerate(indices)) {
    int64_t size = buffer.getDimSize(dim);
    if (matchPattern(index, m_Zero()) && size == 1)
      continue;
    auto arg = dyn_cast<BlockArgument>(index);
    if (!arg || arg.getOwner() != loop.getBody() || !seen.insert(arg).second)
      return false;
    unsigned k = arg.getArgNumber();
    if (!matchPattern(loop.getLowerBound()[k], m_Zero()) ||
        !matchPattern(loop.getStep()[k], m_One()))
      return false;
    APInt bound;
    if (!ShapedType::isDynamic(size) &&
        (!matchPattern(loop.getUpperBound()[k], m_ConstantInt(&bound)) ||
         bound.getSExtValue() != size))
      return false;
  }
  return seen.size() == loop.getNumLoops();
}

/// Whether `op` (not the ops nested in it) may write `buffer`'s memory.
bool mayWrite(Operation *op, Value buffer) {
  return llvm::any_of(writtenBuffers(op), [&](Value written) {
    return !written || written == buffer;
  });
}

std::optional<PaddedImage> matchPaddedImage(memref::AllocOp alloc) {
  PaddedImage image{alloc, {}, {}, {}, {}, {}, {}};
  for (Operation *user : alloc->getUsers()) {
    if (auto load = dyn_cast<memref::LoadOp>(user)) {
      image.reads.push_back(load);
    } else if (auto subview = dyn_cast<memref::SubViewOp>(user)) {
      if (image.interior)
        return std::nullopt;
      image.interior = subview;
    } else if (auto store = dyn_cast<memref::StoreOp>(user)) {
      auto loop = dyn_cast<scf::ParallelOp>(store->getParentOp());
      Attribute value;
      if (image.fill || store.getMemRef() != alloc || !loop ||
          onlyOp<memref::StoreOp>(loop) != store ||
          !matchPattern(store.getValueToStore(), m_Constant(&value)) ||
          !visitsEveryElement(loop, alloc.getType(), store.getIndices()))
        return std::nullopt;
      image.fill = loop;
      image.padValue = value;
    } else {
      return std::nullopt;
    }
  }
  memref::SubViewOp interior = image.interior;
  if (!image.fill || !interior || image.reads.empty() ||
      interior.getSourceType().getRank() != interior.getType().getRank() ||
      ShapedType::isDynamicShape(interior.getStaticOffsets()) ||
      !llvm::all_of(interior.getStaticStrides(),
                    [](int64_t stride) { return stride == 1; }) ||
      !interior->hasOneUse())
    return std::nullopt;
  auto store = dyn_cast<memref::StoreOp>(*interior->getUsers().begin());
  auto copy = store ? dyn_cast<scf::ParallelOp>(store->getParentOp())
                    : scf::ParallelOp();
  auto load = store ? store.getValueToStore().getDefiningOp<memref::LoadOp>()
                    : memref::LoadOp();
  if (!copy || !load || load->getParentOp() != copy ||
      copy.getBody()->getOperations().size() != 3 ||
      load.getIndices() != store.getIndices() ||
      !visitsEveryElement(copy, interior.getType(), store.getIndices()) ||
      copy->getBlock() != image.fill->getBlock() ||
      !image.fill->isBeforeInBlock(copy))
    return std::nullopt;
  image.copy = copy;
  image.source = load.getMemRef();

  // Every read comes after the copy, and nothing in between writes the
  // source: reading it later gives what the copy would have.
  Block *block = copy->getBlock();
  Operation *last = copy;
  for (memref::LoadOp read : image.reads) {
    Operation *ancestor = block->findAncestorOpInBlock(*read);
    if (!ancestor || !copy->isBeforeInBlock(ancestor))
      return std::nullopt;
    if (last->isBeforeInBlock(ancestor))
      last = ancestor;
  }
  Value source = underlyingBuffer(image.source);
  for (Operation *op = copy->getNextNode(); op != last->getNextNode();
       op = op->getNextNode()) {
    WalkResult written = op->walk([&](Operation *nested) {
      return mayWrite(nested, source) ? WalkResult::interrupt()
                                      : WalkResult::advance();
    });
    if (written.wasInterrupted())
      return std::nullopt;
  }
  return image;
}

/// `read` of the padded image as a read of the source: the index less the
/// padding before it, and the pad value where that falls outside.
void foldRead(IRRewriter &rewriter, PaddedImage &image, memref::LoadOp read) {
  rewriter.setInsertionPoint(read);
  Location loc = read.getLoc();
  MemRefType padded = image.alloc.getType();
  MemRefType interior = image.interior.getType();
  SmallVector<Value> indices;
  Value inside;
  for (auto [dim, index] : llvm::enumerate(read.getIndices())) {
    int64_t offset = image.interior.getStaticOffsets()[dim];
    int64_t size = interior.getDimSize(dim);
    if (offset == 0 && size == padded.getDimSize(dim)) {
      indices.push_back(index); // not padded (a dynamic batch included)
      continue;
    }
    Value shifted = index;
    if (offset != 0)
      shifted = rewriter.create<arith::SubIOp>(
          loc, index, rewriter.create<arith::ConstantIndexOp>(loc, offset));
    // Unsigned: a negative index is out of bounds too.
    Value bound =
        ShapedType::isDynamic(size)
            ? rewriter.create<memref::DimOp>(loc, image.source, dim).getResult()
            : rewriter.create<arith::ConstantIndexOp>(loc, size).getResult();
    Value within = rewriter.create<arith::CmpIOp>(
        loc, arith::CmpIPredicate::ult, shifted, bound);
    inside =
        inside ? rewriter.create<arith::AndIOp>(loc, inside, within) : within;
    indices.push_back(shifted);
  }
  if (!inside) {
    rewriter.replaceOpWithNewOp<memref::LoadOp>(read, image.source, indices);
    return;
  }
  Type type = read.getType();
  auto branch = rewriter.create<scf::IfOp>(
      loc, inside,
      [&](OpBuilder &b, Location loc) {
        Value value = b.create<memref::LoadOp>(loc, image.source, indices);
        b.create<scf::YieldOp>(loc, value);
      },
      [&](OpBuilder &b, Location loc) {
        Value value = b.create<arith::ConstantOp>(
            loc, type, cast<TypedAttr>(image.padValue));
        b.create<scf::YieldOp>(loc, value);
      });
  rewriter.replaceOp(read, branch.getResults());
}

struct GpuFoldPadding : impl::GpuFoldPaddingBase<GpuFoldPadding> {
  void runOnOperation() override {
    SmallVector<memref::AllocOp> allocs;
    getOperation().walk(
        [&](memref::AllocOp alloc) { allocs.push_back(alloc); });
    IRRewriter rewriter(&getContext());
    for (memref::AllocOp alloc : allocs) {
      std::optional<PaddedImage> image = matchPaddedImage(alloc);
      if (!image)
        continue;
      for (memref::LoadOp read : image->reads)
        foldRead(rewriter, *image, read);
      rewriter.eraseOp(image->copy);
      rewriter.eraseOp(image->interior);
      rewriter.eraseOp(image->fill);
      rewriter.eraseOp(alloc);
    }
  }
};

} // namespace
} // namespace cnnc::gpu
