//===- ExprEval.h - constant expressions, Python semantics ------*- C++ -*-===//
#ifndef CNNC_FRONTEND_EXPREVAL_H
#define CNNC_FRONTEND_EXPREVAL_H

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"
#include "frontend/Value.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"

#include <optional>

namespace cnnc {

/// Names visible to a constant expression. A name bound to nullopt failed to
/// evaluate earlier (already reported): using it fails silently. Names in
/// `nonConstants` exist but are not numbers (layers), for a better message.
class ConstEnv {
public:
  explicit ConstEnv(const ConstEnv *parent = nullptr) : parent(parent) {}

  void define(llvm::StringRef name, std::optional<Const> v) {
    vars[name] = v;
    order.push_back(name.str());
  }
  bool definesLocally(llvm::StringRef name) const { return vars.count(name); }
  /// Null when unknown.
  const std::optional<Const> *find(llvm::StringRef name) const;
  void markNonConstant(llvm::StringRef name, std::string what) {
    nonConstants[name] = std::move(what);
  }
  const std::string *nonConstant(llvm::StringRef name) const;
  void names(std::vector<std::string> &out) const;

private:
  const ConstEnv *parent;
  llvm::StringMap<std::optional<Const>> vars;
  llvm::StringMap<std::string> nonConstants;
  std::vector<std::string> order;
};

/// Python's operators on constants. `//` and `%` floor toward -inf, `/` gives
/// a float, int overflow and division by zero are errors reported at loc.
std::optional<Const> applyUnary(Tok op, const Const &v, llvm::SMLoc loc,
                                Diagnostics &diag);
std::optional<Const> applyBinary(Tok op, const Const &l, const Const &r,
                                 llvm::SMLoc loc, Diagnostics &diag);

/// Evaluates e; nullopt when it fails (reported unless a poisoned name).
std::optional<Const> evalConst(const Expr &e, const ConstEnv &env,
                               Diagnostics &diag);

/// Where e contains a true division `/`, for the "use //" hint.
const Expr *findTrueDivision(const Expr &e);

/// Typed evaluation of an argument named `what` (for messages): an integer
/// (a float is an error with a hint to use `//`), a number (integer or
/// float, not bool), a bool, or one of a set of bare words such as `relu`.
std::optional<int64_t> evalInt(const Expr &e, const ConstEnv &env,
                               Diagnostics &diag, llvm::StringRef what);
std::optional<double> evalNumber(const Expr &e, const ConstEnv &env,
                                 Diagnostics &diag, llvm::StringRef what);
std::optional<bool> evalBool(const Expr &e, const ConstEnv &env,
                             Diagnostics &diag, llvm::StringRef what);
std::optional<std::string> evalWord(const Expr &e,
                                    llvm::ArrayRef<std::string> choices,
                                    Diagnostics &diag, llvm::StringRef what);

} // namespace cnnc

#endif // CNNC_FRONTEND_EXPREVAL_H
