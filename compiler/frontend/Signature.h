//===- Signature.h - binding call arguments to parameters -------*- C++ -*-===//
#ifndef CNNC_FRONTEND_SIGNATURE_H
#define CNNC_FRONTEND_SIGNATURE_H

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"

#include "llvm/ADT/ArrayRef.h"

#include <optional>

namespace cnnc {

/// A callee's parameters in positional order, as PyTorch names them. An alias
/// accepts the shorter spelling (`kernel` for `kernel_size`).
struct ParamSpec {
  std::string name;
  std::string alias;
  bool required = false;
};

struct Signature {
  std::string callee; ///< for messages: "conv2d", "block 'ResBlock'"
  std::vector<ParamSpec> params;
};

/// Matches positional and keyword arguments to sig as Python does: too many
/// positional arguments, an unknown or repeated keyword, a positional one
/// after a keyword and a missing required one are errors. Returns, for each
/// parameter, its argument expression or null.
std::optional<std::vector<const Expr *>> bindArgs(const Signature &sig,
                                                  llvm::ArrayRef<Arg> args,
                                                  llvm::SMLoc callLoc,
                                                  Diagnostics &diag);

} // namespace cnnc

#endif // CNNC_FRONTEND_SIGNATURE_H
