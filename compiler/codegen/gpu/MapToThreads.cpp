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
    // Bias, convolution and activation over the same output: one loop.
    for (Region &region : func->getRegions())
      // A padded image and the subview its interior is copied through are
      // one buffer: else a convolution reading the border would fuse with
      // the copy.
      scf::naivelyFuseParallelOps(region, [](Value a, Value b) {
        return underlyingBuffer(a) == underlyingBuffer(b);
      });

    SmallVector<scf::ParallelOp> outermost;
    func.walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>())
        outermost.push_back(loop);
    });
    IRRewriter rewriter(ctx);
    for (scf::ParallelOp loop : outermost) {
      if (loop.getNumLoops() > 1) {
        std::vector<unsigned> all(loop.getNumLoops());
        std::iota(all.begin(), all.end(), 0u);
        rewriter.setInsertionPoint(loop);
        // collapseParallelLoops replaces the loop; find its replacement as
        // the op now at the same place.
        Operation *before = loop->getPrevNode();
        Block *block = loop->getBlock();
        collapseParallelLoops(rewriter, loop, {all});
        Operation *next = before ? before->getNextNode() : &block->front();
        while (next && !isa<scf::ParallelOp>(next))
          next = next->getNextNode();
        if (!next) {
          loop->emitError("cannot collapse the parallel loop");
          return signalPassFailure();
        }
        loop = cast<scf::ParallelOp>(next);
      }
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
