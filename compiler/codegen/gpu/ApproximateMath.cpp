//===- ApproximateMath.cpp - math functions the kernels compute inline ----===//

#include "codegen/gpu/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUAPPROXIMATEMATH
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

struct GpuApproximateMath
    : impl::GpuApproximateMathBase<GpuApproximateMath> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // Every function MLIR approximates; sqrt, fma and abs stay: NVVM has
    // instructions for them.
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef) { return true; });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace cnnc::gpu
