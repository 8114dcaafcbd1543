//===- ModelSummary.cpp - a model's vital statistics from its IR ----------===//
#include "analysis/ModelSummary.h"
#include "analysis/Flops.h"

#include "cnn/CnnNames.h"
#include "cnn/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Format.h"

using namespace mlir;

namespace cnnc {
namespace {

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(d) ? std::string("N") : std::to_string(d);
  }
  return s + "]";
}

/// 1234567 -> "1,234,567".
std::string grouped(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

} // namespace

void printModelSummary(ModuleOp module, llvm::raw_ostream &os) {
  auto name = module->getAttrOfType<StringAttr>(cnn::kModelAttrName);
  os << (name ? name.getValue() : StringRef("<model>"));
  if (auto hyper =
          module->getAttrOfType<DictionaryAttr>(cnn::kHyperparamsAttrName)) {
    os << "(";
    llvm::interleaveComma(hyper, os, [&](NamedAttribute a) {
      os << a.getName().getValue() << "=";
      if (auto s = dyn_cast<StringAttr>(a.getValue()))
        os << s.getValue();
      else
        os << a.getValue();
    });
    os << ")";
  }
  os << "\n";

  if (auto forward = module.lookupSymbol<func::FuncOp>(cnn::kForwardFnName)) {
    FunctionType type = forward.getFunctionType();
    if (type.getNumInputs() == 1 && type.getNumResults() == 1)
      os << "  input  " << shapeString(cast<ShapedType>(type.getInput(0)).getShape())
         << " -> output "
         << shapeString(cast<ShapedType>(type.getResult(0)).getShape()) << "\n";
  }

  int64_t paramValues = 0, bufferValues = 0;
  unsigned paramTensors = 0, bufferTensors = 0;
  for (auto param : module.getOps<cnn::ParamOp>()) {
    int64_t n = param.getTensorType().getNumElements();
    if (param.getRole() == cnn::ParamRole::parameter) {
      paramValues += n;
      paramTensors += param.getNumSlices();
    } else {
      bufferValues += n;
      bufferTensors += param.getNumSlices();
    }
  }
  os << "  flops  " << grouped(forwardFlopsPerSample(module))
     << " per sample (forward)\n";
  os << "  parameters " << grouped(paramValues) << " in " << paramTensors
     << " tensors, buffers " << grouped(bufferValues) << " in "
     << bufferTensors << " tensors\n";

  // Ops by kind in order of first appearance; reads counted separately since
  // they show how often each tensor is used (a shared block's, many times).
  llvm::MapVector<StringRef, unsigned> ops;
  unsigned reads = 0;
  // Ops as run: a loop body's once per iteration; the loop itself not.
  module.walk([&](Operation *op) {
    if (op->getDialect() && op->getDialect()->getNamespace() == "cnn" &&
        !isa<cnn::ParamOp, cnn::TrainConfigOp, cnn::RepeatOp, cnn::YieldOp>(
            op)) {
      unsigned times = 1;
      if (auto repeat = op->getParentOfType<cnn::RepeatOp>())
        times = unsigned(repeat.getCount());
      if (isa<cnn::ReadOp>(op))
        reads += times;
      else
        ops[op->getName().stripDialect()] += times;
    }
  });
  os << "  ops    ";
  llvm::interleaveComma(ops, os, [&](const auto &kv) {
    os << kv.first << " x" << kv.second;
  });
  os << "\n  tensor reads " << reads << "\n";

  for (auto config : module.getOps<cnn::TrainConfigOp>()) {
    auto sgd = dyn_cast<cnn::SgdAttr>(config.getOptimizer());
    auto penalty = config.getPenalty();
    os << "  train  ";
    auto num = [](const llvm::APFloat &v) {
      return llvm::format("%g", v.convertToDouble());
    };
    if (sgd)
      os << "sgd(lr=" << num(sgd.getLr()) << ", momentum="
         << num(sgd.getMomentum()) << ", dampening=" << num(sgd.getDampening())
         << ", nesterov=" << (sgd.getNesterov() ? "true" : "false")
         << ", weight_decay=" << num(sgd.getWeightDecay()) << ")";
    os << ", penalty " << cnn::stringifyPenaltyKind(penalty.getKind());
    if (penalty.getKind() != cnn::PenaltyKind::none)
      os << "(" << num(penalty.getStrength()) << ")";
    os << ", epochs " << config.getEpochs() << ", batch "
       << config.getBatchSize() << ", seed " << config.getSeed() << "\n";
  }
}

} // namespace cnnc
