//===- Diagnostics.h - C-compiler style messages ----------------*- C++ -*-===//
//
// Every front-end message goes through here so that it looks like a C
// compiler's (`file:line:col: error: msg`, the line, a caret) and so that the
// driver can tell from errorCount() whether to stop with status 1.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_DIAGNOSTICS_H
#define CNNC_FRONTEND_DIAGNOSTICS_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace cnnc {

class Diagnostics {
public:
  Diagnostics(llvm::SourceMgr &sm, llvm::raw_ostream &os = llvm::errs(),
              llvm::StringRef tool = "cnnc")
      : sm(sm), os(os), tool(tool) {}

  /// Errors and warnings; an error or warning identical to an earlier one (a
  /// block instantiated n times) is reported once. Errors and warnings at a location; an invalid SMLoc gives "cnnc: error:".
  void error(llvm::SMLoc loc, const llvm::Twine &msg);
  void warning(llvm::SMLoc loc, const llvm::Twine &msg);
  /// A note belongs to the last error or warning; it is dropped with it when
  /// that one was suppressed.
  void note(llvm::SMLoc loc, const llvm::Twine &msg);

  unsigned errorCount() const { return errors; }
  /// True once so many errors were reported that further ones are noise.
  bool tooMany() const { return errors >= maxErrors; }
  llvm::SourceMgr &sourceMgr() { return sm; }

private:
  void emit(llvm::SMLoc loc, llvm::SourceMgr::DiagKind kind,
            const llvm::Twine &msg);

  llvm::SourceMgr &sm;
  llvm::raw_ostream &os;
  std::string tool;
  unsigned errors = 0;
  bool lastSuppressed = false;
  std::set<std::pair<const char *, std::string>> seen;
  static constexpr unsigned maxErrors = 20;
};

/// "; did you mean 'conv2d'?" when a candidate is a small edit away from
/// name, else "".
std::string didYouMean(llvm::StringRef name,
                       const std::vector<std::string> &candidates);

} // namespace cnnc

#endif // CNNC_FRONTEND_DIAGNOSTICS_H
