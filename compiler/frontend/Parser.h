//===- Parser.h - recursive-descent parser ----------------------*- C++ -*-===//
#ifndef CNNC_FRONTEND_PARSER_H
#define CNNC_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"

namespace cnnc {

/// Parses a whole model file. On a syntax error it reports, skips to the next
/// statement or declaration (a line-starting name or keyword, or a closing
/// brace) and goes on, so one run shows several errors. The returned tree is
/// complete only when diag.errorCount() did not grow.
File parseFile(llvm::StringRef buffer, Diagnostics &diag);

/// Deepest expression nesting accepted; deeper input is an error, not a stack
/// overflow.
constexpr unsigned maxExprDepth = 100;

} // namespace cnnc

#endif // CNNC_FRONTEND_PARSER_H
