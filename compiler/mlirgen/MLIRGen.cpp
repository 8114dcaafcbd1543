//===- MLIRGen.cpp - the elaborated graph as cnn dialect IR ---------------===//
//
// Sema has already evaluated every parameter, instantiated every block and
// inferred every shape, so this is a direct, one-op-per-node translation.
// Parameters are read where they are used: a shared block's weights are read
// once per use, which is what makes sharing visible in the IR.
//
// A repeated block (Graph::repeats) whose iterations are alike becomes one
// cnn.repeat holding iteration 0's ops: its compile time does not grow with
// the count. A sequential repetition's tensors are declared as stacks (one
// cnn.param with `slices` per tensor of the block), read by iteration index.
//
//===----------------------------------------------------------------------===//

#include "mlirgen/MLIRGen.h"

#include "frontend/CompiledSize.h"

#include "cnn/CnnDialect.h"
#include "cnn/CnnNames.h"
#include "cnn/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/SourceMgr.h"

#include <map>
#include <optional>

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
    (*module)->setAttr(cnn::kModelAttrName, builder.getStringAttr(graph.name));
    SmallVector<NamedAttribute> hyper;
    for (const auto &[name, value] : graph.hyperparams)
      hyper.push_back(builder.getNamedAttr(name, builder.getStringAttr(value)));
    (*module)->setAttr(cnn::kHyperparamsAttrName,
                       builder.getDictionaryAttr(hyper));

    builder.setInsertionPointToEnd(module->getBody());
    buildTrainConfig();
    chooseLoops();
    std::vector<std::vector<std::string>> aliases = collectAliases();
    for (size_t i = 0; i < graph.tensors.size(); ++i) {
      auto stacked = stackOf.find(int(i));
      if (stacked == stackOf.end())
        buildParam(graph.tensors[i], aliases[i]);
      else if (stacked->second.first == int(i))
        buildStackedParam(stacked->second);
    }
    buildForward();
    return module;
  }

