//===- MapToThreads.cpp - parallel loops to a 1-D grid --------------------===//
//
// Every op is a kernel whose threads each compute one element of the
// iteration space (a convolution's output element with its whole
// reduction, in a register: cnn-gpu-accumulate-in-registers). Collapsing
// the space to one dimension keeps every block full whatever the shape
// (28x28 images, 10 logits), and the block size is the strategy's one
// number for now.
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/LoopFusion.h"
#include "codegen/gpu/Passes.h"
#include "codegen/gpu/UnderlyingBuffer.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUMAPTOTHREADS
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

mlir::gpu::ParallelLoopDimMappingAttr mapTo(MLIRContext *ctx,
                                            mlir::gpu::Processor processor) {
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, ctx);
  return mlir::gpu::ParallelLoopDimMappingAttr::get(ctx, processor, identity,
                                                    identity);
}

struct GpuMapToThreads : impl::GpuMapToThreadsBase<GpuMapToThreads> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    // Bias, convolution and activation over the same output: one loop,
    // in the function and in the loop over a repeated block alike.
    SmallVector<Region *> regions;
    func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<scf::ParallelOp>(op))
        return WalkResult::skip();
      for (Region &region : op->getRegions())
        regions.push_back(&region);
      return WalkResult::advance();
    });
    for (Region *region : regions)
      // A padded image and the subview its interior is copied through are
      // one buffer: else a convolution reading the border would fuse with
      // the copy.
      scf::naivelyFuseParallelOps(*region, [](Value a, Value b) {
        return underlyingBuffer(a) == underlyingBuffer(b);
      });
    IRRewriter rewriter(ctx);
    if (fuseReaders)
      for (Region *region : regions)
        for (Block &block : *region)
          fusePooling(rewriter, block);

    auto outermostLoops = [&]() {
      SmallVector<scf::ParallelOp> outermost;
      func.walk([&](scf::ParallelOp loop) {
        if (!loop->getParentOfType<scf::ParallelOp>())
          outermost.push_back(loop);
      });
      return outermost;
    };
    llvm::SetVector<Block *> loopBlocks;
    for (scf::ParallelOp loop : outermostLoops()) {
      loopBlocks.insert(loop->getBlock());
      if (loop.getNumLoops() == 1)
        continue;
      std::vector<unsigned> all(loop.getNumLoops());
      std::iota(all.begin(), all.end(), 0u);
      rewriter.setInsertionPoint(loop);
      // collapseParallelLoops replaces the loop; check that one is there.
      Operation *before = loop->getPrevNode();
      Block *block = loop->getBlock();
      collapseParallelLoops(rewriter, loop, {all});
      Operation *next = before ? before->getNextNode() : &block->front();
      while (next && !isa<scf::ParallelOp>(next))
        next = next->getNextNode();
      if (!next) {
        func->emitError("cannot collapse a parallel loop");
        return signalPassFailure();
      }
    }
    if (fuseIndependent)
      for (Block *block : loopBlocks)
        fuseSideBySide(rewriter, *block);
    for (scf::ParallelOp loop : outermostLoops()) {
      auto [blocks, threads] = scf::tileParallelLoop(
          loop, {threadsPerBlock}, /*noMinMaxBounds=*/true);
      if (failed(mlir::gpu::setMappingAttr(
              blocks, {mapTo(ctx, mlir::gpu::Processor::BlockX)})) ||
          failed(mlir::gpu::setMappingAttr(
              threads, {mapTo(ctx, mlir::gpu::Processor::ThreadX)}))) {
        loop->emitError("cannot map the parallel loop to the GPU");
        return signalPassFailure();
      }
      // Loops inside a thread stay loops.
      threads.walk([&](scf::ParallelOp inner) {
        if (inner != threads)
          (void)mlir::gpu::setMappingAttr(
              inner, SmallVector<mlir::gpu::ParallelLoopDimMappingAttr>(
                         inner.getNumLoops(),
                         mapTo(ctx, mlir::gpu::Processor::Sequential)));
      });
    }
  }
};

} // namespace
} // namespace cnnc::gpu
