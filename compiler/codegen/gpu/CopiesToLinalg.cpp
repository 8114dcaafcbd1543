//===- CopiesToLinalg.cpp - memref.copy as linalg.copy --------------------===//

#include "codegen/gpu/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUCOPIESTOLINALG
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

struct GpuCopiesToLinalg
    : impl::GpuCopiesToLinalgBase<GpuCopiesToLinalg> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](memref::CopyOp copy) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    });
  }
};

} // namespace
} // namespace cnnc::gpu
