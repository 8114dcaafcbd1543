//===- Parser.cpp ---------------------------------------------------------===//
#include "frontend/Parser.h"

#include "frontend/Lexer.h"

#include <algorithm>

using namespace cnnc;

namespace {

class Parser {
public:
  Parser(llvm::StringRef buffer, Diagnostics &diag) : diag(diag) {
    Lexer lexer(buffer, diag);
    do
      toks.push_back(lexer.next());
    while (!toks.back().is(Tok::Eof));
  }

  File parseFile();

private:
  const Token &tok() const { return toks[pos]; }
  const Token &peek() const {
    return toks[pos + 1 < toks.size() ? pos + 1 : pos];
  }
  void consume() {
    if (pos + 1 < toks.size())
      ++pos;
  }
  bool consumeIf(Tok kind) {
    if (!tok().is(kind))
      return false;
    consume();
    return true;
  }

  /// Reports at the current token, unless it is a lexical error token (the
  /// lexer already said why) or we are still recovering from an earlier one.
  void error(const llvm::Twine &msg) { errorAt(tok().loc(), msg); }
  void errorAt(llvm::SMLoc loc, const llvm::Twine &msg) {
    if (recovering || tok().is(Tok::Error)) {
      recovering = true;
      return;
    }
    recovering = true;
    diag.error(loc, msg);
  }
  bool expect(Tok kind, const llvm::Twine &what) {
    if (consumeIf(kind))
      return true;
    error("expected " + what + ", found " + describe(tok()));
    return false;
  }
  static std::string describe(const Token &t) {
    switch (t.kind) {
    case Tok::Eof: return "end of file";
    case Tok::Ident: return "identifier '" + t.text.str() + "'";
    case Tok::Int:
    case Tok::Float: return "number '" + t.text.str() + "'";
    case Tok::String: return "string " + t.text.str();
    default: return "'" + t.text.str() + "'";
    }
  }

  void syncStatement();
  void syncTopLevel();

  std::unique_ptr<ModuleDecl> parseModule(bool isModel);
  std::unique_ptr<TrainDecl> parseTrain();
  std::unique_ptr<Forward> parseForward();
  bool parseParams(ModuleDecl &m);
  bool parseAssign(Assign &a);

  ExprPtr parseExpr();
  ExprPtr parseBinary(int minPrec);
  ExprPtr parseUnary();
  ExprPtr parsePostfix();
  ExprPtr parsePrimary();
  ExprPtr checkHeight(ExprPtr e);
  bool parseArgs(std::vector<Arg> &args);

  Diagnostics &diag;
  std::vector<Token> toks;
  size_t pos = 0;
  size_t stmtStart = 0; ///< where the statement being parsed began
  bool recovering = false;
  unsigned depth = 0;
};

} // namespace

static bool isTopKeyword(Tok k) {
  return k == Tok::KwBlock || k == Tok::KwModel || k == Tok::KwTrain;
}

/// Skips to where a statement or member can start: a name or keyword first on
/// its line, a `;`, or the brace closing the enclosing body (brackets opened
/// while skipping are skipped whole).
void Parser::syncStatement() {
  unsigned nesting = 0;
  // The statement's own first token is skipped so that recovery always makes
  // progress; a later one may start the next statement.
  bool first = pos == stmtStart;
  while (!tok().is(Tok::Eof)) {
    const Token &t = tok();
    if (nesting == 0 && !first) {
      if (t.atLineStart &&
          (t.is(Tok::Ident) || t.is(Tok::KwReturn) || t.is(Tok::KwForward) ||
           t.is(Tok::KwInput) || isTopKeyword(t.kind)))
        break;
      if (t.is(Tok::RBrace))
        break;
    }
    if (nesting == 0 && t.is(Tok::RBrace))
      break;
    if (nesting == 0 && t.is(Tok::Semi)) {
      consume();
      break;
    }
    if (t.is(Tok::LParen) || t.is(Tok::LBracket) || t.is(Tok::LBrace))
      ++nesting;
    else if ((t.is(Tok::RParen) || t.is(Tok::RBracket) || t.is(Tok::RBrace)) &&
             nesting > 0)
      --nesting;
    first = false;
    consume();
  }
  recovering = false;
}

void Parser::syncTopLevel() {
  while (!tok().is(Tok::Eof) && !(tok().atLineStart && isTopKeyword(tok().kind)))
    consume();
  recovering = false;
}

