//===- Diagnostics.cpp ----------------------------------------------------===//
#include "frontend/Diagnostics.h"

#include <algorithm>

using namespace cnnc;

void Diagnostics::emit(llvm::SMLoc loc, llvm::SourceMgr::DiagKind kind,
                       const llvm::Twine &msg) {
  if (loc.isValid()) {
    // Whole, then written at once: SourceMgr prints the source line a
    // character at a time, a system call each on unbuffered stderr.
    std::string text;
    llvm::raw_string_ostream buffer(text);
    buffer.enable_colors(os.has_colors());
    sm.PrintMessage(buffer, loc, kind, msg);
    os << text;
    return;
  }
  const char *label = kind == llvm::SourceMgr::DK_Error     ? "error"
                      : kind == llvm::SourceMgr::DK_Warning ? "warning"
                                                            : "note";
  os << tool << ": " << label << ": " << msg << "\n";
}

void Diagnostics::error(llvm::SMLoc loc, const llvm::Twine &msg) {
  if (!seen.insert({loc.getPointer(), "E" + msg.str()}).second) {
    lastSuppressed = true;
    return;
  }
  lastSuppressed = errors >= maxErrors;
  ++errors;
  if (lastSuppressed)
    return;
  emit(loc, llvm::SourceMgr::DK_Error, msg);
  if (errors == maxErrors)
    os << tool << ": note: too many errors, stopping now\n";
}

void Diagnostics::warning(llvm::SMLoc loc, const llvm::Twine &msg) {
  if (!seen.insert({loc.getPointer(), "W" + msg.str()}).second) {
    lastSuppressed = true;
    return;
  }
  lastSuppressed = errors >= maxErrors;
  if (!lastSuppressed)
    emit(loc, llvm::SourceMgr::DK_Warning, msg);
}

void Diagnostics::note(llvm::SMLoc loc, const llvm::Twine &msg) {
  if (!lastSuppressed)
    emit(loc, llvm::SourceMgr::DK_Note, msg);
}

std::string cnnc::didYouMean(llvm::StringRef name,
                             const std::vector<std::string> &candidates) {
  const std::string *best = nullptr;
  unsigned bestDist = 0;
  for (const std::string &c : candidates) {
    unsigned limit = std::max<unsigned>(1, std::min(name.size(), c.size()) / 3);
    unsigned d = name.edit_distance(c, true, limit + 1);
    if (d <= limit && d > 0 && (!best || d < bestDist)) {
      best = &c;
      bestDist = d;
    }
  }
  return best ? "; did you mean '" + *best + "'?" : "";
}
