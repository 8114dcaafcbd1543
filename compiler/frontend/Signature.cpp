//===- Signature.cpp ------------------------------------------------------===//
#include "frontend/Signature.h"

using namespace cnnc;

std::optional<std::vector<const Expr *>>
cnnc::bindArgs(const Signature &sig, llvm::ArrayRef<Arg> args,
               llvm::SMLoc callLoc, Diagnostics &diag) {
  std::vector<const Expr *> bound(sig.params.size(), nullptr);
  std::vector<llvm::SMLoc> where(sig.params.size());
  bool ok = true, sawKeyword = false;
  size_t positional = 0;
  for (const Arg &a : args) {
    if (a.name.empty()) {
      if (sawKeyword) {
        diag.error(a.value->loc, "positional argument follows a keyword argument");
        ok = false;
        continue;
      }
      if (positional >= sig.params.size()) {
        diag.error(a.value->loc,
                   sig.callee + " takes " + std::to_string(sig.params.size()) +
                       " argument" + (sig.params.size() == 1 ? "" : "s") +
                       " but more were given");
        return std::nullopt;
      }
      bound[positional] = a.value.get();
      where[positional] = a.value->loc;
      ++positional;
      continue;
    }
    sawKeyword = true;
    size_t i = 0;
    while (i < sig.params.size() && sig.params[i].name != a.name &&
           sig.params[i].alias != a.name)
      ++i;
    if (i == sig.params.size()) {
      std::vector<std::string> names;
      for (const ParamSpec &p : sig.params) {
        names.push_back(p.name);
        if (!p.alias.empty())
          names.push_back(p.alias);
      }
      diag.error(a.nameLoc, sig.callee + " has no argument named '" + a.name +
                                "'" + didYouMean(a.name, names));
      ok = false;
      continue;
    }
    if (bound[i]) {
      diag.error(a.nameLoc, "argument '" + sig.params[i].name + "' of " +
                                sig.callee + " is given twice");
      diag.note(where[i], "first given here");
      ok = false;
      continue;
    }
    bound[i] = a.value.get();
    where[i] = a.nameLoc;
  }
  if (!ok)
    return std::nullopt;
  for (size_t i = 0; i < sig.params.size(); ++i) {
    if (sig.params[i].required && !bound[i]) {
      diag.error(callLoc, sig.callee + " is missing its argument '" +
                              sig.params[i].name + "'");
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;
  return bound;
}