File Parser::parseFile() {
  File file;
  while (!tok().is(Tok::Eof)) {
    if (tok().is(Tok::KwBlock) || tok().is(Tok::KwModel)) {
      bool isModel = tok().is(Tok::KwModel);
      consume();
      if (auto m = parseModule(isModel))
        file.modules.push_back(std::move(m));
    } else if (tok().is(Tok::KwTrain)) {
      if (auto t = parseTrain())
        file.trains.push_back(std::move(t));
    } else if (tok().is(Tok::Semi)) {
      consume();
    } else {
      error("expected 'block', 'model' or 'train', found " + describe(tok()));
      consume();
      syncTopLevel();
    }
  }
  return file;
}

bool Parser::parseParams(ModuleDecl &m) {
  if (!expect(Tok::LParen, "'('"))
    return false;
  while (!tok().is(Tok::RParen)) {
    Param p;
    p.name = tok().text.str();
    p.loc = tok().loc();
    if (!expect(Tok::Ident, "a parameter name"))
      return false;
    if (consumeIf(Tok::Assign)) {
      p.defaultValue = parseExpr();
      if (!p.defaultValue)
        return false;
    }
    m.params.push_back(std::move(p));
    if (!consumeIf(Tok::Comma))
      break;
  }
  return expect(Tok::RParen, "')' after the parameters");
}

std::unique_ptr<ModuleDecl> Parser::parseModule(bool isModel) {
  auto m = std::make_unique<ModuleDecl>();
  m->isModel = isModel;
  m->name = tok().text.str();
  m->loc = tok().loc();
  const char *what = isModel ? "model" : "block";
  if (!expect(Tok::Ident, std::string("a ") + what + " name")) {
    syncTopLevel();
    return nullptr;
  }
  if (!parseParams(*m) || !expect(Tok::LBrace, "'{'")) {
    syncTopLevel();
    return nullptr;
  }
  for (;;) {
    const Token &t = tok();
    if (t.is(Tok::RBrace)) {
      consume();
      break;
    }
    if (t.is(Tok::Eof) || (t.atLineStart && isTopKeyword(t.kind))) {
      error(llvm::Twine("expected '}' to close ") + what + " '" + m->name +
            "', found " + describe(t));
      recovering = false;
      break;
    }
    stmtStart = pos;
    if (t.is(Tok::Semi)) {
      consume();
    } else if (t.is(Tok::KwForward)) {
      llvm::SMLoc loc = t.loc();
      auto f = parseForward();
      if (f && m->forward) {
        diag.error(loc, llvm::Twine(what) + " '" + m->name +
                            "' has more than one forward");
        diag.note(m->forward->loc, "the first forward is here");
      } else if (f) {
        m->forward = std::move(f);
      }
    } else if (t.is(Tok::KwInput)) {
      llvm::SMLoc loc = t.loc();
      consume();
      std::vector<ExprPtr> dims;
      bool ok = expect(Tok::LBracket, "'[' after 'input'");
      while (ok) {
        ExprPtr e = parseExpr();
        if (!e) {
          ok = false;
          break;
        }
        dims.push_back(std::move(e));
        if (!consumeIf(Tok::Comma))
          break;
      }
      ok = ok && expect(Tok::RBracket, "']' to close the input shape");
      if (!ok) {
        syncStatement();
      } else if (!isModel) {
        diag.error(loc, "only a model declares an input; a block gets its "
                        "input from forward");
      } else if (m->inputLoc.isValid()) {
        diag.error(loc, "model '" + m->name + "' declares its input twice");
        diag.note(m->inputLoc, "the first input declaration is here");
      } else {
        m->inputLoc = loc;
        m->input = std::move(dims);
      }
    } else {
      Assign a;
      if (parseAssign(a))
        m->members.push_back(std::move(a));
      else
        syncStatement();
    }
  }
  return m;
}

bool Parser::parseAssign(Assign &a) {
  a.name = tok().text.str();
  a.loc = tok().loc();
  if (!tok().is(Tok::Ident)) {
    error("expected a declaration such as 'name = ...', found " +
          describe(tok()));
    return false;
  }
  consume();
  if (!expect(Tok::Assign, "'=' after '" + a.name + "'"))
    return false;
  a.value = parseExpr();
  return a.value != nullptr;
}

