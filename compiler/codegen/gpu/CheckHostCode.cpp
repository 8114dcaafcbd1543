//===- CheckHostCode.cpp - no device memory touched by the host -----------===//

#include "codegen/gpu/DeviceAccess.h"
#include "codegen/gpu/Passes.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUCHECKHOSTCODE
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

struct GpuCheckHostCode : impl::GpuCheckHostCodeBase<GpuCheckHostCode> {
  void runOnOperation() override {
    WalkResult result =
        getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<mlir::gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (!touchesElements(op))
        return WalkResult::advance();
      op->emitError("the GPU schedule left this op on the host, where it "
                    "would access device memory");
      return WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
} // namespace cnnc::gpu
