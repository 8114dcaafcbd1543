//===- GraphPrinter.cpp ---------------------------------------------------===//
#include "frontend/GraphPrinter.h"

#include "frontend/LayerCatalog.h"
#include "frontend/Value.h"

#include "cnn/ShapeRules.h"

using namespace cnnc;

llvm::StringRef cnnc::nodeKindName(NodeKind kind) {
  if (kind == NodeKind::Input)
    return "input";
  if (kind == NodeKind::Add)
    return "add";
  // The first built-in that makes this kind: flatten, not view.
  for (const LayerSpec &spec : layerCatalog())
    if (spec.kind == kind)
      return spec.name;
  return "?";
}

static std::string initStr(const Init &i) {
  switch (i.kind) {
  case Init::Uniform:
    return "uniform(" + formatDouble(i.a) + ", " + formatDouble(i.b) + ")";
  case Init::Normal:
    return "normal(" + formatDouble(i.a) + ", " + formatDouble(i.b) + ")";
  case Init::Constant: return "constant(" + formatDouble(i.a) + ")";
  }
  return "?";
}

void cnnc::printGraph(const Graph &g, const llvm::SourceMgr &sm,
                      llvm::raw_ostream &os) {
  os << "graph " << g.name << "\n";
  for (const auto &[name, value] : g.hyperparams)
    os << "  param " << name << " = " << value << "\n";
  os << "tensors:\n";
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const TensorDecl &t = g.tensors[i];
    os << "  %" << i << " " << t.name << " " << cnn::shape::str(t.shape) << " "
       << (t.isBuffer ? "buffer" : "param") << (t.isInteger ? " i64" : " f32")
       << " " << initStr(t.init) << "\n";
  }
  os << "nodes:\n";
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node &n = g.nodes[i];
    os << "  #" << i << " " << nodeKindName(n.kind) << "(";
    for (size_t j = 0; j < n.inputs.size(); ++j)
      os << (j ? ", #" : "#") << n.inputs[j];
    os << ")";
    auto tensor = [&](const char *label, int idx) {
      if (idx >= 0)
        os << " " << label << "=%" << idx;
    };
    tensor("weight", n.weight);
    tensor("bias", n.bias);
    tensor("mean", n.runningMean);
    tensor("var", n.runningVar);
    tensor("count", n.numBatchesTracked);
    switch (n.kind) {
    case NodeKind::Conv2d:
      os << " kernel=" << n.kernel[0] << "x" << n.kernel[1]
         << " stride=" << n.stride[0] << "x" << n.stride[1]
         << " padding=" << n.padding[0] << "x" << n.padding[1];
      break;
    case NodeKind::MaxPool2d:
    case NodeKind::AvgPool2d:
      os << " kernel=" << n.kernel[0] << "x" << n.kernel[1]
         << " stride=" << n.stride[0] << "x" << n.stride[1];
      break;
    case NodeKind::BatchNorm2d:
      os << " eps=" << formatDouble(n.eps)
         << " momentum=" << formatDouble(n.momentum);
      break;
    case NodeKind::Dropout:
    case NodeKind::Dropout2d:
      os << " p=" << formatDouble(n.p) << " site=" << n.dropoutSite;
      break;
    default: break;
    }
    os << " -> " << cnn::shape::str(n.shape);
    if (!n.scope.empty())
      os << " @" << n.scope;
    if (n.loc.isValid()) {
      auto [line, col] = sm.getLineAndColumn(n.loc);
      os << " line " << line << ":" << col;
    }
    os << "\n";
  }
  os << "output #" << g.output << "\n";
  const TrainConfig &t = g.train;
  const char *penalty = t.penalty == TrainConfig::Penalty::L1   ? "l1"
                        : t.penalty == TrainConfig::Penalty::L2 ? "l2"
                                                                : "none";
  os << "train loss=cross_entropy optimizer=sgd(lr=" << formatDouble(t.lr)
     << ", momentum=" << formatDouble(t.momentum)
     << ", dampening=" << formatDouble(t.dampening)
     << ", weight_decay=" << formatDouble(t.weightDecay)
     << ", nesterov=" << (t.nesterov ? "true" : "false") << ") penalty="
     << penalty;
  if (t.penalty != TrainConfig::Penalty::None)
    os << "(" << formatDouble(t.lambda) << ")";
  os << " epochs=" << t.epochs << " batch_size=" << t.batchSize
     << " seed=" << t.seed << "\n";
}