std::unique_ptr<Forward> Parser::parseForward() {
  auto f = std::make_unique<Forward>();
  f->loc = tok().loc();
  consume();
  if (!expect(Tok::LParen, "'(' after 'forward'")) {
    syncStatement();
    return nullptr;
  }
  f->arg = tok().text.str();
  f->argLoc = tok().loc();
  if (!expect(Tok::Ident, "the name of forward's input") ||
      !expect(Tok::RParen, "')': forward takes exactly one input") ||
      !expect(Tok::LBrace, "'{' to open forward's body")) {
    syncStatement();
    return nullptr;
  }
  for (;;) {
    const Token &t = tok();
    if (t.is(Tok::RBrace)) {
      f->endLoc = t.loc();
      consume();
      return f;
    }
    if (t.is(Tok::Eof) || (t.atLineStart && isTopKeyword(t.kind)) ||
        (t.atLineStart && (t.is(Tok::KwForward) || t.is(Tok::KwInput)))) {
      error("expected '}' to close forward, found " + describe(t));
      recovering = false;
      f->endLoc = t.loc();
      return f;
    }
    if (consumeIf(Tok::Semi))
      continue;
    stmtStart = pos;
    Stmt s;
    s.loc = t.loc();
    if (t.is(Tok::KwReturn)) {
      s.kind = Stmt::Return;
      consume();
      s.value = parseExpr();
    } else if (t.is(Tok::Ident) && peek().is(Tok::Assign)) {
      s.kind = Stmt::Assign;
      s.name = t.text.str();
      consume();
      consume();
      s.value = parseExpr();
    } else {
      error("expected 'name = ...' or 'return', found " + describe(t));
    }
    if (s.value)
      f->body.push_back(std::move(s));
    else
      syncStatement();
  }
}

std::unique_ptr<TrainDecl> Parser::parseTrain() {
  auto t = std::make_unique<TrainDecl>();
  t->loc = tok().loc();
  consume();
  if (!expect(Tok::LBrace, "'{' after 'train'")) {
    syncTopLevel();
    return nullptr;
  }
  for (;;) {
    if (consumeIf(Tok::RBrace))
      return t;
    if (tok().is(Tok::Eof) || (tok().atLineStart && isTopKeyword(tok().kind))) {
      error("expected '}' to close train, found " + describe(tok()));
      recovering = false;
      return t;
    }
    if (consumeIf(Tok::Semi))
      continue;
    stmtStart = pos;
    Assign a;
    if (parseAssign(a))
      t->settings.push_back(std::move(a));
    else
      syncStatement();
  }
}

//===----------------------------------------------------------------------===//
// Expressions: Python's precedence. `**` binds tighter than unary minus on
// its left and is right-associative; `-2 ** 2` is -4 as in Python.
//===----------------------------------------------------------------------===//

ExprPtr Parser::parseExpr() { return parseBinary(0); }

/// Long operator chains (`1+1+...+1`) build deep trees without deep parser
/// recursion; bounding the tree height keeps every later recursive walk
/// (Sema, printing, destruction) shallow.
ExprPtr Parser::checkHeight(ExprPtr e) {
  unsigned h = 0;
  if (e->lhs)
    h = std::max(h, e->lhs->height);
  if (e->rhs)
    h = std::max(h, e->rhs->height);
  for (const Arg &a : e->args)
    h = std::max(h, a.value->height);
  e->height = h + 1;
  if (e->height > maxExprDepth) {
    errorAt(e->loc, "expression is nested too deeply (the limit is " +
                        llvm::Twine(maxExprDepth) + " levels)");
    return nullptr;
  }
  return e;
}

static int precedence(Tok kind) {
  switch (kind) {
  case Tok::Plus:
  case Tok::Minus: return 1;
  case Tok::Star:
  case Tok::Slash:
  case Tok::SlashSlash:
  case Tok::Percent: return 2;
  default: return -1;
  }
}

ExprPtr Parser::parseBinary(int minPrec) {
  ExprPtr lhs = parseUnary();
  if (!lhs)
    return nullptr;
  for (;;) {
    int prec = precedence(tok().kind);
    if (prec < 0 || prec < minPrec)
      return lhs;
    auto e = std::make_unique<Expr>(Expr::Binary, tok().loc());
    e->op = tok().kind;
    consume();
    // Left-associative: the right operand binds only tighter operators.
    ExprPtr rhs = parseBinary(prec + 1);
    if (!rhs)
      return nullptr;
    e->lhs = std::move(lhs);
    e->rhs = std::move(rhs);
    lhs = checkHeight(std::move(e));
    if (!lhs)
      return nullptr;
  }
}

