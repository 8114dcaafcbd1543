//===- Lexer.h - tokens from a model file -----------------------*- C++ -*-===//
#ifndef CNNC_FRONTEND_LEXER_H
#define CNNC_FRONTEND_LEXER_H

#include "frontend/Diagnostics.h"
#include "frontend/Token.h"

namespace cnnc {

/// Splits one source buffer into tokens. Newlines are not tokens (statements
/// end where the grammar says), but each token records whether it starts a
/// line so the parser can resynchronise there after an error. Lexical errors
/// are reported here; the offending token comes back as Tok::Error so the
/// parser stays quiet about it.
class Lexer {
public:
  Lexer(llvm::StringRef buffer, Diagnostics &diag)
      : cur(buffer.begin()), end(buffer.end()), diag(diag) {}

  Token next();

private:
  Token make(Tok kind, const char *start);
  Token lexNumber(const char *start);
  Token lexString(const char *start);
  Token lexIdent(const char *start);

  const char *cur, *end;
  Diagnostics &diag;
  bool lineStart = true;
};

} // namespace cnnc

#endif // CNNC_FRONTEND_LEXER_H
