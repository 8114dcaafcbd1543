//===- Lexer.cpp ----------------------------------------------------------===//
#include "frontend/Lexer.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Format.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

using namespace cnnc;

llvm::StringRef cnnc::tokName(Tok kind) {
  switch (kind) {
  case Tok::Eof: return "eof";
  case Tok::Error: return "error";
  case Tok::Ident: return "identifier";
  case Tok::Int: return "integer";
  case Tok::Float: return "float";
  case Tok::String: return "string";
  case Tok::KwBlock: return "kw_block";
  case Tok::KwModel: return "kw_model";
  case Tok::KwTrain: return "kw_train";
  case Tok::KwForward: return "kw_forward";
  case Tok::KwReturn: return "kw_return";
  case Tok::KwInput: return "kw_input";
  case Tok::KwTrue: return "kw_true";
  case Tok::KwFalse: return "kw_false";
  case Tok::LParen: return "l_paren";
  case Tok::RParen: return "r_paren";
  case Tok::LBrace: return "l_brace";
  case Tok::RBrace: return "r_brace";
  case Tok::LBracket: return "l_bracket";
  case Tok::RBracket: return "r_bracket";
  case Tok::Comma: return "comma";
  case Tok::Dot: return "dot";
  case Tok::Semi: return "semi";
  case Tok::Assign: return "equal";
  case Tok::Plus: return "plus";
  case Tok::Minus: return "minus";
  case Tok::Star: return "star";
  case Tok::StarStar: return "starstar";
  case Tok::Slash: return "slash";
  case Tok::SlashSlash: return "slashslash";
  case Tok::Percent: return "percent";
  }
  return "?";
}

static bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool isDigit(char c) { return c >= '0' && c <= '9'; }
static bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }

Token Lexer::make(Tok kind, const char *start) {
  Token t;
  t.kind = kind;
  t.text = llvm::StringRef(start, cur - start);
  t.atLineStart = lineStart;
  lineStart = false;
  return t;
}

Token Lexer::next() {
  for (;;) {
    // Skip blanks and comments, remembering line starts.
    while (cur != end) {
      char c = *cur;
      if (c == '\n') {
        lineStart = true;
        ++cur;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++cur;
      } else if (c == '#') {
        while (cur != end && *cur != '\n')
          ++cur;
      } else {
        break;
      }
    }
    const char *start = cur;
    if (cur == end)
      return make(Tok::Eof, start);

    char c = *cur++;
    if (isIdentStart(c))
      return lexIdent(start);
    if (isDigit(c))
      return lexNumber(start);
    switch (c) {
    case '(': return make(Tok::LParen, start);
    case ')': return make(Tok::RParen, start);
    case '{': return make(Tok::LBrace, start);
    case '}': return make(Tok::RBrace, start);
    case '[': return make(Tok::LBracket, start);
    case ']': return make(Tok::RBracket, start);
    case ',': return make(Tok::Comma, start);
    case '.': return make(Tok::Dot, start);
    case ';': return make(Tok::Semi, start);
    case '=': return make(Tok::Assign, start);
    case '+': return make(Tok::Plus, start);
    case '-': return make(Tok::Minus, start);
    case '%': return make(Tok::Percent, start);
    case '*':
      if (cur != end && *cur == '*') {
        ++cur;
        return make(Tok::StarStar, start);
      }
      return make(Tok::Star, start);
    case '/':
      if (cur != end && *cur == '/') {
        ++cur;
        return make(Tok::SlashSlash, start);
      }
      return make(Tok::Slash, start);
    case '"':
    case '\'':
      return lexString(start);
    default:
      break;
    }
    // Not a token: report it (a whole UTF-8 sequence at once) and go on.
    unsigned char uc = static_cast<unsigned char>(c);
    if (uc >= 0x80) {
      while (cur != end && (static_cast<unsigned char>(*cur) & 0xC0) == 0x80)
        ++cur;
      diag.error(llvm::SMLoc::getFromPointer(start),
                 "invalid character '" + llvm::StringRef(start, cur - start) +
                     "' in model file");
    } else if (uc >= 0x20 && uc < 0x7f) {
      diag.error(llvm::SMLoc::getFromPointer(start),
                 "invalid character '" + llvm::StringRef(start, 1) +
                     "' in model file");
    } else {
      std::string code;
      llvm::raw_string_ostream(code) << llvm::format("0x%02x", uc);
      diag.error(llvm::SMLoc::getFromPointer(start),
                 "invalid character " + code + " in model file");
    }
    return make(Tok::Error, start);
  }
}

