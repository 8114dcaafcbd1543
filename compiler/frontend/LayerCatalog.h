//===- LayerCatalog.h - the built-in layers, stated once --------*- C++ -*-===//
//
// Every built-in layer and function of the language has one LayerSpec: how it
// is called (argument names as PyTorch spells them, types, defaults, checks),
// the tensors a declaration of it creates (state_dict suffix, shape from the
// arguments, PyTorch's default initializer, parameter or buffer), the NodeKind
// it adds to the graph and its shape rule (from cnn/ShapeRules.h, which the
// dialect's verifiers share). Sema looks names up here; nothing else lists
// the layers, and the names offered by "did you mean" come from here too.
//
// A new layer is one entry in LayerCatalog.cpp, a NodeKind, and its lowering.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_LAYERCATALOG_H
#define CNNC_FRONTEND_LAYERCATALOG_H

#include "frontend/ExprEval.h"
#include "frontend/Graph.h"
#include "frontend/Signature.h"

#include "cnn/ShapeRules.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace cnnc {

/// An argument after evaluation: the field of its type is set, from the
/// source or the default.
struct ArgValue {
  int64_t i = 0;              ///< Int
  double num = 0;             ///< Number
  bool flag = false;          ///< Bool
  const Expr *expr = nullptr; ///< as written; null when not given
};
using LayerArgs = std::vector<ArgValue>;

enum class ArgType {
  Int,    ///< an integer (evalInt)
  Number, ///< an integer or a float (evalNumber)
  Bool,   ///< true or false (evalBool)
  Init,   ///< an initializer such as kaiming_normal(...), parsed once the
          ///< tensor it applies to exists
};

/// A check of an evaluated argument named `name`: the message (located at the
/// argument) when the value is rejected, nullopt when it is accepted.
using ArgCheck = std::optional<std::string> (*)(llvm::StringRef name,
                                                const ArgValue &v);

/// One argument of a layer or function, in positional order.
struct LayerParam {
  ParamSpec sig;               ///< name, alias, required
  ArgType type = ArgType::Int;
  double def = 0;              ///< the value when not given (Int, Number, Bool)
  int defaultFrom = -1;        ///< or: the value of this earlier argument
  /// Checked as soon as the argument is evaluated; the other arguments are
  /// still evaluated and checked.
  ArgCheck check = nullptr;
  /// Checked once every argument (and a function's input) evaluated without
  /// error, in order; the first rejection ends the checks.
  ArgCheck checkLater = nullptr;
  /// Init: the Bool argument that must be true when this one is given
  /// ("bias_init given, but the layer has bias=false").
  int requires = -1;
};

/// A tensor a layer declaration creates, under `<layer path>.<suffix>`.
struct TensorSpec {
  const char *suffix = "";                          ///< "weight", "running_var"
  std::vector<int64_t> (*shape)(const LayerArgs &) = nullptr;
  Init (*init)(const LayerArgs &) = nullptr;        ///< PyTorch's default
  int initArg = -1;  ///< the Init argument that replaces the default
  int onlyIf = -1;   ///< created only when this Bool argument is true
  bool isBuffer = false, isInteger = false;
  int Node::*slot = nullptr; ///< where the node refers to it
};

struct LayerSpec {
  const char *name = "";
  NodeKind kind = NodeKind::Input;
  bool asLayer = false;    ///< `name = layer(args)`, then `name(x)`
  bool asFunction = false; ///< `layer(x, args)` inside forward
  /// view(x, -1, n): sizes rather than an argument list; Sema checks the
  /// call itself.
  bool customCall = false;
  std::vector<LayerParam> params;   ///< as a layer
  std::vector<LayerParam> fnParams; ///< as a function, after the input
  std::vector<TensorSpec> tensors;  ///< in state_dict order
  /// The output shape (batch excluded) for an input shape, from either
  /// argument list (the two agree where a rule reads them).
  cnn::shape::Result (*shape)(const cnn::shape::Shape &in,
                              const LayerArgs &args) = nullptr;
  /// Copies attributes (kernel, stride, p, eps, ...) onto the node; may be
  /// null.
  void (*attrs)(const LayerArgs &args, Node &n) = nullptr;
};

/// Every built-in, in the order of the language reference.
llvm::ArrayRef<LayerSpec> layerCatalog();
/// The built-in named `name`, or null.
const LayerSpec *findLayer(llvm::StringRef name);
/// Names usable as layers / as functions, in catalogue order (for "did you
/// mean").
std::vector<std::string> layerNames();
std::vector<std::string> functionNames();

/// The call signature of spec as a layer (`conv2d(...)`) or as a function
/// (`max_pool2d(input, ...)`).
Signature layerSignature(const LayerSpec &spec);
Signature functionSignature(const LayerSpec &spec);

/// Evaluates bound arguments (null: not given) of params in env, as their
/// types say, with their checks: each one's `check` as it is evaluated; then,
/// when all of them and `inputOk` succeeded, the `checkLater` ones up to the
/// first rejection; then the `requires` ones. nullopt when anything was
/// reported.
std::optional<LayerArgs> evalLayerArgs(llvm::ArrayRef<LayerParam> params,
                                       llvm::ArrayRef<const Expr *> bound,
                                       const ConstEnv &env, Diagnostics &diag,
                                       bool inputOk = true);

} // namespace cnnc

#endif // CNNC_FRONTEND_LAYERCATALOG_H
