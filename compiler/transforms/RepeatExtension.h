//===- RepeatExtension.h - give a cnn.repeat more values --------*- C++ -*-===//
//
// The training step adds to a repeat what MLIRGen's plain form lacks: the
// running statistics it carries or stacks, the slices of stacked params,
// the activations the backward pass needs. An op's operands and results are
// fixed, so the extension works on the body in place (new arguments, new
// yields) and `finish` rebuilds the op around it, replacing the old one.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TRANSFORMS_REPEATEXTENSION_H
#define CNNC_TRANSFORMS_REPEATEXTENSION_H

#include "cnn/CnnOps.h"

#include "mlir/IR/PatternMatch.h"

namespace cnn {

class RepeatExtension {
public:
  explicit RepeatExtension(RepeatOp repeat) : repeat(repeat) {}

  /// A new carried value, `init` in the first iteration: its body argument,
  /// after the repeat's own carried ones. Give its next value with
  /// `yieldCarried`.
  mlir::BlockArgument carry(mlir::Value init);
  void yieldCarried(mlir::BlockArgument carried, mlir::Value next);

  /// A new stacked operand: the body argument of its slice k.
  mlir::BlockArgument slice(mlir::Value stack);

  /// A new stacked result, iteration k's `value` as its slice k. Returns
  /// its index among the new stacked results.
  unsigned yieldStacked(mlir::Value value);

  /// Builds the extended op in place of the old one (whose results it
  /// replaces) and returns it.
  RepeatOp finish(mlir::RewriterBase &rewriter);

  /// After `finish`: the new carried values' results, in `carry` order, and
  /// the new stacked results, in `yieldStacked` order.
  mlir::Value carriedResult(unsigned i);
  mlir::Value stackedResult(unsigned i);

private:
  RepeatOp repeat;
  llvm::SmallVector<mlir::Value> inits, stacks, stackedYields;
  llvm::SmallVector<mlir::BlockArgument> carriedArgs;
  llvm::DenseMap<mlir::BlockArgument, mlir::Value> carriedNext;
  unsigned oldCarried = 0, oldStacked = 0;
};

} // namespace cnn

#endif // CNNC_TRANSFORMS_REPEATEXTENSION_H
