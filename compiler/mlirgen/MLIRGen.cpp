//===- MLIRGen.cpp - the elaborated graph as cnn dialect IR ---------------===//
//
// Sema has already evaluated every parameter, instantiated every block and
// inferred every shape, so this is a direct, one-op-per-node translation.
// Parameters are read where they are used: a shared block's weights are read
// once per use, which is what makes sharing visible in the IR.
//
//===----------------------------------------------------------------------===//

#include "mlirgen/MLIRGen.h"

#include "cnn/CnnDialect.h"
#include "cnn/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace cnnc {
namespace {

class MLIRGenImpl {
public:
  MLIRGenImpl(MLIRContext &context, const Graph &graph,
              const llvm::SourceMgr &sourceMgr)
      : context(context), builder(&context), graph(graph),
        sourceMgr(sourceMgr) {}

  OwningOpRef<ModuleOp> build() {
    OwningOpRef<ModuleOp> module =
        ModuleOp::create(fileLoc(graph.nodes.empty() ? llvm::SMLoc()
                                                     : graph.nodes[0].loc));
    (*module)->setAttr("cnn.model", builder.getStringAttr(graph.name));
    SmallVector<NamedAttribute> hyper;
    for (const auto &[name, value] : graph.hyperparams)
      hyper.push_back(builder.getNamedAttr(name, builder.getStringAttr(value)));
    (*module)->setAttr("cnn.hyperparams", builder.getDictionaryAttr(hyper));

    builder.setInsertionPointToEnd(module->getBody());
    buildTrainConfig();
    std::vector<std::vector<std::string>> aliases = collectAliases();
    for (size_t i = 0; i < graph.tensors.size(); ++i)
      buildParam(graph.tensors[i], aliases[i]);
    buildForward();
    return module;
  }

private:
  /// The file:line:col of a source position.
  Location fileLoc(llvm::SMLoc loc) {
    if (!loc.isValid())
      return FileLineColLoc::get(&context, graph.file, 0, 0);
    unsigned buffer = sourceMgr.FindBufferContainingLoc(loc);
    auto [line, col] = sourceMgr.getLineAndColumn(loc, buffer);
    StringRef file =
        sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier();
    return FileLineColLoc::get(&context, file, line, col);
  }

  /// A node's location: its source position, named by the layer's module
  /// path when it comes from a layer ("resblocks.3.conv").
  Location nodeLoc(const Node &node) {
    Location loc = fileLoc(node.loc);
    if (node.scope.empty())
      return loc;
    return NameLoc::get(builder.getStringAttr(node.scope), loc);
  }

  RankedTensorType tensorType(const TensorDecl &tensor) {
    Type element = tensor.isInteger ? Type(builder.getI64Type())
                                    : Type(builder.getF32Type());
    return RankedTensorType::get(tensor.shape, element);
  }

