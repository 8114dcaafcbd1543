//===- ASTPrinter.cpp -----------------------------------------------------===//
#include "frontend/ASTPrinter.h"

#include "frontend/Value.h"

using namespace cnnc;

void cnnc::printExpr(const Expr &e, llvm::raw_ostream &os) {
  switch (e.kind) {
  case Expr::Int: os << e.intValue; return;
  case Expr::Float: {
    os << Const::ofFloat(e.floatValue).str();
    return;
  }
  case Expr::Bool: os << (e.boolValue ? "true" : "false"); return;
  case Expr::String: os << '"' << e.text << '"'; return;
  case Expr::Name: os << e.text; return;
  case Expr::Unary:
    os << "(" << (e.op == Tok::Minus ? "-" : "+") << " ";
    printExpr(*e.lhs, os);
    os << ")";
    return;
  case Expr::Binary: {
    const char *op = "?";
    switch (e.op) {
    case Tok::Plus: op = "+"; break;
    case Tok::Minus: op = "-"; break;
    case Tok::Star: op = "*"; break;
    case Tok::StarStar: op = "**"; break;
    case Tok::Slash: op = "/"; break;
    case Tok::SlashSlash: op = "//"; break;
    case Tok::Percent: op = "%"; break;
    default: break;
    }
    os << "(" << op << " ";
    printExpr(*e.lhs, os);
    os << " ";
    printExpr(*e.rhs, os);
    os << ")";
    return;
  }
  case Expr::Call:
    os << "(call " << e.text;
    for (const Arg &a : e.args) {
      os << " ";
      if (!a.name.empty())
        os << a.name << "=";
      printExpr(*a.value, os);
    }
    os << ")";
    return;
  }
}

namespace {
struct Printer {
  const llvm::SourceMgr &sm;
  llvm::raw_ostream &os;

  void loc(llvm::SMLoc l) {
    if (!l.isValid())
      return;
    auto [line, col] = sm.getLineAndColumn(l);
    os << " @" << line << ":" << col;
  }

  void module(const ModuleDecl &m) {
    os << (m.isModel ? "model " : "block ") << m.name;
    loc(m.loc);
    os << "\n";
    for (const Param &p : m.params) {
      os << "  param " << p.name;
      if (p.defaultValue) {
        os << " = ";
        printExpr(*p.defaultValue, os);
      }
      loc(p.loc);
      os << "\n";
    }
    if (m.inputLoc.isValid()) {
      os << "  input [";
      for (size_t i = 0; i < m.input.size(); ++i) {
        os << (i ? ", " : "");
        printExpr(*m.input[i], os);
      }
      os << "]";
      loc(m.inputLoc);
      os << "\n";
    }
    for (const Assign &a : m.members) {
      os << "  layer " << a.name << " = ";
      printExpr(*a.value, os);
      loc(a.loc);
      os << "\n";
    }
    if (const Forward *f = m.forward.get()) {
      os << "  forward(" << f->arg << ")";
      loc(f->loc);
      os << "\n";
      for (const Stmt &s : f->body) {
        if (s.kind == Stmt::Return)
          os << "    return ";
        else
          os << "    " << s.name << " = ";
        printExpr(*s.value, os);
        loc(s.loc);
        os << "\n";
      }
    }
  }

  void train(const TrainDecl &t) {
    os << "train";
    loc(t.loc);
    os << "\n";
    for (const Assign &a : t.settings) {
      os << "  " << a.name << " = ";
      printExpr(*a.value, os);
      loc(a.loc);
      os << "\n";
    }
  }
};
} // namespace

void cnnc::printAST(const File &file, const llvm::SourceMgr &sm,
                    llvm::raw_ostream &os) {
  Printer p{sm, os};
  for (const auto &m : file.modules)
    p.module(*m);
  for (const auto &t : file.trains)
    p.train(*t);
}