private:
  /// A repetition compiled as a loop. Sequential: iteration k reads tensor
  /// `t + k * tensorStride` where iteration 0 reads t, and the tensors of
  /// iteration 0 are [firstTensor, firstTensor + tensorStride).
  struct Loop {
    const Repeat *repeat;
    int firstTensor = -1, tensorStride = 0;
  };
  /// The stack a sequential loop's tensor belongs to: iteration 0's tensor,
  /// the count and the stride.
  struct Stack {
    int first, count, stride;
    std::string name;
  };

  /// Where iteration k's counterpart of iteration 0's node `a` is, if `a`
  /// belongs to the iteration (or is its input).
  static std::optional<unsigned> counterpart(const Repeat &r, unsigned a,
                                             unsigned k) {
    if (a == r.input)
      return k == 0 ? r.input
                    : r.first + (k - 1) * r.nodesPerIteration + r.resultOffset;
    if (a >= r.first && a < r.first + r.nodesPerIteration)
      return a + k * r.nodesPerIteration;
    return std::nullopt;
  }

  static std::array<int, 5> tensorsOf(const Node &n) {
    return {n.weight, n.bias, n.runningMean, n.runningVar,
            n.numBatchesTracked};
  }

  /// Whether every iteration of `r` is iteration 0 again: same ops, same
  /// wiring, the same tensors (shared) or the next block's (sequential,
  /// fills in `loop`'s tensor range).
  bool iterationsAlike(const Repeat &r, Loop &loop) {
    unsigned m = r.nodesPerIteration;
    int sitesPerIteration = 0;
    for (unsigned j = 0; j < m; ++j) {
      NodeKind kind = graph.nodes[r.first + j].kind;
      sitesPerIteration += kind == NodeKind::Dropout || kind == NodeKind::Dropout2d;
    }
    int lo = INT32_MAX, hi = -1;
    for (unsigned j = 0; j < m; ++j)
      for (int t : tensorsOf(graph.nodes[r.first + j]))
        if (t >= 0)
          lo = std::min(lo, t), hi = std::max(hi, t);
    int stride = r.shared || hi < 0 ? 0 : hi - lo + 1;
    for (unsigned k = 1; k < r.count; ++k) {
      for (unsigned j = 0; j < m; ++j) {
        const Node &a = graph.nodes[r.first + j];
        const Node &b = graph.nodes[r.first + k * m + j];
        if (a.kind != b.kind || a.shape != b.shape || a.kernel != b.kernel ||
            a.stride != b.stride || a.padding != b.padding || a.p != b.p ||
            a.eps != b.eps || a.momentum != b.momentum ||
            a.inputs.size() != b.inputs.size())
          return false;
        if ((a.kind == NodeKind::Dropout || a.kind == NodeKind::Dropout2d) &&
            b.dropoutSite != a.dropoutSite + k * sitesPerIteration)
          return false;
        for (auto [x, y] : llvm::zip(a.inputs, b.inputs))
          if (counterpart(r, x, k) != std::optional<unsigned>(y))
            return false;
        for (auto [x, y] : llvm::zip(tensorsOf(a), tensorsOf(b)))
          if ((x < 0) != (y < 0) || (x >= 0 && y != x + int(k) * stride))
            return false;
      }
    }
    if (stride > 0) {
      // The stacks: every tensor of the block, alike across blocks, used by
      // this loop only (no alias from a shared repetition inside).
      for (int t = lo; t < lo + stride * int(r.count); ++t) {
        const TensorDecl &x = graph.tensors[t];
        const TensorDecl &y = graph.tensors[lo + (t - lo) % stride];
        if (x.shape != y.shape || x.isBuffer != y.isBuffer ||
            x.isInteger != y.isInteger || x.init.kind != y.init.kind ||
            x.init.a != y.init.a || x.init.b != y.init.b)
          return false;
      }
      std::vector<std::vector<std::string>> aliases = collectAliases();
      for (int t = lo; t < lo + stride * int(r.count); ++t)
        if (!aliases[t].empty())
          return false;
      loop.firstTensor = lo;
      loop.tensorStride = stride;
    }
    return true;
  }

  /// Picks the outermost repetitions whose iterations are alike; the ones
  /// inside them stay unrolled in the loop body.
  void chooseLoops() {
    unsigned coveredEnd = 0;
    for (const Repeat *r : outermostFirst(graph)) {
      if (r->first < coveredEnd)
        continue;
      Loop loop{r};
      if (!iterationsAlike(*r, loop))
        continue;
      loops[r->first] = loop;
      coveredEnd = r->first + r->nodesPerIteration * r->count;
      for (int j = 0; j < loop.tensorStride; ++j) {
        Stack stack{loop.firstTensor + j, int(r->count), loop.tensorStride,
                    stackName(*r, graph.tensors[loop.firstTensor + j].name)};
        for (int k = 0; k < stack.count; ++k)
          stackOf[stack.first + k * stack.stride] = stack;
      }
    }
  }

  /// "resblocks.0.conv.weight" -> "resblocks.*.conv.weight".
  static std::string stackName(const Repeat &r, const std::string &name) {
    std::string prefix = r.scope + ".0.";
    if (StringRef(name).starts_with(prefix))
      return r.scope + ".*." + name.substr(prefix.size());
    return name + ".*";
  }

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

  void buildStackedParam(const Stack &stack) {
    const TensorDecl &tensor = graph.tensors[stack.first];
    RankedTensorType slice = tensorType(tensor);
    SmallVector<int64_t> shape{stack.count};
    llvm::append_range(shape, slice.getShape());
    SmallVector<StringRef> names;
    for (int k = 0; k < stack.count; ++k)
      names.push_back(graph.tensors[stack.first + k * stack.stride].name);
    auto param = cnn::ParamOp::create(
        builder, fileLoc(tensor.loc), stack.name, slice.clone(shape),
        tensor.isBuffer ? cnn::ParamRole::buffer : cnn::ParamRole::parameter,
        initAttr(tensor.init));
    param.setSlicesAttr(builder.getStrArrayAttr(names));
  }

  /// Reads tensor `index` for a use at `loc`, or a null value when absent.
  /// In a sequential loop's body: the iteration's slice of its stack.
  Value read(int index, Location loc) {
    if (index < 0)
      return Value();
    const TensorDecl &tensor = graph.tensors[index];
    if (iteration) {
      auto stacked = stackOf.find(index);
      if (stacked != stackOf.end())
        return cnn::ReadOp::create(builder, loc, stacked->second.name,
                                   tensorType(tensor), iteration);
    }
    return cnn::ReadOp::create(builder, loc, tensor.name, tensorType(tensor));
  }

  /// One cnn.repeat for `loop`: iteration 0's nodes as its body.
  Value buildLoop(const Loop &loop) {
    const Repeat &r = *loop.repeat;
    Location loc = fileLoc(r.loc);
    if (!r.scope.empty())
      loc = NameLoc::get(builder.getStringAttr(r.scope), loc);
    Value input = values[r.input];
    auto repeat = cnn::RepeatOp::create(builder, loc, input, r.count);
    Block *body = new Block();
    repeat.getBody().push_back(body);
    Value k = body->addArgument(builder.getIndexType(), loc);
    Value carried = body->addArgument(input.getType(), loc);

    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(body);
    values[r.input] = carried;
    iteration = k;
    for (unsigned j = 0; j < r.nodesPerIteration; ++j)
      values[r.first + j] = buildNode(graph.nodes[r.first + j]);
    iteration = Value();
    Value result = values[r.first + r.resultOffset];
    cnn::YieldOp::create(builder, loc, result);
    values[r.input] = input;
    return repeat.getResult();
  }

  void buildForward() {
    const Node &input = graph.nodes.front();
    const Node &output = graph.nodes[graph.output];
    auto funcType = builder.getFunctionType(activationType(input.shape),
                                            activationType(output.shape));
    auto func = func::FuncOp::create(builder, nodeLoc(input),
                                     cnn::kForwardFnName, funcType);
    Block *entry = func.addEntryBlock();
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(entry);

    values.assign(graph.nodes.size(), Value());
    values[0] = entry->getArgument(0);
    for (size_t i = 1; i < graph.nodes.size(); ++i) {
      auto loop = loops.find(unsigned(i));
      if (loop == loops.end()) {
        values[i] = buildNode(graph.nodes[i]);
        continue;
      }
      // Only the last iteration's result is visible after the loop.
      const Repeat &r = *loop->second.repeat;
      unsigned end = r.first + r.count * r.nodesPerIteration;
      unsigned last = end - r.nodesPerIteration + r.resultOffset;
      values[last] = buildLoop(loop->second);
      i = end - 1;
    }
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
  std::map<unsigned, Loop> loops;       ///< by first node
  std::map<int, Stack> stackOf;         ///< every tensor held by a stack
  Value iteration;                      ///< the loop index, in a body
};

} // namespace

OwningOpRef<ModuleOp> buildModule(MLIRContext &context, const Graph &graph,
                                  const llvm::SourceMgr &sourceMgr) {
  context.loadDialect<cnn::CnnDialect, func::FuncDialect>();
  return MLIRGenImpl(context, graph, sourceMgr).build();
}

} // namespace cnnc