  /// Activations: a dynamic batch dimension ahead of the per-sample shape.
  RankedTensorType activationType(ArrayRef<int64_t> sampleShape) {
    SmallVector<int64_t> shape{ShapedType::kDynamic};
    shape.append(sampleShape.begin(), sampleShape.end());
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  Attribute initAttr(const Init &init) {
    switch (init.kind) {
    case Init::Uniform:
      return cnn::UniformAttr::get(&context, init.a, init.b);
    case Init::Normal:
      return cnn::NormalAttr::get(&context, init.a, init.b);
    case Init::Constant:
      return cnn::ConstantAttr::get(&context, init.a);
    }
    llvm_unreachable("unknown initializer kind");
  }

  void buildTrainConfig() {
    const TrainConfig &t = graph.train;
    cnn::PenaltyKind penalty = cnn::PenaltyKind::none;
    if (t.penalty == TrainConfig::Penalty::L1)
      penalty = cnn::PenaltyKind::l1;
    else if (t.penalty == TrainConfig::Penalty::L2)
      penalty = cnn::PenaltyKind::l2;
    cnn::TrainConfigOp::create(
        builder, fileLoc({}), cnn::LossKind::cross_entropy,
        cnn::SgdAttr::get(&context, t.lr, t.momentum, t.dampening, t.nesterov,
                          t.weightDecay),
        cnn::PenaltyAttr::get(&context, penalty, t.lambda), t.epochs,
        t.batchSize, t.seed);
  }

  /// The other names under which PyTorch's state_dict lists each tensor. A
  /// shared block's tensors are declared once, under the first use's name,
  /// but every use registers the block under its own module path: the tensor
  /// read by the layer at scope "resblocks.3.batch_norm" is also
  /// "resblocks.3.batch_norm.running_mean". In use order, without repeats
  /// and without the declared name; empty for tensors used once.
  std::vector<std::vector<std::string>> collectAliases() {
    std::vector<std::vector<std::string>> aliases(graph.tensors.size());
    std::vector<llvm::StringSet<>> seen(graph.tensors.size());
    for (const Node &node : graph.nodes) {
      if (node.scope.empty())
        continue;
      for (int index : {node.weight, node.bias, node.runningMean,
                        node.runningVar, node.numBatchesTracked}) {
        if (index < 0)
          continue;
        StringRef name = graph.tensors[index].name;
        // The tensor's own name within its layer: "weight", "running_mean".
        StringRef leaf = name.rsplit('.').second;
        if (leaf.empty())
          leaf = name;
        std::string alias = node.scope + "." + leaf.str();
        if (alias == name || !seen[index].insert(alias).second)
          continue;
        aliases[index].push_back(std::move(alias));
      }
    }
    return aliases;
  }

  void buildParam(const TensorDecl &tensor,
                  const std::vector<std::string> &aliases) {
    auto param = cnn::ParamOp::create(
        builder, fileLoc(tensor.loc), tensor.name, tensorType(tensor),
        tensor.isBuffer ? cnn::ParamRole::buffer : cnn::ParamRole::parameter,
        initAttr(tensor.init));
    if (!aliases.empty())
      param.setAliasesAttr(builder.getStrArrayAttr(
          SmallVector<StringRef>(aliases.begin(), aliases.end())));
  }

  /// Reads tensor `index` for a use at `loc`, or a null value when absent.
  Value read(int index, Location loc) {
    if (index < 0)
      return Value();
    const TensorDecl &tensor = graph.tensors[index];
    return cnn::ReadOp::create(builder, loc, tensorType(tensor), tensor.name);
  }

  void buildForward() {
    const Node &input = graph.nodes.front();
    const Node &output = graph.nodes[graph.output];
    auto funcType = builder.getFunctionType(activationType(input.shape),
                                            activationType(output.shape));
    auto func = func::FuncOp::create(builder, nodeLoc(input), "forward",
                                     funcType);
    Block *entry = func.addEntryBlock();
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(entry);

    values.assign(graph.nodes.size(), Value());
    values[0] = entry->getArgument(0);
    for (size_t i = 1; i < graph.nodes.size(); ++i)
      values[i] = buildNode(graph.nodes[i]);
    func::ReturnOp::create(builder, nodeLoc(output), values[graph.output]);
  }

  Value operand(const Node &node, unsigned i) { return values[node.inputs[i]]; }

  Value buildNode(const Node &node) {
    Location loc = nodeLoc(node);
    auto pair = [&](const std::array<int64_t, 2> &v) {
      return builder.getDenseI64ArrayAttr({v[0], v[1]});
    };
    switch (node.kind) {
    case NodeKind::Input:
      llvm_unreachable("the input is the function argument");
    case NodeKind::Conv2d: {
      Value weight = read(node.weight, loc), bias = read(node.bias, loc);
      return cnn::Conv2dOp::create(builder, loc, operand(node, 0), weight, bias,
                                   pair(node.stride), pair(node.padding));
    }
    case NodeKind::BatchNorm2d: {
      Value weight = read(node.weight, loc), bias = read(node.bias, loc);
      Value mean = read(node.runningMean, loc);
      Value var = read(node.runningVar, loc);
      return cnn::BatchNormOp::create(builder, loc, operand(node, 0), mean, var,
                                      weight, bias,
                                      builder.getF64FloatAttr(node.eps),
                                      builder.getF64FloatAttr(node.momentum));
    }
    case NodeKind::Dropout:
      return cnn::DropoutOp::create(builder, loc, operand(node, 0), node.p,
                                    node.dropoutSite);
    case NodeKind::Dropout2d:
      return cnn::Dropout2dOp::create(builder, loc, operand(node, 0), node.p,
                                      node.dropoutSite);
    case NodeKind::MaxPool2d:
      return cnn::MaxPool2dOp::create(builder, loc, operand(node, 0),
                                      pair(node.kernel), pair(node.stride));
    case NodeKind::AvgPool2d:
      return cnn::AvgPool2dOp::create(builder, loc, operand(node, 0),
                                      pair(node.kernel), pair(node.stride));
    case NodeKind::Linear: {
      Value weight = read(node.weight, loc), bias = read(node.bias, loc);
      return cnn::LinearOp::create(builder, loc, operand(node, 0), weight,
                                   bias);
    }
    case NodeKind::Relu:
      return cnn::ReluOp::create(builder, loc, operand(node, 0));
    case NodeKind::Tanh:
      return cnn::TanhOp::create(builder, loc, operand(node, 0));
    case NodeKind::Sigmoid:
      return cnn::SigmoidOp::create(builder, loc, operand(node, 0));
    case NodeKind::Flatten:
      return cnn::FlattenOp::create(builder, loc, operand(node, 0));
    case NodeKind::Add:
      return cnn::AddOp::create(builder, loc, operand(node, 0),
                                operand(node, 1));
    }
    llvm_unreachable("unknown node kind");
  }

  MLIRContext &context;
  OpBuilder builder;
  const Graph &graph;
  const llvm::SourceMgr &sourceMgr;
  std::vector<Value> values; ///< the value of each node, by id
};

} // namespace

OwningOpRef<ModuleOp> buildModule(MLIRContext &context, const Graph &graph,
                                  const llvm::SourceMgr &sourceMgr) {
  context.loadDialect<cnn::CnnDialect, func::FuncDialect>();
  return MLIRGenImpl(context, graph, sourceMgr).build();
}

} // namespace cnnc
