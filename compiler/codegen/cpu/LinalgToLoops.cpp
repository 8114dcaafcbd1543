//===- LinalgToLoops.cpp - leftover linalg ops to rolled scalar loops -----===//
//
// What the register tiles leave of linalg on buffers (a filter's layout
// copy, a parameter's small reshuffle) runs as scalar loop nests. At -O3
// LLVM fully unrolls the small ones into straight-line copies: a filter's
// 3x3x32x32 layout copy became hundreds of scalar loads and stores per
// layer, for no speed (they run once a step, outside the parallel regions),
// and instruction selection and scheduling paid for every one. Their loops
// are marked llvm.loop.unroll.disable. (The strided copies LowerVector.cpp
// writes are not: in the per-image regions their unrolling measured faster.)
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMAttrs.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc::cpu {
#define GEN_PASS_DEF_CPULINALGTOLOOPS
#include "codegen/cpu/Passes.h.inc"
} // namespace cnnc::cpu

using namespace mlir;

namespace {

/// llvm.loop.unroll.disable, as an scf.for attribute: scf-to-cf carries an
/// scf.for's LLVM attributes to its latch branch, where `loop_annotation`
/// is llvm.br's own, translated to !llvm.loop metadata.
LLVM::LoopAnnotationAttr rolledLoop(MLIRContext *ctx) {
  auto unroll = LLVM::LoopUnrollAttr::get(
      ctx, /*disable=*/BoolAttr::get(ctx, true), /*count=*/nullptr,
      /*runtimeDisable=*/nullptr, /*full=*/nullptr, nullptr, nullptr, nullptr);
  return LLVM::LoopAnnotationAttr::get(
      ctx, /*disableNonforced=*/nullptr, /*vectorize=*/nullptr,
      /*interleave=*/nullptr, unroll, nullptr, nullptr, nullptr, nullptr,
      nullptr, nullptr, /*mustProgress=*/nullptr, nullptr, nullptr, nullptr,
      {});
}

struct CpuLinalgToLoopsPass
    : cnnc::cpu::impl::CpuLinalgToLoopsBase<CpuLinalgToLoopsPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics())
        ops.push_back(op);
    });
    LLVM::LoopAnnotationAttr rolled = rolledLoop(&getContext());
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::LinalgLoops> loops =
          linalg::linalgOpToLoops(rewriter, op);
      if (failed(loops)) {
        op->emitError("cnn-cpu-linalg-to-loops: cannot lower to loops");
        return signalPassFailure();
      }
      for (Operation *loop : *loops)
        loop->setAttr("loop_annotation", rolled);
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
