//===- LayerCatalog.cpp - one LayerSpec per built-in -----------------------===//
#include "frontend/LayerCatalog.h"

#include "frontend/Initializers.h"
#include "frontend/Sema.h"

using namespace cnnc;
namespace shape = cnn::shape;

namespace {

//===----------------------------------------------------------------------===//
// Argument checks
//===----------------------------------------------------------------------===//

/// An integer within [lo, limits::maxDim], as a layer's sizes are.
template <int64_t lo>
std::optional<std::string> dimAtLeast(llvm::StringRef name, const ArgValue &v) {
  if (v.i < lo)
    return name.str() + " must be " + (lo > 0 ? "positive" : "non-negative") +
           ", got " + std::to_string(v.i);
  if (v.i > limits::maxDim)
    return name.str() + " " + std::to_string(v.i) +
           " is too large (the limit is " + std::to_string(limits::maxDim) +
           ")";
  return std::nullopt;
}
constexpr ArgCheck positive = dimAtLeast<1>;
constexpr ArgCheck nonNegative = dimAtLeast<0>;

/// A pooling function's window size: in [1, limits::maxDim].
std::optional<std::string> windowDim(llvm::StringRef name, const ArgValue &v) {
  if (v.i < 1 || v.i > limits::maxDim)
    return name.str() + " must be in [1, " + std::to_string(limits::maxDim) +
           "], got " + std::to_string(v.i);
  return std::nullopt;
}

std::optional<std::string> batchKept(llvm::StringRef, const ArgValue &v) {
  if (v.i != 1)
    return "flatten keeps the batch dimension: start_dim must be 1, got " +
           std::to_string(v.i);
  return std::nullopt;
}

std::optional<std::string> positiveNumber(llvm::StringRef name,
                                          const ArgValue &v) {
  if (!(v.num > 0))
    return name.str() + " must be positive, got " + formatDouble(v.num);
  return std::nullopt;
}

std::optional<std::string> unitInterval(llvm::StringRef name,
                                        const ArgValue &v) {
  if (!(v.num >= 0 && v.num <= 1))
    return name.str() + " must be in [0, 1], got " + formatDouble(v.num);
  return std::nullopt;
}

std::optional<std::string> probability(llvm::StringRef, const ArgValue &v) {
  if (!(v.num >= 0 && v.num < 1))
    return "dropout probability must be in [0, 1), got " + formatDouble(v.num);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Parameter builders
//===----------------------------------------------------------------------===//

LayerParam intParam(const char *name, ArgCheck check, int64_t def = 1) {
  LayerParam p;
  p.sig.name = name;
  p.type = ArgType::Int;
  p.def = double(def);
  p.check = check;
  return p;
}
LayerParam numParam(const char *name, double def, ArgCheck checkLater) {
  LayerParam p;
  p.sig.name = name;
  p.type = ArgType::Number;
  p.def = def;
  p.checkLater = checkLater;
  return p;
}
LayerParam boolParam(const char *name, bool def) {
  LayerParam p;
  p.sig.name = name;
  p.type = ArgType::Bool;
  p.def = def;
  return p;
}
LayerParam initParam(const char *name, int requires = -1) {
  LayerParam p;
  p.sig.name = name;
  p.type = ArgType::Init;
  p.requires = requires;
  return p;
}
LayerParam required(LayerParam p, const char *alias = "") {
  p.sig.required = true;
  p.sig.alias = alias;
  return p;
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

TensorSpec tensor(const char *suffix,
                  std::vector<int64_t> (*shape)(const LayerArgs &),
                  Init (*init)(const LayerArgs &), int Node::*slot,
                  int initArg = -1, int onlyIf = -1) {
  TensorSpec t;
  t.suffix = suffix;
  t.shape = shape;
  t.init = init;
  t.slot = slot;
  t.initArg = initArg;
  t.onlyIf = onlyIf;
  return t;
}
TensorSpec buffer(TensorSpec t, bool isInteger = false) {
  t.isBuffer = true;
  t.isInteger = isInteger;
  return t;
}

template <int value> Init constantInit(const LayerArgs &) {
  return Init{Init::Constant, double(value), 0};
}

shape::Result sameShape(const shape::Shape &in, const LayerArgs &) {
  return shape::Result::ok(in);
}
shape::Result flattened(const shape::Shape &in, const LayerArgs &) {
  return shape::flatten(in);
}

//===----------------------------------------------------------------------===//
// The layers. Argument indices name the positions in each params list.
//===----------------------------------------------------------------------===//

namespace conv {
enum { In, Out, Kernel, Stride, Padding, Bias, WeightInit, BiasInit };
int64_t fanIn(const LayerArgs &a) {
  return a[In].i * a[Kernel].i * a[Kernel].i;
}
} // namespace conv

LayerSpec conv2d() {
  using namespace conv;
  LayerSpec s;
  s.name = "conv2d";
  s.kind = NodeKind::Conv2d;
  s.asLayer = true;
  s.params = {required(intParam("in_channels", positive)),
              required(intParam("out_channels", positive)),
              required(intParam("kernel_size", positive), "kernel"),
              intParam("stride", positive, 1),
              intParam("padding", nonNegative, 0),
              boolParam("bias", true),
              initParam("init"),
              initParam("bias_init", Bias)};
  s.tensors = {
      tensor(
          "weight",
          [](const LayerArgs &a) {
            return std::vector<int64_t>{a[Out].i, a[In].i, a[Kernel].i,
                                        a[Kernel].i};
          },
          [](const LayerArgs &a) { return defaultUniform(fanIn(a)); },
          &Node::weight, WeightInit),
      tensor(
          "bias",
          [](const LayerArgs &a) { return std::vector<int64_t>{a[Out].i}; },
          [](const LayerArgs &a) { return defaultUniform(fanIn(a)); },
          &Node::bias, BiasInit, Bias)};
  s.shape = [](const shape::Shape &in, const LayerArgs &a) {
    return shape::conv2d(in, a[In].i, a[Out].i, a[Kernel].i, a[Kernel].i,
                         a[Stride].i, a[Stride].i, a[Padding].i, a[Padding].i);
  };
  s.attrs = [](const LayerArgs &a, Node &n) {
    n.kernel = {a[Kernel].i, a[Kernel].i};
    n.stride = {a[Stride].i, a[Stride].i};
    n.padding = {a[Padding].i, a[Padding].i};
  };
  return s;
}

namespace bn {
enum { Features, Eps, Momentum, Affine, WeightInit, BiasInit };
std::vector<int64_t> channels(const LayerArgs &a) { return {a[Features].i}; }
} // namespace bn

LayerSpec batchnorm2d() {
  using namespace bn;
  LayerSpec s;
  s.name = "batchnorm2d";
  s.kind = NodeKind::BatchNorm2d;
  s.asLayer = true;
  s.params = {required(intParam("num_features", positive), "features"),
              numParam("eps", 1e-5, positiveNumber),
              numParam("momentum", 0.1, unitInterval),
              boolParam("affine", true),
              initParam("weight_init", Affine),
              initParam("bias_init", Affine)};
  s.tensors = {
      tensor("weight", channels, constantInit<1>, &Node::weight, WeightInit,
             Affine),
      tensor("bias", channels, constantInit<0>, &Node::bias, BiasInit, Affine),
      buffer(tensor("running_mean", channels, constantInit<0>,
                    &Node::runningMean)),
      buffer(tensor("running_var", channels, constantInit<1>,
                    &Node::runningVar)),
      buffer(tensor(
                 "num_batches_tracked",
                 [](const LayerArgs &) { return std::vector<int64_t>{}; },
                 constantInit<0>, &Node::numBatchesTracked),
             /*isInteger=*/true)};
  s.shape = [](const shape::Shape &in, const LayerArgs &a) {
    return shape::batchnorm2d(in, a[Features].i);
  };
  s.attrs = [](const LayerArgs &a, Node &n) {
    n.eps = a[Eps].num;
    n.momentum = a[Momentum].num;
  };
  return s;
}

LayerSpec dropout(const char *name, NodeKind kind,
                  shape::Result (*rule)(const shape::Shape &,
                                        const LayerArgs &)) {
  LayerSpec s;
  s.name = name;
  s.kind = kind;
  s.asLayer = true;
  s.params = {numParam("p", 0.5, probability)};
  s.shape = rule;
  s.attrs = [](const LayerArgs &a, Node &n) { n.p = a[0].num; };
  return s;
}

namespace lin {
enum { In, Out, Bias, WeightInit, BiasInit };
}

LayerSpec linear() {
  using namespace lin;
  LayerSpec s;
  s.name = "linear";
  s.kind = NodeKind::Linear;
  s.asLayer = true;
  s.params = {required(intParam("in_features", positive)),
              required(intParam("out_features", positive)),
              boolParam("bias", true), initParam("init"),
              initParam("bias_init", Bias)};
  s.tensors = {
      tensor(
          "weight",
          [](const LayerArgs &a) {
            return std::vector<int64_t>{a[Out].i, a[In].i};
          },
          [](const LayerArgs &a) { return defaultUniform(a[In].i); },
          &Node::weight, WeightInit),
      tensor(
          "bias",
          [](const LayerArgs &a) { return std::vector<int64_t>{a[Out].i}; },
          [](const LayerArgs &a) { return defaultUniform(a[In].i); },
          &Node::bias, BiasInit, Bias)};
  s.shape = [](const shape::Shape &in, const LayerArgs &a) {
    return shape::linear(in, a[In].i, a[Out].i);
  };
  return s;
}

/// max_pool2d / avg_pool2d, as layers and as functions: (kernel_size,
/// stride = kernel_size). The function checks its sizes once its input is
/// known, with its own message.
namespace pool {
enum { Kernel, Stride };
}

template <NodeKind kind> LayerSpec pool2d(const char *name) {
  using namespace pool;
  LayerSpec s;
  s.name = name;
  s.kind = kind;
  s.asLayer = s.asFunction = true;
  LayerParam stride = intParam("stride", positive);
  stride.defaultFrom = Kernel;
  s.params = {required(intParam("kernel_size", positive), "kernel"), stride};
  s.fnParams = s.params;
  for (LayerParam &p : s.fnParams) {
    p.check = nullptr;
    p.checkLater = windowDim;
  }
  s.shape = [](const shape::Shape &in, const LayerArgs &a) {
    return shape::pool2d(kind == NodeKind::MaxPool2d ? "max_pool2d"
                                                     : "avg_pool2d",
                         in, a[Kernel].i, a[Kernel].i, a[Stride].i,
                         a[Stride].i);
  };
  s.attrs = [](const LayerArgs &a, Node &n) {
    n.kernel = {a[Kernel].i, a[Kernel].i};
    n.stride = {a[Stride].i, a[Stride].i};
  };
  return s;
}

/// relu, tanh, sigmoid: element-wise, as layers and as functions.
LayerSpec activation(const char *name, NodeKind kind) {
  LayerSpec s;
  s.name = name;
  s.kind = kind;
  s.asLayer = s.asFunction = true;
  s.shape = sameShape;
  return s;
}

LayerSpec flatten() {
  LayerSpec s;
  s.name = "flatten";
  s.kind = NodeKind::Flatten;
  s.asLayer = s.asFunction = true;
  LayerParam startDim = intParam("start_dim", batchKept);
  s.fnParams = {startDim};
  s.shape = flattened;
  return s;
}

LayerSpec view() {
  LayerSpec s;
  s.name = "view";
  s.kind = NodeKind::Flatten;
  s.asFunction = true;
  s.customCall = true;
  s.shape = flattened;
  return s;
}

std::vector<LayerSpec> makeCatalog() {
  return {conv2d(),
          batchnorm2d(),
          dropout("dropout", NodeKind::Dropout, sameShape),
          dropout("dropout2d", NodeKind::Dropout2d,
                  [](const shape::Shape &in, const LayerArgs &) {
                    return shape::dropout2d(in);
                  }),
          linear(),
          pool2d<NodeKind::MaxPool2d>("max_pool2d"),
          pool2d<NodeKind::AvgPool2d>("avg_pool2d"),
          activation("relu", NodeKind::Relu),
          activation("tanh", NodeKind::Tanh),
          activation("sigmoid", NodeKind::Sigmoid),
          flatten(),
          view()};
}

} // namespace

//===----------------------------------------------------------------------===//

llvm::ArrayRef<LayerSpec> cnnc::layerCatalog() {
  static const std::vector<LayerSpec> catalog = makeCatalog();
  return catalog;
}

const LayerSpec *cnnc::findLayer(llvm::StringRef name) {
  for (const LayerSpec &s : layerCatalog())
    if (name == s.name)
      return &s;
  return nullptr;
}

std::vector<std::string> cnnc::layerNames() {
  std::vector<std::string> names;
  for (const LayerSpec &s : layerCatalog())
    if (s.asLayer)
      names.push_back(s.name);
  return names;
}

std::vector<std::string> cnnc::functionNames() {
  std::vector<std::string> names;
  for (const LayerSpec &s : layerCatalog())
    if (s.asFunction)
      names.push_back(s.name);
  return names;
}

Signature cnnc::layerSignature(const LayerSpec &spec) {
  Signature sig;
  sig.callee = spec.name;
  for (const LayerParam &p : spec.params)
    sig.params.push_back(p.sig);
  return sig;
}

Signature cnnc::functionSignature(const LayerSpec &spec) {
  Signature sig;
  sig.callee = spec.name;
  sig.params.push_back({"input", "", true});
  for (const LayerParam &p : spec.fnParams)
    sig.params.push_back(p.sig);
  return sig;
}

std::optional<LayerArgs>
cnnc::evalLayerArgs(llvm::ArrayRef<LayerParam> params,
                    llvm::ArrayRef<const Expr *> bound, const ConstEnv &env,
                    Diagnostics &diag, bool inputOk) {
  LayerArgs args(params.size());
  bool ok = true;
  for (size_t i = 0; i < params.size(); ++i) {
    const LayerParam &p = params[i];
    ArgValue &v = args[i];
    if (p.defaultFrom >= 0)
      v = args[p.defaultFrom];
    else
      v.i = int64_t(p.def), v.num = p.def, v.flag = p.def != 0;
    v.expr = bound[i];
    if (!v.expr || p.type == ArgType::Init)
      continue;
    const std::string &name = p.sig.name;
    bool evaluated = false;
    switch (p.type) {
    case ArgType::Int:
      if (auto x = evalInt(*v.expr, env, diag, name))
        v.i = *x, evaluated = true;
      break;
    case ArgType::Number:
      if (auto x = evalNumber(*v.expr, env, diag, name))
        v.num = *x, evaluated = true;
      break;
    case ArgType::Bool:
      if (auto x = evalBool(*v.expr, env, diag, name))
        v.flag = *x, evaluated = true;
      break;
    case ArgType::Init: break;
    }
    if (!evaluated) {
      ok = false;
      continue;
    }
    if (p.check)
      if (auto msg = p.check(name, v)) {
        diag.error(v.expr->begin(), *msg);
        ok = false;
      }
  }
  if (ok && inputOk) {
    for (size_t i = 0; i < params.size() && ok; ++i)
      if (params[i].checkLater && args[i].expr)
        if (auto msg = params[i].checkLater(params[i].sig.name, args[i])) {
          diag.error(args[i].expr->begin(), *msg);
          ok = false;
        }
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const LayerParam &p = params[i];
    if (p.requires >= 0 && args[i].expr && !args[p.requires].flag) {
      diag.error(args[i].expr->begin(),
                 p.sig.name + " given, but the layer has " +
                     params[p.requires].sig.name + "=false");
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;
  return args;
}
