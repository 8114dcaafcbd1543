//===- FusePooling.cpp - a pooling's window computed in its thread --------===//
//
// In eval a convolution's output (bias, batchnorm and activation fused in)
// is read once, by the max pooling after it. Computing each element of a
// window in the pooling's thread saves the convolution's launch and its
// output's round trip through memory; with windows that do not overlap
// (the lecture's 2x2, stride 2) nothing is computed twice.
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

/// A loop nest whose body computes one element of a temporary: it stores
/// it (and reads it back) only at `indices` (its induction variables, or
/// the constant 0), in its body's top level, storing before reading, and
/// writes no other memory.
struct Producer {
  scf::ParallelOp loop;
  memref::AllocOp buffer;
  SmallVector<Value> indices;
};

std::optional<Producer> matchProducer(scf::ParallelOp loop) {
  Block *body = loop.getBody();
  Producer producer{loop, {}, {}};
  for (Operation &op : body->without_terminator())
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      producer.buffer = store.getMemRef().getDefiningOp<memref::AllocOp>();
      producer.indices.assign(store.getIndices().begin(),
                              store.getIndices().end());
      break;
    }
  if (!producer.buffer)
    return std::nullopt;
  Value buffer = producer.buffer.getResult();
  bool stored = false;
  for (Operation &op : body->without_terminator()) {
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      if (store.getMemRef() != buffer ||
          ValueRange(store.getIndices()) != ValueRange(producer.indices))
        return std::nullopt;
      stored = true;
      continue;
    }
    if (auto load = dyn_cast<memref::LoadOp>(op);
        load && load.getMemRef() == buffer) {
      if (!stored ||
          ValueRange(load.getIndices()) != ValueRange(producer.indices))
        return std::nullopt;
      continue;
    }
    // Anything else neither touches the temporary nor writes memory.
    bool unsuitable = false;
    op.walk([&](Operation *nested) {
      if (isa<memref::StoreOp>(nested) ||
          (!isMemoryEffectFree(nested) && !isa<memref::LoadOp>(nested) &&
           !nested->hasTrait<OpTrait::HasRecursiveMemoryEffects>()) ||
          llvm::is_contained(nested->getOperands(), buffer))
        unsuitable = true;
    });
    if (unsuitable)
      return std::nullopt;
  }
  // Every induction variable places the element.
  llvm::SmallDenseSet<Value> placed;
  for (Value index : producer.indices) {
    if (matchPattern(index, m_Zero()))
      continue;
    auto arg = dyn_cast<BlockArgument>(index);
    if (!arg || arg.getOwner() != body)
      return std::nullopt;
    placed.insert(arg);
  }
  if (placed.size() != loop.getNumLoops())
    return std::nullopt;
  return producer;
}

/// How many times `consumer` reads an element of `type` at most, by its
/// static sizes: its iterations times the reads' enclosing loops, over the
/// elements. The one dynamic size each has (the batch) cancels.
bool readsEachElementOnce(scf::ParallelOp consumer,
                          ArrayRef<memref::LoadOp> reads, MemRefType type) {
  int64_t elements = 1, iterations = 1;
  int dynamicElements = 0, dynamicIterations = 0;
  for (int64_t size : type.getShape()) {
    if (ShapedType::isDynamic(size))
      ++dynamicElements;
    else
      elements *= size;
  }
  for (Value bound : consumer.getUpperBound()) {
    APInt value;
    if (matchPattern(bound, m_ConstantInt(&value)))
      iterations *= value.getSExtValue();
    else
      ++dynamicIterations;
  }
  if (dynamicElements != dynamicIterations)
    return false;
  int64_t total = 0;
  for (memref::LoadOp read : reads) {
    int64_t count = iterations;
    for (Operation *op = read->getParentOp(); op != consumer;
         op = op->getParentOp()) {
      auto loop = dyn_cast<scf::ForOp>(op);
      std::optional<APInt> trips =
          loop ? loop.getStaticTripCount() : std::nullopt;
      if (!trips)
        return false;
      count *= trips->getSExtValue();
    }
    total += count;
  }
  return total <= elements;
}

/// `read` of the temporary as the producer's body at its indices, the
/// element kept in a register instead of the temporary.
void computeInPlace(RewriterBase &rewriter, Producer &producer,
                    memref::LoadOp read) {
  IRMapping mapping;
  for (auto [own, wanted] : llvm::zip(producer.indices, read.getIndices()))
    if (!matchPattern(own, m_Zero()))
      mapping.map(own, wanted);
  rewriter.setInsertionPoint(read);
  Value element;
  for (Operation &op : producer.loop.getBody()->without_terminator()) {
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      element = mapping.lookupOrDefault(store.getValueToStore());
      continue;
    }
    if (auto load = dyn_cast<memref::LoadOp>(op);
        load && load.getMemRef() == producer.buffer.getResult()) {
      mapping.map(load.getResult(), element);
      continue;
    }
    rewriter.clone(op, mapping);
  }
  rewriter.replaceOp(read, element);
}

bool fuseWithNext(RewriterBase &rewriter, scf::ParallelOp loop) {
  std::optional<Producer> producer = matchProducer(loop);
  if (!producer)
    return false;
  // The reader: the next loop nest, with only allocations and pure ops
  // between.
  Operation *next = loop->getNextNode();
  while (next && !isa<scf::ParallelOp>(next) && mayStayBetweenFusedLoops(*next))
    next = next->getNextNode();
  auto consumer = dyn_cast_or_null<scf::ParallelOp>(next);
  if (!consumer)
    return false;
  Value buffer = producer->buffer.getResult();
  SmallVector<memref::LoadOp> reads;
  for (Operation *user : buffer.getUsers()) {
    if (loop->isAncestor(user))
      continue;
    auto read = dyn_cast<memref::LoadOp>(user);
    if (!read || !consumer->isAncestor(read))
      return false;
    // A dimension the producer does not loop over is read at 0 only.
    for (auto [own, wanted] : llvm::zip(producer->indices, read.getIndices()))
      if (matchPattern(own, m_Zero()) && !matchPattern(wanted, m_Zero()))
        return false;
    reads.push_back(read);
  }
  if (reads.empty() ||
      !readsEachElementOnce(consumer, reads, producer->buffer.getType()))
    return false;
  // The producer reads nothing the reader writes.
  SmallVector<Value> producerReads, consumerWrites;
  loop.walk([&](memref::LoadOp load) {
    producerReads.push_back(underlyingBuffer(load.getMemRef()));
  });
  consumer.walk([&](memref::StoreOp store) {
    consumerWrites.push_back(underlyingBuffer(store.getMemRef()));
  });
  if (llvm::any_of(producerReads, [&](Value read) {
        return llvm::is_contained(consumerWrites, read);
      }))
    return false;
  for (memref::LoadOp read : reads)
    computeInPlace(rewriter, *producer, read);
  rewriter.eraseOp(loop);
  rewriter.eraseOp(producer->buffer);
  return true;
}

} // namespace

void fusePooling(RewriterBase &rewriter, Block &block) {
  SmallVector<scf::ParallelOp> loops;
  for (Operation &op : block)
    if (auto loop = dyn_cast<scf::ParallelOp>(op))
      loops.push_back(loop);
  for (scf::ParallelOp loop : loops)
    (void)fuseWithNext(rewriter, loop);
}

} // namespace cnnc::gpu