ExprPtr Parser::parseUnary() {
  if (depth >= maxExprDepth) {
    error("expression is nested too deeply (the limit is " +
          llvm::Twine(maxExprDepth) + " levels)");
    return nullptr;
  }
  struct DepthGuard {
    unsigned &d;
    DepthGuard(unsigned &d) : d(d) { ++d; }
    ~DepthGuard() { --d; }
  } guard(depth);

  if (tok().is(Tok::Minus) || tok().is(Tok::Plus)) {
    auto e = std::make_unique<Expr>(Expr::Unary, tok().loc());
    e->op = tok().kind;
    consume();
    e->lhs = parseUnary();
    return e->lhs ? checkHeight(std::move(e)) : nullptr;
  }
  ExprPtr base = parsePostfix();
  if (!base || !tok().is(Tok::StarStar))
    return base;
  auto e = std::make_unique<Expr>(Expr::Binary, tok().loc());
  e->op = Tok::StarStar;
  consume();
  e->lhs = std::move(base);
  e->rhs = parseUnary();
  return e->rhs ? checkHeight(std::move(e)) : nullptr;
}

ExprPtr Parser::parsePostfix() {
  ExprPtr e = parsePrimary();
  while (e && tok().is(Tok::Dot)) {
    consume();
    auto call = std::make_unique<Expr>(Expr::Call, tok().loc());
    call->text = tok().text.str();
    call->method = true;
    if (!expect(Tok::Ident, "a method name after '.'") ||
        !tok().is(Tok::LParen)) {
      if (!recovering)
        error("expected '(' after '." + call->text + "'");
      return nullptr;
    }
    consume();
    Arg self;
    self.value = std::move(e);
    call->args.push_back(std::move(self));
    if (!parseArgs(call->args))
      return nullptr;
    e = checkHeight(std::move(call));
  }
  return e;
}

ExprPtr Parser::parsePrimary() {
  const Token &t = tok();
  switch (t.kind) {
  case Tok::Int: {
    auto e = std::make_unique<Expr>(Expr::Int, t.loc());
    e->intValue = t.intValue;
    consume();
    return e;
  }
  case Tok::Float: {
    auto e = std::make_unique<Expr>(Expr::Float, t.loc());
    e->floatValue = t.floatValue;
    consume();
    return e;
  }
  case Tok::String: {
    auto e = std::make_unique<Expr>(Expr::String, t.loc());
    e->text = t.text.drop_front().drop_back().str();
    consume();
    return e;
  }
  case Tok::KwTrue:
  case Tok::KwFalse: {
    auto e = std::make_unique<Expr>(Expr::Bool, t.loc());
    e->boolValue = t.is(Tok::KwTrue);
    consume();
    return e;
  }
  case Tok::Ident: {
    auto e = std::make_unique<Expr>(Expr::Name, t.loc());
    e->text = t.text.str();
    consume();
    if (!tok().is(Tok::LParen))
      return e;
    consume();
    e->kind = Expr::Call;
    if (!parseArgs(e->args))
      return nullptr;
    return checkHeight(std::move(e));
  }
  case Tok::LParen: {
    consume();
    ExprPtr e = parseExpr();
    if (!e || !expect(Tok::RParen, "')'"))
      return nullptr;
    return e;
  }
  default:
    error("expected an expression, found " + describe(t));
    return nullptr;
  }
}

/// After the '(': `arg, ..., arg )`, keyword arguments written `name = expr`.
bool Parser::parseArgs(std::vector<Arg> &args) {
  while (!tok().is(Tok::RParen)) {
    Arg a;
    if (tok().is(Tok::Ident) && peek().is(Tok::Assign)) {
      a.name = tok().text.str();
      a.nameLoc = tok().loc();
      consume();
      consume();
    }
    a.value = parseExpr();
    if (!a.value)
      return false;
    args.push_back(std::move(a));
    if (!consumeIf(Tok::Comma))
      break;
  }
  return expect(Tok::RParen, "')' to close the argument list");
}

File cnnc::parseFile(llvm::StringRef buffer, Diagnostics &diag) {
  return Parser(buffer, diag).parseFile();
}
