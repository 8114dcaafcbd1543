//===- CnnEnums.td - cnn dialect enums ---------------------*- tablegen -*-===//
//
// Small closed vocabularies, stored as EnumAttrs so that they print as bare
// keywords inside op and attribute formats (`parameter`, `l2`, ...). An
// EnumAttr prints its own leading space, so op formats put `` before one.
// C++ enumerators are spelled like the keywords: ParamRole::buffer.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_ENUMS_TD
#define CNN_ENUMS_TD

include "cnn/CnnDialect.td"
include "mlir/IR/EnumAttr.td"

// Whether the optimizer updates a symbol (`parameter`) or only the forward
// pass does (`buffer`: batchnorm running statistics, num_batches_tracked).
// PyTorch keeps both in the state_dict. The training state the train-step
// pass declares after the model's tensors is not in the state_dict: each
// parameter's `gradient` (PyTorch's p.grad) and SGD `momentum` buffer
// (the optimizer's momentum_buffer).
def Cnn_ParamRole : I32EnumAttr<"ParamRole", "role of a cnn.param", [
    I32EnumAttrCase<"parameter", 0, "parameter">,
    I32EnumAttrCase<"buffer", 1, "buffer">,
    I32EnumAttrCase<"gradient", 2, "gradient">,
    I32EnumAttrCase<"momentum", 3, "momentum">]> {
  let cppNamespace = "::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_ParamRoleAttr : EnumAttr<Cnn_Dialect, Cnn_ParamRole, "role">;

// The weight penalty added to the loss: λ·Σ|p| (l1) or λ·Σp² (l2).
def Cnn_PenaltyKind : I32EnumAttr<"PenaltyKind", "weight penalty", [
    I32EnumAttrCase<"none", 0, "none">,
    I32EnumAttrCase<"l1", 1, "l1">,
    I32EnumAttrCase<"l2", 2, "l2">]> {
  let cppNamespace = "::cnn";
  let genSpecializedAttr = 0;
}

def Cnn_LossKind : I32EnumAttr<"LossKind", "training loss", [
    I32EnumAttrCase<"cross_entropy", 0, "cross_entropy">]> {
  let cppNamespace = "::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_LossKindAttr : EnumAttr<Cnn_Dialect, Cnn_LossKind, "loss">;

#endif // CNN_ENUMS_TD
