//===- StripParams.cpp - drop the lowered module's cnn records ------------===//
#include "transforms/Passes.h"

#include "cnn/CnnOps.h"

using namespace mlir;

namespace cnn {
#define GEN_PASS_DEF_STRIPPARAMS
#include "transforms/Passes.h.inc"
} // namespace cnn

using namespace cnn;

namespace {
struct StripParamsPass : cnn::impl::StripParamsBase<StripParamsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> records;
    WalkResult result = module.walk([&](Operation *op) {
      if (isa<ParamOp, TrainConfigOp>(op)) {
        records.push_back(op);
        return WalkResult::skip();
      }
      if (isa<CnnDialect>(op->getDialect())) {
        op->emitOpError("is left after lowering; run convert-cnn-to-linalg "
                        "before cnn-strip-params");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    for (Operation *op : records)
      op->erase();
  }
};
} // namespace
