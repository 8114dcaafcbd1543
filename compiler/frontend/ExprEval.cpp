//===- ExprEval.cpp -------------------------------------------------------===//
#include "frontend/ExprEval.h"

#include <cmath>

using namespace cnnc;

const std::optional<Const> *ConstEnv::find(llvm::StringRef name) const {
  for (const ConstEnv *e = this; e; e = e->parent) {
    auto it = e->vars.find(name);
    if (it != e->vars.end())
      return &it->second;
  }
  return nullptr;
}

const std::string *ConstEnv::nonConstant(llvm::StringRef name) const {
  for (const ConstEnv *e = this; e; e = e->parent) {
    auto it = e->nonConstants.find(name);
    if (it != e->nonConstants.end())
      return &it->second;
  }
  return nullptr;
}

void ConstEnv::names(std::vector<std::string> &out) const {
  for (const ConstEnv *e = this; e; e = e->parent) {
    out.insert(out.end(), e->order.begin(), e->order.end());
    for (const auto &kv : e->nonConstants)
      out.push_back(kv.getKey().str());
  }
}

static const char *opSpelling(Tok op) {
  switch (op) {
  case Tok::Plus: return "+";
  case Tok::Minus: return "-";
  case Tok::Star: return "*";
  case Tok::StarStar: return "**";
  case Tok::Slash: return "/";
  case Tok::SlashSlash: return "//";
  case Tok::Percent: return "%";
  default: return "?";
  }
}

std::optional<Const> cnnc::applyUnary(Tok op, const Const &v, llvm::SMLoc loc,
                                      Diagnostics &diag) {
  if (!v.isNumber()) {
    diag.error(loc, llvm::Twine("operator '") + opSpelling(op) +
                        "' needs a number, got " + v.describe());
    return std::nullopt;
  }
  if (op == Tok::Plus)
    return v;
  if (v.kind == Const::Float)
    return Const::ofFloat(-v.f);
  if (v.i == INT64_MIN) {
    diag.error(loc, "integer overflow in '-'");
    return std::nullopt;
  }
  return Const::ofInt(-v.i);
}

/// Integer power by squaring: O(log e) steps, so `2 ** 10**18` fails fast.
static bool intPow(int64_t base, int64_t e, int64_t &out) {
  int64_t result = 1;
  while (e > 0) {
    if (e & 1)
      if (__builtin_mul_overflow(result, base, &result))
        return false;
    e >>= 1;
    if (e && __builtin_mul_overflow(base, base, &base))
      return false;
  }
  out = result;
  return true;
}

std::optional<Const> cnnc::applyBinary(Tok op, const Const &l, const Const &r,
                                       llvm::SMLoc loc, Diagnostics &diag) {
  const char *sp = opSpelling(op);
  for (const Const *v : {&l, &r}) {
    if (!v->isNumber()) {
      diag.error(loc, llvm::Twine("operator '") + sp + "' needs numbers, got " +
                          v->describe());
      return std::nullopt;
    }
  }
  auto overflow = [&]() -> std::optional<Const> {
    diag.error(loc, llvm::Twine("integer overflow in '") + sp + "' (" +
                        l.str() + " " + sp + " " + r.str() + ")");
    return std::nullopt;
  };
  auto divZero = [&]() -> std::optional<Const> {
    diag.error(loc, llvm::Twine(op == Tok::Percent ? "modulo" : "division") +
                        " by zero in '" + l.str() + " " + sp + " " + r.str() +
                        "'");
    return std::nullopt;
  };

  if (l.kind == Const::Int && r.kind == Const::Int) {
    int64_t a = l.i, b = r.i, res = 0;
    switch (op) {
    case Tok::Plus:
      if (__builtin_add_overflow(a, b, &res))
        return overflow();
      return Const::ofInt(res);
    case Tok::Minus:
      if (__builtin_sub_overflow(a, b, &res))
        return overflow();
      return Const::ofInt(res);
    case Tok::Star:
      if (__builtin_mul_overflow(a, b, &res))
        return overflow();
      return Const::ofInt(res);
    case Tok::SlashSlash:
    case Tok::Percent: {
      if (b == 0)
        return divZero();
      if (a == INT64_MIN && b == -1) {
        if (op == Tok::Percent)
          return Const::ofInt(0);
        return overflow();
      }
      int64_t q = a / b, m = a % b;
      // C truncates toward zero; Python floors toward -inf.
      if (m != 0 && ((m < 0) != (b < 0))) {
        --q;
        m += b;
      }
      return Const::ofInt(op == Tok::SlashSlash ? q : m);
    }
    case Tok::StarStar:
      if (b >= 0) {
        if (!intPow(a, b, res))
          return overflow();
        return Const::ofInt(res);
      }
      if (a == 0)
        return divZero();
      break; // negative exponent: a float, as in Python
    default:
      break;
    }
  }

  double a = l.asDouble(), b = r.asDouble(), res = 0;
  switch (op) {
  case Tok::Plus: res = a + b; break;
  case Tok::Minus: res = a - b; break;
  case Tok::Star: res = a * b; break;
  case Tok::Slash:
    if (b == 0)
      return divZero();
    res = a / b;
    break;
  case Tok::SlashSlash:
    if (b == 0)
      return divZero();
    res = std::floor(a / b);
    break;
  case Tok::Percent:
    if (b == 0)
      return divZero();
    res = std::fmod(a, b);
    if (res != 0 && ((res < 0) != (b < 0)))
      res += b;
    break;
  case Tok::StarStar:
    if (a == 0 && b < 0)
      return divZero();
    res = std::pow(a, b);
    break;
  default:
    break;
  }
  if (std::isnan(res)) {
    diag.error(loc, llvm::Twine("'") + l.str() + " " + sp + " " + r.str() +
                        "' is not a real number");
    return std::nullopt;
  }
  if (std::isinf(res)) {
    diag.error(loc, llvm::Twine("float overflow in '") + sp + "'");
    return std::nullopt;
  }
  return Const::ofFloat(res);
}

