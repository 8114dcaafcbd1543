//===- SpecializeEval.cpp - specialise a model for inference --------------===//
//
// PyTorch's eval(): dropout is the identity and batchnorm normalises by the
// running statistics. A one-to-one rewrite of each op, done as a walk rather
// than by the greedy driver so that nothing else in the graph changes.
//
//===----------------------------------------------------------------------===//
#include "transforms/Passes.h"

#include "cnn/CnnOps.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace cnn {
#define GEN_PASS_DEF_SPECIALIZEEVAL
#include "transforms/Passes.h.inc"
} // namespace cnn

using namespace cnn;

namespace {
struct SpecializeEvalPass
    : cnn::impl::SpecializeEvalBase<SpecializeEvalPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    StringRef mode = getMode(module);
    if (!mode.empty() && mode != kEvalMode) {
      module.emitError("cannot specialise for eval: the module is already "
                       "specialised for ")
          << mode;
      return signalPassFailure();
    }

    IRRewriter rewriter(&getContext());
    module.walk([&](Operation *op) {
      if (isa<DropoutOp, Dropout2dOp>(op)) {
        rewriter.replaceOp(op, op->getOperand(0));
      } else if (auto bn = dyn_cast<BatchNormOp>(op)) {
        // replaceOpWithNewOp builds at the insertion point, not at `bn`.
        rewriter.setInsertionPoint(bn);
        rewriter.replaceOpWithNewOp<BatchNormEvalOp>(
            bn, bn.getType(), bn.getInput(), bn.getRunningMean(),
            bn.getRunningVar(), bn.getScale(), bn.getShift(), bn.getEpsAttr());
      }
    });
    module->setAttr(kModeAttrName, rewriter.getStringAttr(kEvalMode));
  }
};
} // namespace
