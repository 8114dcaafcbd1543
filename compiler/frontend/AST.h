//===- AST.h - syntax tree of a model file ----------------------*- C++ -*-===//
//
// The parser's output, close to the text: nothing is resolved or evaluated
// yet. Every node keeps the SMLoc that diagnostics point at.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_AST_H
#define CNNC_FRONTEND_AST_H

#include "frontend/Token.h"

#include <memory>
#include <string>
#include <vector>

namespace cnnc {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

/// A call argument: positional when name is empty.
struct Arg {
  std::string name;
  llvm::SMLoc nameLoc;
  ExprPtr value;
};

/// One expression node. A tagged struct rather than a class hierarchy: the
/// language has few forms and Sema switches over them all.
struct Expr {
  enum Kind { Int, Float, Bool, String, Name, Unary, Binary, Call } kind;
  llvm::SMLoc loc;   ///< the literal, name, callee or operator
  int64_t intValue = 0;
  double floatValue = 0;
  bool boolValue = false;
  std::string text;  ///< Name: the identifier; String: contents; Call: callee
  Tok op = Tok::Eof; ///< Unary / Binary
  ExprPtr lhs, rhs;  ///< Unary: lhs only
  std::vector<Arg> args; ///< Call
  bool method = false;   ///< Call written `x.f(...)`; args[0] is x
  unsigned height = 1;   ///< of the tree below, bounded by the parser

  Expr(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}

  /// Where the expression's text begins (`a` in `a * b`, `x` in `x.view()`):
  /// messages about a whole value point here, operator errors at `loc`.
  llvm::SMLoc begin() const {
    const Expr *e = this;
    while ((e->kind == Binary && e->lhs) || (e->kind == Call && e->method))
      e = e->kind == Binary ? e->lhs.get() : e->args[0].value.get();
    return e->loc;
  }
};

/// `name = expr`: a layer declaration, a forward local, or a train setting.
struct Assign {
  std::string name;
  llvm::SMLoc loc;
  ExprPtr value;
};

/// A block or model parameter, `name` or `name = default`.
struct Param {
  std::string name;
  llvm::SMLoc loc;
  ExprPtr defaultValue; ///< null when none
};

struct Stmt {
  enum Kind { Assign, Return } kind;
  llvm::SMLoc loc; ///< the name assigned, or the `return` keyword
  std::string name;
  ExprPtr value;
};

struct Forward {
  llvm::SMLoc loc; ///< the `forward` keyword
  std::string arg;
  llvm::SMLoc argLoc;
  std::vector<Stmt> body;
  llvm::SMLoc endLoc; ///< the closing brace
};

/// A `block` or the `model`: parameters, layers and a forward.
struct ModuleDecl {
  bool isModel = false;
  std::string name;
  llvm::SMLoc loc; ///< the name
  std::vector<Param> params;
  std::vector<ExprPtr> input; ///< model: `input [C, H, W]`
  llvm::SMLoc inputLoc;       ///< invalid when there is no input line
  std::vector<Assign> members;
  std::unique_ptr<Forward> forward;
};

struct TrainDecl {
  llvm::SMLoc loc;
  std::vector<Assign> settings;
};

struct File {
  std::vector<std::unique_ptr<ModuleDecl>> modules; ///< in source order
  std::vector<std::unique_ptr<TrainDecl>> trains;
};

} // namespace cnnc

#endif // CNNC_FRONTEND_AST_H
