//===- CnnGradientOpInterface.td - reverse-mode derivatives -*- tablegen -*-===//
//
// How each differentiable op states its own gradient, so that the autodiff
// pass (compiler/transforms/Autodiff.cpp) is a generic reverse walk that
// knows no op. Implementations live in dialect/lib/CnnGradients.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_GRADIENT_OP_INTERFACE_TD
#define CNN_GRADIENT_OP_INTERFACE_TD

include "mlir/IR/OpBase.td"

def Cnn_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::cnn";
  let description = [{
    An op whose vector-Jacobian product can be written as cnn ops: given
    the gradient of a scalar loss with respect to each of its results, it
    emits the gradient with respect to each of its operands.
  }];
  let methods = [
    InterfaceMethod<[{
        Emits, at the builder's insertion point, the gradients of the
        operands given `resultGrads` (one per result, of the result's type;
        null for a result the loss does not depend on, and at least one is
        not null). Appends one value per operand to `operandGrads`, of the
        operand's type, or null where the operand has no gradient (buffers,
        dropout masks, labels). The emitted ops may use the op's operands
        and results (tanh's gradient uses its output).
      }],
      "void", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder,
           "::llvm::ArrayRef<::mlir::Value>":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif // CNN_GRADIENT_OP_INTERFACE_TD
