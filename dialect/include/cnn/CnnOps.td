//===- CnnOps.td - cnn dialect ops -------------------------*- tablegen -*-===//

#ifndef CNN_OPS_TD
#define CNN_OPS_TD

include "cnn/CnnDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Cnn_ReluOp : Cnn_Op<"relu", [Pure, SameOperandsAndResultType]> {
  let summary = "max(x, 0) elementwise";
  let arguments = (ins F32Tensor:$input);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

#endif // CNN_OPS_TD
