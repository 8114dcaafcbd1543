//===- Autodiff.cpp - reverse-mode differentiation of cnn ops -------------===//
#include "transforms/Autodiff.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace cnn {

SmallVector<Value> capturedValues(RepeatOp repeat) {
  llvm::SetVector<Value> captured;
  repeat.getBody().walk([&](Operation *op) {
    for (Value v : op->getOperands())
      if (!repeat->isAncestor(v.getParentRegion()->getParentOp()))
        captured.insert(v);
  });
  return captured.takeVector();
}

FailureOr<llvm::DenseMap<Value, Value>>
backpropagate(RewriterBase &b, SmallVectorImpl<Operation *> &ops,
              ArrayRef<std::pair<Value, Value>> seeds,
              llvm::function_ref<bool(Value)> isSource) {
  // Forward: which values depend on a source (a repeat's body also reads
  // the values it captures).
  llvm::DenseSet<Value> active;
  auto isActive = [&](Value v) { return isSource(v) || active.contains(v); };
  auto inputs = [](Operation *op) {
    SmallVector<Value> values(op->getOperands());
    if (auto repeat = dyn_cast<RepeatOp>(op))
      llvm::append_range(values, capturedValues(repeat));
    return values;
  };
  for (Operation *op : ops) {
    for (Value r : op->getResults())
      if (isSource(r))
        active.insert(r);
    if (llvm::any_of(inputs(op), isActive))
      active.insert(op->result_begin(), op->result_end());
  }

  llvm::DenseMap<Value, Value> grads;
  // Adds `g` to the gradient of `v`; the first contribution is taken as is.
  auto accumulate = [&](Operation *user, Value v, Value g) -> LogicalResult {
    if (g.getType() != v.getType())
      return user->emitOpError("gives a gradient of type ")
             << g.getType() << " to a value of type " << v.getType();
    auto [it, inserted] = grads.try_emplace(v, g);
    if (!inserted)
      it->second = AddOp::create(b, g.getLoc(), it->second, g);
    return success();
  };
  for (auto [value, grad] : seeds) {
    if (grad.getType() != value.getType())
      return emitError(value.getLoc(), "the output gradient has type ")
             << grad.getType() << ", the output " << value.getType();
    if (!isActive(value))
      continue;
    auto [it, inserted] = grads.try_emplace(value, grad);
    if (!inserted)
      it->second = AddOp::create(b, grad.getLoc(), it->second, grad);
  }

  for (Operation *&op : llvm::reverse(ops)) {
    SmallVector<Value> resultGrads;
    for (Value r : op->getResults())
      resultGrads.push_back(grads.lookup(r));
    if (llvm::all_of(resultGrads, [](Value g) { return !g; }) ||
        llvm::none_of(inputs(op), isActive))
      continue;
    if (auto repeat = dyn_cast<RepeatOp>(op)) {
      SmallVector<std::pair<Value, Value>> operandGrads;
      if (failed(differentiateRepeat(b, repeat, resultGrads, isActive,
                                     operandGrads)))
        return failure();
      op = repeat;
      for (auto [operand, g] : operandGrads)
        if (failed(accumulate(repeat, operand, g)))
          return failure();
      continue;
    }
    auto differentiable = dyn_cast<GradientOpInterface>(op);
    if (!differentiable)
      return op->emitOpError("cannot be differentiated: it has no gradient");
    SmallVector<Value> operandGrads;
    differentiable.buildGradients(b, resultGrads, operandGrads);
    assert(operandGrads.size() == op->getNumOperands() &&
           "one gradient (or null) per operand");
    for (auto [operand, g] : llvm::zip(op->getOperands(), operandGrads))
      if (g && isActive(operand) && failed(accumulate(op, operand, g)))
        return failure();
  }
  return grads;
}

} // namespace cnn
