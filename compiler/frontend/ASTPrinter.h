//===- ASTPrinter.h - --emit=ast --------------------------------*- C++ -*-===//
#ifndef CNNC_FRONTEND_ASTPRINTER_H
#define CNNC_FRONTEND_ASTPRINTER_H

#include "frontend/AST.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {

/// Prints the tree with expressions as fully parenthesised S-expressions, so
/// tests can see precedence and argument binding: `(// (* 8 n) 2)`.
void printAST(const File &file, const llvm::SourceMgr &sm,
              llvm::raw_ostream &os);
void printExpr(const Expr &e, llvm::raw_ostream &os);

} // namespace cnnc

#endif // CNNC_FRONTEND_ASTPRINTER_H
