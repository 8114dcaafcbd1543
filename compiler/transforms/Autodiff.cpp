//===- Autodiff.cpp - reverse-mode differentiation of cnn ops -------------===//
#include "transforms/Autodiff.h"

#include "cnn/CnnOps.h"

#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace cnn {

FailureOr<llvm::DenseMap<Value, Value>>
backpropagate(OpBuilder &b, ArrayRef<Operation *> ops, Value output,
              Value outputGrad, llvm::function_ref<bool(Value)> isSource) {
  // Forward: which values depend on a source.
  llvm::DenseSet<Value> active;
  auto isActive = [&](Value v) { return isSource(v) || active.contains(v); };
  for (Operation *op : ops) {
    for (Value r : op->getResults())
      if (isSource(r))
        active.insert(r);
    if (llvm::any_of(op->getOperands(), isActive))
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
  if (outputGrad.getType() != output.getType())
    return emitError(output.getLoc(), "the output gradient has type ")
           << outputGrad.getType() << ", the output " << output.getType();
  if (isActive(output))
    grads[output] = outputGrad;

  for (Operation *op : llvm::reverse(ops)) {
    SmallVector<Value> resultGrads;
    for (Value r : op->getResults())
      resultGrads.push_back(grads.lookup(r));
    if (llvm::all_of(resultGrads, [](Value g) { return !g; }) ||
        llvm::none_of(op->getOperands(), isActive))
      continue;
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
