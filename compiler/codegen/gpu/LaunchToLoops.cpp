//===- LaunchToLoops.cpp - the GPU schedule emulated on the CPU -----------===//

#include "codegen/gpu/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPULAUNCHTOLOOPS
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

struct GpuLaunchToLoops : impl::GpuLaunchToLoopsBase<GpuLaunchToLoops> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<mlir::gpu::LaunchOp> launches;
    getOperation().walk(
        [&](mlir::gpu::LaunchOp launch) { launches.push_back(launch); });
    for (mlir::gpu::LaunchOp launch : launches) {
      if (!launch.getBody().hasOneBlock() ||
          launch.getDynamicSharedMemorySize() ||
          launch.getAsyncToken()) {
        launch.emitError("only single-block launches without shared memory "
                         "or async tokens run as loops");
        return signalPassFailure();
      }
      bool barrier = false;
      launch.walk([&](mlir::gpu::BarrierOp) { barrier = true; });
      if (barrier) {
        launch.emitError("a kernel with barriers cannot run as loops");
        return signalPassFailure();
      }
      Location loc = launch.getLoc();
      rewriter.setInsertionPoint(launch);
      Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
      Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
      mlir::gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      mlir::gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
      // Outermost first: blocks z, y, x, then threads z, y, x.
      Value bounds[6] = {grid.z, grid.y, grid.x, block.z, block.y, block.x};
      // Last to first: the GPU runs threads in no order, so a kernel that
      // needs one (a race there) gives wrong numbers here too, at least
      // when it needs the order of the launch's ids.
      Value ivs[6];
      for (int i = 0; i < 6; ++i) {
        auto loop = rewriter.create<scf::ForOp>(loc, zero, bounds[i], one);
        rewriter.setInsertionPoint(loop.getBody()->getTerminator());
        Value last = rewriter.create<arith::SubIOp>(loc, bounds[i], one);
        ivs[i] =
            rewriter.create<arith::SubIOp>(loc, last, loop.getInductionVar());
      }
      Block &body = launch.getBody().front();
      rewriter.eraseOp(body.getTerminator());
      mlir::gpu::KernelDim3 blockIds = launch.getBlockIds(),
                            threadIds = launch.getThreadIds(),
                            gridSize = launch.getGridSize(),
                            blockSize = launch.getBlockSize();
      DenseMap<Value, Value> replace = {
          {blockIds.z, ivs[0]},  {blockIds.y, ivs[1]},  {blockIds.x, ivs[2]},
          {threadIds.z, ivs[3]}, {threadIds.y, ivs[4]}, {threadIds.x, ivs[5]},
          {gridSize.x, grid.x},  {gridSize.y, grid.y},  {gridSize.z, grid.z},
          {blockSize.x, block.x}, {blockSize.y, block.y},
          {blockSize.z, block.z}};
      SmallVector<Value> arguments;
      for (BlockArgument arg : body.getArguments()) {
        auto it = replace.find(arg);
        if (it == replace.end()) {
          launch.emitError("unexpected launch argument");
          return signalPassFailure();
        }
        arguments.push_back(it->second);
      }
      rewriter.inlineBlockBefore(&body, rewriter.getInsertionBlock(),
                                 rewriter.getInsertionPoint(), arguments);
      rewriter.eraseOp(launch);
    }
  }
};

} // namespace
} // namespace cnnc::gpu