Token Lexer::lexIdent(const char *start) {
  while (cur != end && isIdentChar(*cur))
    ++cur;
  llvm::StringRef text(start, cur - start);
  Tok kind = llvm::StringSwitch<Tok>(text)
                 .Case("block", Tok::KwBlock)
                 .Case("model", Tok::KwModel)
                 .Case("train", Tok::KwTrain)
                 .Case("forward", Tok::KwForward)
                 .Case("return", Tok::KwReturn)
                 .Case("input", Tok::KwInput)
                 .Case("true", Tok::KwTrue)
                 .Case("false", Tok::KwFalse)
                 .Default(Tok::Ident);
  return make(kind, start);
}

Token Lexer::lexNumber(const char *start) {
  // digits [ '.' digits ] [ ('e'|'E') ['+'|'-'] digits ]; a '.' not followed
  // by a digit is left alone so that `3.x` does not swallow the dot.
  while (cur != end && isDigit(*cur))
    ++cur;
  bool isFloat = false;
  if (cur + 1 < end && *cur == '.' && isDigit(cur[1])) {
    isFloat = true;
    ++cur;
    while (cur != end && isDigit(*cur))
      ++cur;
  }
  bool badExponent = false;
  if (cur != end && (*cur == 'e' || *cur == 'E')) {
    const char *p = cur + 1;
    if (p != end && (*p == '+' || *p == '-'))
      ++p;
    if (p != end && isDigit(*p)) {
      isFloat = true;
      cur = p;
      while (cur != end && isDigit(*cur))
        ++cur;
    } else {
      badExponent = true;
      cur = p;
    }
  }
  // A letter glued to a number (`12abc`, `1e`) makes the whole thing invalid.
  const char *numEnd = cur;
  while (cur != end && isIdentChar(*cur))
    ++cur;
  if (badExponent) {
    diag.error(llvm::SMLoc::getFromPointer(start),
               "invalid number '" + llvm::StringRef(start, cur - start) +
                   "': exponent has no digits");
    return make(Tok::Error, start);
  }
  if (cur != numEnd) {
    diag.error(llvm::SMLoc::getFromPointer(start),
               "invalid number '" + llvm::StringRef(start, cur - start) +
                   "': unexpected '" + llvm::StringRef(numEnd, cur - numEnd) +
                   "' after the digits");
    return make(Tok::Error, start);
  }
  std::string text(start, cur - start);
  if (isFloat) {
    errno = 0;
    double fval = std::strtod(text.c_str(), nullptr);
    if (errno == ERANGE && std::isinf(fval)) {
      diag.error(llvm::SMLoc::getFromPointer(start),
                 "float literal '" + text + "' is out of range");
      return make(Tok::Error, start);
    }
    Token t = make(Tok::Float, start);
    t.floatValue = fval;
    return t;
  }
  // Python allows leading zeros only in 0 itself; so do we, to avoid octal
  // surprises.
  if (text.size() > 1 && text[0] == '0') {
    diag.error(llvm::SMLoc::getFromPointer(start),
               "invalid number '" + text + "': leading zeros are not allowed");
    return make(Tok::Error, start);
  }
  uint64_t v = 0;
  for (char d : text) {
    if (v > (uint64_t(INT64_MAX) - uint64_t(d - '0')) / 10) {
      diag.error(llvm::SMLoc::getFromPointer(start),
                 "integer literal '" + text +
                     "' is too large (the limit is 9223372036854775807)");
      return make(Tok::Error, start);
    }
    v = v * 10 + uint64_t(d - '0');
  }
  Token t = make(Tok::Int, start);
  t.intValue = static_cast<int64_t>(v);
  return t;
}

Token Lexer::lexString(const char *start) {
  char quote = *start;
  while (cur != end && *cur != quote && *cur != '\n')
    ++cur;
  if (cur == end || *cur != quote) {
    diag.error(llvm::SMLoc::getFromPointer(start),
               "unterminated string literal");
    return make(Tok::Error, start);
  }
  ++cur;
  return make(Tok::String, start);
}
