//===- Token.h - tokens of the cnnc model language --------------*- C++ -*-===//
#ifndef CNNC_FRONTEND_TOKEN_H
#define CNNC_FRONTEND_TOKEN_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>

namespace cnnc {

enum class Tok {
  Eof, Error,
  Ident, Int, Float, String,
  // Keywords. Layer, initializer and function names are not keywords: they
  // are ordinary identifiers resolved by Sema, so a typo gets a "did you mean".
  KwBlock, KwModel, KwTrain, KwForward, KwReturn, KwInput, KwTrue, KwFalse,
  // Punctuation.
  LParen, RParen, LBrace, RBrace, LBracket, RBracket, Comma, Dot, Semi, Assign,
  Plus, Minus, Star, StarStar, Slash, SlashSlash, Percent,
};

/// The name used by --emit=tokens.
llvm::StringRef tokName(Tok kind);

struct Token {
  Tok kind = Tok::Eof;
  llvm::StringRef text; ///< the spelling, pointing into the source buffer
  bool atLineStart = false; ///< first token on its line: a recovery point
  int64_t intValue = 0;     ///< Int: the value, checked to fit int64
  double floatValue = 0;    ///< Float: the value

  bool is(Tok k) const { return kind == k; }
  llvm::SMLoc loc() const { return llvm::SMLoc::getFromPointer(text.data()); }
};

} // namespace cnnc

#endif // CNNC_FRONTEND_TOKEN_H
