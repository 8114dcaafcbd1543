//===- Flops.cpp - arithmetic of one forward pass -------------------------===//
#include "analysis/Flops.h"

#include "cnn/CnnNames.h"
#include "cnn/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace cnnc {
namespace {

/// Elements of one sample of a batch-first tensor.
int64_t sampleElements(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t n = 1;
  for (int64_t d : type.getShape().drop_front())
    n *= d;
  return n;
}

int64_t opFlops(Operation *op) {
  return llvm::TypeSwitch<Operation *, int64_t>(op)
      .Case([](cnn::Conv2dOp conv) {
        auto w = cast<RankedTensorType>(conv.getWeight().getType()).getShape();
        int64_t out = sampleElements(conv.getResult());
        int64_t macs = out * w[1] * w[2] * w[3];
        return 2 * macs + (conv.getBias() ? out : 0);
      })
      .Case([](cnn::LinearOp linear) {
        auto w = cast<RankedTensorType>(linear.getWeight().getType()).getShape();
        return 2 * w[0] * w[1] + (linear.getBias() ? w[0] : 0);
      })
      .Case<cnn::BatchNormOp, cnn::BatchNormEvalOp>(
          [](Operation *bn) { return 2 * sampleElements(bn->getResult(0)); })
      .Case<cnn::MaxPool2dOp, cnn::AvgPool2dOp>([](Operation *pool) {
        auto kernel = pool->getAttrOfType<DenseI64ArrayAttr>("kernel");
        return sampleElements(pool->getResult(0)) * kernel[0] * kernel[1];
      })
      .Case<cnn::ReluOp, cnn::TanhOp, cnn::SigmoidOp, cnn::AddOp>(
          [](Operation *e) { return sampleElements(e->getResult(0)); })
      .Default([](Operation *) { return int64_t(0); });
}

} // namespace

int64_t forwardFlopsPerSample(ModuleOp module) {
  int64_t flops = 0;
  if (auto forward = module.lookupSymbol<func::FuncOp>(cnn::kForwardFnName))
    forward.walk([&](Operation *op) {
      int64_t times = 1;
      if (auto repeat = op->getParentOfType<cnn::RepeatOp>())
        times = repeat.getCount();
      flops += times * opFlops(op);
    });
  return flops;
}

} // namespace cnnc
