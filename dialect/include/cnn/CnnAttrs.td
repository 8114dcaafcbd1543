//===- CnnAttrs.td - cnn dialect attributes ----------------*- tablegen -*-===//
//
// Initializers of parameters and the training configuration's optimizer and
// penalty. Their f64 values configure the compiler and runtime; they are not
// tensor data.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_ATTRS_TD
#define CNN_ATTRS_TD

include "cnn/CnnDialect.td"
include "cnn/CnnEnums.td"
include "mlir/IR/AttrTypeBase.td"

class Cnn_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Cnn_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

// An f64 written as a float literal (`0.0`, not `0`, as everywhere in MLIR),
// kept as an APFloat since llvm::hash_value has no double overload. MLIR has
// no FieldParser<APFloat>, hence the parser. The attributes' `get` also
// takes doubles.
def Cnn_F64Parameter : APFloatParameter<"a 64-bit float"> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::llvm::APFloat> {
    double value;
    if (::mlir::failed($_parser.parseFloat(value)))
      return ::mlir::failure();
    return ::llvm::APFloat(value);
  }() }];
}

// The same, 0.0 when left out.
def Cnn_DefaultZeroF64Parameter : APFloatParameter<"a 64-bit float"> {
  let parser = Cnn_F64Parameter.parser;
  let defaultValue = "::llvm::APFloat(0.0)";
}

//===----------------------------------------------------------------------===//
// Initializers. The front end resolves PyTorch's named schemes (kaiming
// uniform with a=√5, kaiming normal, zeros, ...) to one of these three, so
// the runtime needs no knowledge of fan-in or gains.
//===----------------------------------------------------------------------===//

def Cnn_UniformAttr : Cnn_Attr<"Uniform", "uniform"> {
  let summary = "U(low, high) initializer";
  let parameters = (ins Cnn_F64Parameter:$low, Cnn_F64Parameter:$high);
  let builders = [AttrBuilder<(ins "double":$low, "double":$high), [{
    return $_get($_ctxt, ::llvm::APFloat(low), ::llvm::APFloat(high));
  }]>];
}

def Cnn_NormalAttr : Cnn_Attr<"Normal", "normal"> {
  let summary = "N(mean, std²) initializer";
  let parameters = (ins Cnn_F64Parameter:$mean, Cnn_F64Parameter:$std);
  let builders = [AttrBuilder<(ins "double":$mean, "double":$std), [{
    return $_get($_ctxt, ::llvm::APFloat(mean), ::llvm::APFloat(std));
  }]>];
}

def Cnn_ConstantAttr : Cnn_Attr<"Constant", "constant"> {
  let summary = "constant initializer";
  let parameters = (ins Cnn_F64Parameter:$value);
  let builders = [AttrBuilder<(ins "double":$value), [{
    return $_get($_ctxt, ::llvm::APFloat(value));
  }]>];
  let genVerifyDecl = 0;
}

def Cnn_InitAttr : AnyAttrOf<[Cnn_UniformAttr, Cnn_NormalAttr,
                              Cnn_ConstantAttr]>;

//===----------------------------------------------------------------------===//
// Training configuration.
//===----------------------------------------------------------------------===//

def Cnn_SgdAttr : Cnn_Attr<"Sgd", "sgd"> {
  let summary = "torch.optim.SGD hyperparameters";
  let description = [{
    `g = grad + weight_decay·p`; with momentum μ ≠ 0, `buf = g` on the first
    step and `buf = μ·buf + (1 − dampening)·g` after it; `g = g + μ·buf` with
    nesterov, else `g = buf`; then `p = p − lr·g`.
  }];
  let parameters = (ins Cnn_F64Parameter:$lr, Cnn_F64Parameter:$momentum,
                        Cnn_F64Parameter:$dampening, "bool":$nesterov,
                        Cnn_F64Parameter:$weight_decay);
  let builders = [AttrBuilder<(ins "double":$lr, "double":$momentum,
                                   "double":$dampening, "bool":$nesterov,
                                   "double":$weight_decay), [{
    return $_get($_ctxt, ::llvm::APFloat(lr), ::llvm::APFloat(momentum),
                 ::llvm::APFloat(dampening), nesterov,
                 ::llvm::APFloat(weight_decay));
  }]>];
}

def Cnn_OptimizerAttr : AnyAttrOf<[Cnn_SgdAttr]>;

def Cnn_PenaltyAttr : Cnn_Attr<"Penalty", "penalty"> {
  let summary = "weight penalty added to the loss over all parameters";
  let description = [{
    `#cnn.penalty<l2, 1.0e-03>` adds `λ·Σ p²`, `#cnn.penalty<l1, λ>` adds
    `λ·Σ |p|`, over every `parameter` (biases included); `#cnn.penalty<none>`
    adds nothing.
  }];
  let parameters = (ins EnumParameter<Cnn_PenaltyKind>:$kind,
                        Cnn_DefaultZeroF64Parameter:$strength);
  let builders = [AttrBuilder<(ins "::cnn::PenaltyKind":$kind,
                                   CArg<"double", "0.0">:$strength), [{
    return $_get($_ctxt, kind, ::llvm::APFloat(strength));
  }]>];
  let assemblyFormat = "`<` $kind (`,` $strength^)? `>`";
}

#endif // CNN_ATTRS_TD
