//===- Initializers.h - init= specs and PyTorch's init rules ----*- C++ -*-===//
#ifndef CNNC_FRONTEND_INITIALIZERS_H
#define CNNC_FRONTEND_INITIALIZERS_H

#include "frontend/ExprEval.h"
#include "frontend/Graph.h"

#include <optional>

namespace cnnc {

/// An initializer as written (`kaiming_normal(nonlinearity=relu)`), before
/// the tensor it applies to, and so its fan, is known.
struct InitSpec {
  enum Kind {
    Constant, Normal, Uniform, KaimingNormal, KaimingUniform, XavierNormal,
    XavierUniform
  } kind = Constant;
  double a = 0, b = 0;            ///< Constant: a; Normal: mean, std; Uniform: low, high
  double slope = 0;               ///< kaiming: a (leaky_relu negative slope)
  double gain = 1;                ///< xavier
  std::string nonlinearity = "leaky_relu";
  bool fanOut = false;            ///< kaiming mode=fan_out
  std::string name;               ///< for messages
  llvm::SMLoc loc;
};

/// Parses `zeros`, `constant(0.5)`, `kaiming_normal(nonlinearity=relu)`, ...
std::optional<InitSpec> parseInit(const Expr &e, const ConstEnv &env,
                                  Diagnostics &diag);

/// Resolves spec for a tensor of the given shape (fans as PyTorch's
/// _calculate_fan_in_and_fan_out: dim 1 times the receptive field, dim 0
/// times the receptive field).
std::optional<Init> resolveInit(const InitSpec &spec,
                                const std::vector<int64_t> &shape,
                                llvm::StringRef tensor, Diagnostics &diag);

/// PyTorch's torch.nn.init.calculate_gain.
double calculateGain(llvm::StringRef nonlinearity, double param);

/// Default of conv/linear weight and bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
Init defaultUniform(int64_t fanIn);

} // namespace cnnc

#endif // CNNC_FRONTEND_INITIALIZERS_H
