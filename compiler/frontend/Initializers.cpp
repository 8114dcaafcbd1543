//===- Initializers.cpp ---------------------------------------------------===//
#include "frontend/Initializers.h"

#include "frontend/Signature.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>

using namespace cnnc;

double cnnc::calculateGain(llvm::StringRef nl, double param) {
  if (nl == "tanh")
    return 5.0 / 3.0;
  if (nl == "relu")
    return std::sqrt(2.0);
  if (nl == "leaky_relu")
    return std::sqrt(2.0 / (1 + param * param));
  if (nl == "selu")
    return 3.0 / 4.0;
  return 1.0; // linear, conv2d, sigmoid
}

Init cnnc::defaultUniform(int64_t fanIn) {
  double bound = fanIn > 0 ? 1.0 / std::sqrt(double(fanIn)) : 0.0;
  return Init{Init::Uniform, -bound, bound};
}

static const std::vector<std::string> nonlinearities = {
    "linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"};
static const std::vector<std::string> initNames = {
    "constant", "zeros", "ones", "normal", "uniform", "kaiming_normal",
    "kaiming_uniform", "xavier_normal", "xavier_uniform"};

std::optional<InitSpec> cnnc::parseInit(const Expr &e, const ConstEnv &env,
                                        Diagnostics &diag) {
  if (e.kind != Expr::Name && e.kind != Expr::Call) {
    diag.error(e.loc, "expected an initializer such as zeros, constant(0.5) or "
                      "kaiming_normal(nonlinearity=relu)");
    return std::nullopt;
  }
  InitSpec spec;
  spec.name = e.text;
  spec.loc = e.loc;
  Signature sig;
  sig.callee = e.text;
  int kind = llvm::StringSwitch<int>(e.text)
                 .Case("constant", 0)
                 .Case("zeros", 1)
                 .Case("ones", 2)
                 .Case("normal", 3)
                 .Case("uniform", 4)
                 .Case("kaiming_normal", 5)
                 .Case("kaiming_uniform", 6)
                 .Case("xavier_normal", 7)
                 .Case("xavier_uniform", 8)
                 .Default(-1);
  switch (kind) {
  case 0: sig.params = {{"val", "value", true}}; break;
  case 1:
  case 2: break;
  case 3: sig.params = {{"mean", ""}, {"std", ""}}; break;
  case 4: sig.params = {{"low", "a"}, {"high", "b"}}; break;
  case 5:
  case 6: sig.params = {{"a", ""}, {"mode", ""}, {"nonlinearity", ""}}; break;
  case 7:
  case 8: sig.params = {{"gain", ""}}; break;
  default:
    diag.error(e.loc, "unknown initializer '" + e.text + "'" +
                          didYouMean(e.text, initNames));
    return std::nullopt;
  }
  llvm::ArrayRef<Arg> args;
  if (e.kind == Expr::Call)
    args = e.args;
  auto bound = bindArgs(sig, args, e.loc, diag);
  if (!bound)
    return std::nullopt;
  auto arg = [&](size_t i) { return (*bound)[i]; };
  auto num = [&](size_t i, double def, double &out) {
    if (!arg(i)) {
      out = def;
      return true;
    }
    auto v = evalNumber(*arg(i), env, diag, sig.params[i].name);
    if (v)
      out = *v;
    return v.has_value();
  };

  bool ok = true;
  switch (kind) {
  case 0:
    spec.kind = InitSpec::Constant;
    ok = num(0, 0, spec.a);
    break;
  case 1:
  case 2:
    spec.kind = InitSpec::Constant;
    spec.a = kind == 2;
    break;
  case 3:
    spec.kind = InitSpec::Normal;
    ok = num(0, 0, spec.a) && num(1, 1, spec.b);
    if (ok && spec.b < 0) {
      diag.error(arg(1)->begin(), "normal std must be non-negative, got " +
                                  formatDouble(spec.b));
      ok = false;
    }
    break;
  case 4:
    spec.kind = InitSpec::Uniform;
    ok = num(0, 0, spec.a) && num(1, 1, spec.b);
    if (ok && spec.a > spec.b) {
      diag.error(e.loc, "uniform needs low <= high, got low " +
                            formatDouble(spec.a) + " and high " +
                            formatDouble(spec.b));
      ok = false;
    }
    break;
  case 5:
  case 6: {
    spec.kind = kind == 5 ? InitSpec::KaimingNormal : InitSpec::KaimingUniform;
    ok = num(0, 0, spec.slope);
    if (arg(1)) {
      auto mode = evalWord(*arg(1), {"fan_in", "fan_out"}, diag, "mode");
      ok = ok && mode;
      spec.fanOut = mode && *mode == "fan_out";
    }
    if (arg(2)) {
      auto nl = evalWord(*arg(2), nonlinearities, diag, "nonlinearity");
      ok = ok && nl;
      if (nl)
        spec.nonlinearity = *nl;
    }
    break;
  }
  case 7:
  case 8:
    spec.kind = kind == 7 ? InitSpec::XavierNormal : InitSpec::XavierUniform;
    ok = num(0, 1, spec.gain);
    break;
  }
  if (!ok)
    return std::nullopt;
  return spec;
}

std::optional<Init> cnnc::resolveInit(const InitSpec &spec,
                                      const std::vector<int64_t> &shape,
                                      llvm::StringRef tensor,
                                      Diagnostics &diag) {
  switch (spec.kind) {
  case InitSpec::Constant: return Init{Init::Constant, spec.a, 0};
  case InitSpec::Normal: return Init{Init::Normal, spec.a, spec.b};
  case InitSpec::Uniform: return Init{Init::Uniform, spec.a, spec.b};
  default: break;
  }
  if (shape.size() < 2) {
    diag.error(spec.loc, spec.name + " needs a tensor of at least 2 "
                                     "dimensions to compute its fan, but " +
                             tensor + " has " + std::to_string(shape.size()));
    return std::nullopt;
  }
  double receptive = 1;
  for (size_t i = 2; i < shape.size(); ++i)
    receptive *= double(shape[i]);
  double fanIn = double(shape[1]) * receptive;
  double fanOut = double(shape[0]) * receptive;
  switch (spec.kind) {
  case InitSpec::KaimingNormal:
  case InitSpec::KaimingUniform: {
    double fan = spec.fanOut ? fanOut : fanIn;
    double gain = calculateGain(spec.nonlinearity, spec.slope);
    if (spec.kind == InitSpec::KaimingNormal)
      return Init{Init::Normal, 0, gain / std::sqrt(fan)};
    double bound = gain * std::sqrt(3.0 / fan);
    return Init{Init::Uniform, -bound, bound};
  }
  case InitSpec::XavierNormal:
    return Init{Init::Normal, 0, spec.gain * std::sqrt(2.0 / (fanIn + fanOut))};
  case InitSpec::XavierUniform: {
    double bound = spec.gain * std::sqrt(6.0 / (fanIn + fanOut));
    return Init{Init::Uniform, -bound, bound};
  }
  default: break;
  }
  return std::nullopt;
}