std::optional<Const> cnnc::evalConst(const Expr &e, const ConstEnv &env,
                                     Diagnostics &diag) {
  switch (e.kind) {
  case Expr::Int: return Const::ofInt(e.intValue);
  case Expr::Float: return Const::ofFloat(e.floatValue);
  case Expr::Bool: return Const::ofBool(e.boolValue);
  case Expr::String:
    diag.error(e.loc, "expected a number, got string \"" + e.text + "\"");
    return std::nullopt;
  case Expr::Name: {
    if (const std::optional<Const> *v = env.find(e.text))
      return *v;
    if (const std::string *what = env.nonConstant(e.text)) {
      diag.error(e.loc, "'" + e.text + "' is " + *what + ", not a number");
      return std::nullopt;
    }
    std::vector<std::string> names;
    env.names(names);
    diag.error(e.loc, "unknown name '" + e.text + "'" + didYouMean(e.text, names));
    return std::nullopt;
  }
  case Expr::Unary: {
    auto v = evalConst(*e.lhs, env, diag);
    if (!v)
      return std::nullopt;
    return applyUnary(e.op, *v, e.loc, diag);
  }
  case Expr::Binary: {
    auto l = evalConst(*e.lhs, env, diag);
    auto r = evalConst(*e.rhs, env, diag);
    if (!l || !r)
      return std::nullopt;
    return applyBinary(e.op, *l, *r, e.loc, diag);
  }
  case Expr::Call:
    diag.error(e.loc, "expected a number, got a call to '" + e.text + "'");
    return std::nullopt;
  }
  return std::nullopt;
}

const Expr *cnnc::findTrueDivision(const Expr &e) {
  if (e.kind == Expr::Binary && e.op == Tok::Slash)
    return &e;
  for (const Expr *c : {e.lhs.get(), e.rhs.get()})
    if (c)
      if (const Expr *d = findTrueDivision(*c))
        return d;
  return nullptr;
}

std::optional<int64_t> cnnc::evalInt(const Expr &e, const ConstEnv &env,
                                     Diagnostics &diag, llvm::StringRef what) {
  auto v = evalConst(e, env, diag);
  if (!v)
    return std::nullopt;
  if (v->kind == Const::Int)
    return v->i;
  diag.error(e.begin(), what + " must be an integer, got " + v->describe());
  if (v->kind == Const::Float)
    if (const Expr *div = findTrueDivision(e))
      diag.note(div->loc, "'/' is true division and gives a float; use '//' "
                          "for integer division");
  return std::nullopt;
}

std::optional<double> cnnc::evalNumber(const Expr &e, const ConstEnv &env,
                                       Diagnostics &diag, llvm::StringRef what) {
  auto v = evalConst(e, env, diag);
  if (!v)
    return std::nullopt;
  if (v->isNumber())
    return v->asDouble();
  diag.error(e.begin(), what + " must be a number, got " + v->describe());
  return std::nullopt;
}

std::optional<bool> cnnc::evalBool(const Expr &e, const ConstEnv &env,
                                   Diagnostics &diag, llvm::StringRef what) {
  auto v = evalConst(e, env, diag);
  if (!v)
    return std::nullopt;
  if (v->kind == Const::Bool)
    return v->b;
  diag.error(e.begin(), what + " must be true or false, got " + v->describe());
  return std::nullopt;
}

std::optional<std::string> cnnc::evalWord(const Expr &e,
                                          llvm::ArrayRef<std::string> choices,
                                          Diagnostics &diag,
                                          llvm::StringRef what) {
  std::string list;
  for (const std::string &c : choices)
    list += (list.empty() ? "" : ", ") + c;
  if (e.kind != Expr::Name && e.kind != Expr::String) {
    diag.error(e.begin(), what + " must be one of " + list);
    return std::nullopt;
  }
  for (const std::string &c : choices)
    if (c == e.text)
      return c;
  diag.error(e.loc, "unknown " + what + " '" + e.text + "'" +
                        didYouMean(e.text, choices) + " (expected one of " +
                        list + ")");
  return std::nullopt;
}
