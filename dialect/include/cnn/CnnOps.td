//===- CnnOps.td - cnn dialect ops -------------------------*- tablegen -*-===//
//
// Three kinds of ops: module-level symbols (cnn.param, cnn.train_config),
// the symbol read (cnn.read), and the graph ops of the forward function.
// The ops of a training step are in CnnTrainOps.td, included at the end.
//
// Graph ops infer their result type (InferTypeOpAdaptor) from the rules in
// ShapeRules.h, which the front end uses too, and their verifiers report the
// same rule's message. Activations are ranked f32 tensors, batch first; the
// batch may be dynamic or static, every other dimension is static.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_OPS_TD
#define CNN_OPS_TD

include "cnn/CnnDialect.td"
include "cnn/CnnAttrs.td"
include "cnn/CnnEnums.td"
include "cnn/CnnGradientOpInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Ops that state their gradient (CnnGradientOpInterface.td); the methods
// are in dialect/lib/CnnGradients.cpp.
defvar Cnn_Differentiable =
    DeclareOpInterfaceMethods<Cnn_GradientOpInterface>;

// Activations: NCHW, or NxF after flatten (checked per op).
def Cnn_Tensor : RankedTensorOf<[F32]>;
// Parameters and buffers as read by cnn.read.
def Cnn_Weight : StaticShapeTensorOf<[F32]>;

// What cnn.read reads and the training passes write.
def Cnn_ParamResource : Resource<"::cnn::ParamResource">;

//===----------------------------------------------------------------------===//
// Parameters, buffers and their reads
//===----------------------------------------------------------------------===//

def Cnn_ParamOp : Cnn_Op<"param", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "a parameter or buffer, named by its state_dict key";
  let description = [{
    ```mlir
    cnn.param @"conv1.weight" : tensor<16x3x3x3xf32> parameter
        init #cnn.uniform<low = -0.19, high = 0.19>
    cnn.param @"bn.num_batches_tracked" : tensor<i64> buffer
        init #cnn.constant<value = 0.0>
    ```
    The optimizer updates `parameter`s; `buffer`s (batchnorm running
    statistics) change only in the forward pass. `gradient` and `momentum`
    are the training state that `cnn-build-train-step` declares after the
    model's tensors (`grad.<name>`, `momentum_buffer.<name>`): f32, not in
    the state_dict.

    `offset` is the byte offset of the tensor in the parameter arena, set by
    the lowering (compiler/transforms/ParamLayout.h): a multiple of 64, in
    declaration order, as the runtime's `cnnrt::Layout` places them.
    ```mlir
    cnn.param @"fc1.bias" : tensor<32xf32> parameter
        init #cnn.uniform<low = -0.04, high = 0.04> offset 2048
    ``` The type is a static f32
    tensor, or `tensor<i64>` for batchnorm's `num_batches_tracked` buffer
    (whose init is then an integral constant).

    `aliases` lists the other state_dict names of the same tensor: a shared
    block used n times (PyTorch's `nn.Sequential(*(n * [block]))`) has its
    tensors declared once, under the first use's name, but PyTorch's
    `state_dict()` lists them under every use's prefix. Checkpoints accept
    and write every alias (MLIRGen collects them in use order). No alias
    repeats, and none is the symbol's own name.
    ```mlir
    cnn.param @"resblocks.0.conv.weight" : tensor<32x32x3x3xf32> parameter
        init #cnn.normal<mean = 0.0, std = 0.0833>
        aliases ["resblocks.1.conv.weight", "resblocks.2.conv.weight"]
    ```

    `slices` makes the declaration a stack of tensors of one shape, the
    distinct blocks of `sequential(n * B)`: the leading dimension counts
    them and slice k is the state_dict tensor `slices[k]` (the stack's own
    symbol name is not a state_dict name). A `cnn.repeat` body reads slice
    k in iteration k (`cnn.read @p[%k]`). In the arena the slices follow
    one another, each aligned to 64 bytes as a tensor of its own would be,
    so the runtime sees n ordinary tensors. The initializer is per slice.
    ```mlir
    cnn.param @"resblocks.*.conv.weight" : tensor<3x32x32x3x3xf32> parameter
        init #cnn.normal<mean = 0.0, std = 0.0833>
        slices ["resblocks.0.conv.weight", "resblocks.1.conv.weight",
                "resblocks.2.conv.weight"]
    ```

    C++: `ParamOp::create(b, loc, "conv1.weight", type, ParamRole::parameter,
    UniformAttr::get(ctx, -0.19, 0.19))`.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<AnyRankedTensor>:$type,
                       Cnn_ParamRoleAttr:$role,
                       Cnn_InitAttr:$init,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$offset,
                       OptionalAttr<StrArrayAttr>:$aliases,
                       OptionalAttr<StrArrayAttr>:$slices);
  let assemblyFormat = [{
    $sym_name `:` $type `` $role `init` $init (`offset` $offset^)?
    (`aliases` $aliases^)? (`slices` $slices^)? attr-dict
  }];
  let builders = [
    OpBuilder<(ins "::llvm::StringRef":$name, "::mlir::Type":$type,
                   "::cnn::ParamRole":$role, "::mlir::Attribute":$init), [{
      build($_builder, $_state, $_builder.getStringAttr(name),
            ::mlir::TypeAttr::get(type),
            ParamRoleAttr::get($_builder.getContext(), role), init,
            /*offset=*/::mlir::IntegerAttr(), /*aliases=*/::mlir::ArrayAttr(),
            /*slices=*/::mlir::ArrayAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
    bool isParameter() { return getRole() == ::cnn::ParamRole::parameter; }
    /// Whether this declares a stack of `slices` (sequential blocks).
    bool isStacked() { return getSlices().has_value(); }
    /// The type of one state_dict tensor: the type itself, or a slice's.
    ::mlir::RankedTensorType getSliceType() {
      ::mlir::RankedTensorType type = getTensorType();
      return isStacked() ? ::mlir::RankedTensorType::get(
                               type.getShape().drop_front(),
                               type.getElementType())
                         : type;
    }
    /// The state_dict tensors it holds: 1, or the number of slices.
    int64_t getNumSlices() {
      return isStacked() ? int64_t(getSlices()->size()) : 1;
    }
    /// The state_dict name of slice k: the symbol name when not stacked.
    ::llvm::StringRef getSliceName(int64_t k) {
      return isStacked()
                 ? ::llvm::cast<::mlir::StringAttr>((*getSlices())[k]).getValue()
                 : getSymName();
    }
  }];
  let hasVerifier = 1;
}

def Cnn_ReadOp : Cnn_Op<"read", [
    MemoryEffects<[MemRead<Cnn_ParamResource>]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "the current value of a cnn.param";
  let description = [{
    ```mlir
    %w = cnn.read @"conv1.weight" : tensor<16x3x3x3xf32>
    ```
    A read, not a pure value: training passes write parameters, so reads
    must not be hoisted across those writes.

    With an index, the read takes one slice of a stacked param (the
    iteration's block of a `cnn.repeat`); without, the whole declared type.
    ```mlir
    %w = cnn.read @"resblocks.*.conv.weight"[%k] : tensor<32x32x3x3xf32>
    ```

    C++: `ReadOp::create(b, loc, paramOp)`, or by name
    `ReadOp::create(b, loc, "conv1.weight", type)`, a slice with
    `ReadOp::create(b, loc, "p", sliceType, index)`.
  }];
  let arguments = (ins FlatSymbolRefAttr:$param, Optional<Index>:$index);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$param (`[` $index^ `]`)? attr-dict `:` type($result)";
  let builders = [
    OpBuilder<(ins "::cnn::ParamOp":$param), [{
      build($_builder, $_state, param.getType(),
            ::mlir::FlatSymbolRefAttr::get(param.getSymNameAttr()),
            ::mlir::Value());
    }]>,
    OpBuilder<(ins "::llvm::StringRef":$name, "::mlir::Type":$type,
                   CArg<"::mlir::Value", "{}">:$index), [{
      build($_builder, $_state, type,
            ::mlir::FlatSymbolRefAttr::get($_builder.getContext(), name),
            index);
    }]>
  ];
}

//===----------------------------------------------------------------------===//
// Graph ops
//===----------------------------------------------------------------------===//

// Shape-changing ops infer their result type with InferTypeOpAdaptor;
// SameOperandsAndResultType ops get InferTypeOpInterface from ODS.
class Cnn_GraphOp<string mnemonic,
                  list<Trait> traits = [Pure, InferTypeOpAdaptor]>
    : Cnn_Op<mnemonic, traits> {
  let results = (outs Cnn_Tensor:$result);
  let hasVerifier = 1;
}

def Cnn_Conv2dOp : Cnn_GraphOp<"conv2d", [Pure, InferTypeOpAdaptor,
    Cnn_Differentiable]> {
  let summary = "2-D convolution (cross-correlation), as torch.nn.Conv2d";
  let description = [{
    Input [N, C, H, W], weight [O, C, KH, KW], optional bias [O] ->
    [N, O, OH, OW] with OH = (H + 2·ph − KH) / sh + 1 (floor).
    ```mlir
    %y = cnn.conv2d %x, %w, %b stride [1, 1] padding [1, 1]
        : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>)
        -> tensor<?x16x32x32xf32>
    ```
    C++: `Conv2dOp::create(b, loc, input, weight, bias /*may be null*/,
    stride, padding)` infers the result type.
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Weight:$weight,
                       Optional<Cnn_Weight>:$bias,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `stride` $stride `padding` $padding
    attr-dict `:` functional-type(operands, results)
  }];
}

// Not Pure: in training each use updates the running statistics (twice for
// a block shared by two uses), so uses must be neither merged nor dropped,
// and reads of the buffers must not move across them.
def Cnn_BatchNormOp : Cnn_GraphOp<"batch_norm", [
    InferTypeOpAdaptor, AttrSizedOperandSegments,
    MemoryEffects<[MemRead<Cnn_ParamResource>, MemWrite<Cnn_ParamResource>]>]> {
  let summary = "batch normalization over (N, H, W), as torch.nn.BatchNorm2d";
  let description = [{
    Mode-agnostic: the mode specialisation passes turn it into batch
    statistics plus a running-statistics update (train) or a normalisation
    by the running statistics (eval). `scale` and `shift` (γ and β) are both
    present (affine=True) or both absent.
    ```mlir
    %y = cnn.batch_norm %x, %mean, %var scale %g shift %b
        eps 1.000000e-05 momentum 1.000000e-01
        : (tensor<?x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>,
           tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32>
    ```
    C++: `BatchNormOp::create(b, loc, input, mean, var, scale, shift,
    /*eps=*/1e-5, /*momentum=*/0.1)` (scale and shift may be null).
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Weight:$running_mean,
                       Cnn_Weight:$running_var,
                       Optional<Cnn_Weight>:$scale, Optional<Cnn_Weight>:$shift,
                       F64Attr:$eps, F64Attr:$momentum);
  let assemblyFormat = [{
    $input `,` $running_mean `,` $running_var (`scale` $scale^)?
    (`shift` $shift^)? `eps` $eps `momentum` $momentum
    attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$runningMean,
                   "::mlir::Value":$runningVar, "::mlir::Value":$scale,
                   "::mlir::Value":$shift, CArg<"double", "1e-5">:$eps,
                   CArg<"double", "0.1">:$momentum), [{
      build($_builder, $_state, input, runningMean, runningVar, scale, shift,
            $_builder.getF64FloatAttr(eps),
            $_builder.getF64FloatAttr(momentum));
    }]>
  ];
}

def Cnn_BatchNormEvalOp : Cnn_GraphOp<"batch_norm_eval", [
    Pure, InferTypeOpAdaptor, AttrSizedOperandSegments]> {
  let summary = "batch normalization by the running statistics (eval mode)";
  let description = [{
    What `cnn-specialize-eval` makes of `cnn.batch_norm`: per channel c,
    `y = (x − mean[c]) · γ[c] / √(var[c] + eps) + β[c]` (γ = 1, β = 0 when
    `scale` and `shift` are absent). Reads nothing but its operands, so it
    is `Pure`, unlike the mode-agnostic op.
    ```mlir
    %y = cnn.batch_norm_eval %x, %mean, %var scale %g shift %b
        eps 1.000000e-05
        : (tensor<?x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>,
           tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32>
    ```
    C++: `BatchNormEvalOp::create(b, loc, input, mean, var, scale, shift,
    /*eps=*/1e-5)` (scale and shift may be null).
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Weight:$running_mean,
                       Cnn_Weight:$running_var,
                       Optional<Cnn_Weight>:$scale, Optional<Cnn_Weight>:$shift,
                       F64Attr:$eps);
  let assemblyFormat = [{
    $input `,` $running_mean `,` $running_var (`scale` $scale^)?
    (`shift` $shift^)? `eps` $eps attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$runningMean,
                   "::mlir::Value":$runningVar, "::mlir::Value":$scale,
                   "::mlir::Value":$shift, CArg<"double", "1e-5">:$eps), [{
      build($_builder, $_state, input, runningMean, runningVar, scale, shift,
            $_builder.getF64FloatAttr(eps));
    }]>
  ];
}

//===----------------------------------------------------------------------===//
// Batchnorm folding (eval mode)
//===----------------------------------------------------------------------===//

// `cnn-fold-batchnorm` rewrites batch_norm_eval(conv2d(x, w, b)) into
// conv2d(x, w', b'). The weights are runtime data (read from the arena), so
// w' and b' are computed by these two ops rather than by constant folding.
// They are ops of their own, not linalg, so that the folded graph stays at
// the cnn level (readable, testable, and lowered by the one conversion that
// every target shares); each is a few hundred flops next to the conv.

def Cnn_FoldBnWeightOp : Cnn_Op<"fold_bn_weight", [
    Pure, AllTypesMatch<["weight", "result"]>]> {
  let summary = "conv weight with an eval batchnorm folded in";
  let description = [{
    `w'[o, c, i, j] = w[o, c, i, j] · γ[o] / √(var[o] + eps)`, γ = 1 when
    `scale` is absent.
    ```mlir
    %w2 = cnn.fold_bn_weight %w, %var scale %g eps 1.000000e-05
        : (tensor<16x3x3x3xf32>, tensor<16xf32>, tensor<16xf32>)
        -> tensor<16x3x3x3xf32>
    ```
  }];
  let arguments = (ins Cnn_Weight:$weight, Cnn_Weight:$running_var,
                       Optional<Cnn_Weight>:$scale, F64Attr:$eps);
  let results = (outs Cnn_Weight:$result);
  let assemblyFormat = [{
    $weight `,` $running_var (`scale` $scale^)? `eps` $eps attr-dict `:`
    functional-type(operands, results)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$weight, "::mlir::Value":$runningVar,
                   "::mlir::Value":$scale, "double":$eps), [{
      build($_builder, $_state, weight, runningVar, scale,
            $_builder.getF64FloatAttr(eps));
    }]>
  ];
  let hasVerifier = 1;
}

def Cnn_FoldBnBiasOp : Cnn_Op<"fold_bn_bias", [
    Pure, AttrSizedOperandSegments,
    AllTypesMatch<["running_mean", "result"]>]> {
  let summary = "conv bias with an eval batchnorm folded in";
  let description = [{
    `b'[o] = (b[o] − mean[o]) · γ[o] / √(var[o] + eps) + β[o]`, b = 0 when
    `bias` is absent (a conv without bias), γ = 1 and β = 0 when `scale` and
    `shift` are absent.
    ```mlir
    %b2 = cnn.fold_bn_bias %mean, %var bias %b scale %g shift %beta
        eps 1.000000e-05
        : (tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>,
           tensor<16xf32>) -> tensor<16xf32>
    ```
  }];
  let arguments = (ins Cnn_Weight:$running_mean, Cnn_Weight:$running_var,
                       Optional<Cnn_Weight>:$bias, Optional<Cnn_Weight>:$scale,
                       Optional<Cnn_Weight>:$shift, F64Attr:$eps);
  let results = (outs Cnn_Weight:$result);
  let assemblyFormat = [{
    $running_mean `,` $running_var (`bias` $bias^)? (`scale` $scale^)?
    (`shift` $shift^)? `eps` $eps attr-dict `:`
    functional-type(operands, results)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$runningMean, "::mlir::Value":$runningVar,
                   "::mlir::Value":$bias, "::mlir::Value":$scale,
                   "::mlir::Value":$shift, "double":$eps), [{
      build($_builder, $_state, runningMean, runningVar, bias, scale, shift,
            $_builder.getF64FloatAttr(eps));
    }]>
  ];
  let hasVerifier = 1;
}

class Cnn_DropoutBase<string mnemonic>
    : Cnn_GraphOp<mnemonic, [Pure, SameOperandsAndResultType]> {
  let arguments = (ins Cnn_Tensor:$input, F64Attr:$p,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$site);
  let assemblyFormat = "$input `p` $p `site` $site attr-dict `:` type($result)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "double":$p, "int64_t":$site), [{
      build($_builder, $_state, input, $_builder.getF64FloatAttr(p),
            $_builder.getI64IntegerAttr(site));
    }]>
  ];
  // p = 0 keeps every element in both modes.
  let hasFolder = 1;
}

def Cnn_DropoutOp : Cnn_DropoutBase<"dropout"> {
  let summary = "element-wise dropout, as torch.nn.Dropout";
  let description = [{
    Training zeroes each element with probability `p` and scales the others
    by 1/(1 − p); eval is the identity. `site` numbers the dropout ops of a
    model: the training RNG (Philox) is keyed by (seed, step, site, element).
    ```mlir
    %y = cnn.dropout %x p 4.000000e-01 site 0 : tensor<?x32xf32>
    ```
  }];
}

def Cnn_Dropout2dOp : Cnn_DropoutBase<"dropout2d"> {
  let summary = "channel-wise dropout on NCHW, as torch.nn.Dropout2d";
  let description = [{
    Like `cnn.dropout`, with one draw per (sample, channel).
    ```mlir
    %y = cnn.dropout2d %x p 4.000000e-01 site 1 : tensor<?x16x16x16xf32>
    ```
  }];
}

class Cnn_Pool2dOp<string mnemonic>
    : Cnn_GraphOp<mnemonic, [Pure, InferTypeOpAdaptor, Cnn_Differentiable]> {
  let description = [{
    No padding, floor mode: [N, C, H, W] -> [N, C, (H − KH) / SH + 1, …].
    ```mlir
    %y = cnn.}] # mnemonic # [{ %x kernel [2, 2] stride [2, 2]
        : tensor<?x16x32x32xf32> -> tensor<?x16x16x16xf32>
    ```
    C++: `create(b, loc, input, kernel, stride)` infers the result type.
  }];
  let arguments = (ins Cnn_Tensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride);
  let assemblyFormat = [{
    $input `kernel` $kernel `stride` $stride attr-dict `:` type($input) `->`
    type($result)
  }];
}

def Cnn_MaxPool2dOp : Cnn_Pool2dOp<"max_pool2d"> {
  let summary = "2-D max pooling, as torch.nn.functional.max_pool2d";
  // Canonicalized: max_pool2d(act(x)) = act(max_pool2d(x)) for relu, tanh
  // and sigmoid, which never decrease, where the pooling is act(x)'s only
  // reader: the activation then runs on a quarter of the values (2x2
  // windows). Autodiff of the result sends a window's gradient to x's
  // first maximum; PyTorch's goes to act(x)'s, the same position except
  // where f32 rounds act of two of the window's values to one maximum
  // (then it is the earlier one; docs/training.md).
  let hasCanonicalizer = 1;
}

def Cnn_AvgPool2dOp : Cnn_Pool2dOp<"avg_pool2d"> {
  let summary = "2-D average pooling, as torch.nn.functional.avg_pool2d";
}

def Cnn_LinearOp : Cnn_GraphOp<"linear", [Pure, InferTypeOpAdaptor,
    Cnn_Differentiable]> {
  let summary = "x·Wᵀ + b, as torch.nn.Linear";
  let description = [{
    Input [N, F], weight [O, F], optional bias [O] -> [N, O].
    ```mlir
    %y = cnn.linear %x, %w, %b
        : (tensor<?x512xf32>, tensor<32x512xf32>, tensor<32xf32>)
        -> tensor<?x32xf32>
    ```
    C++: `LinearOp::create(b, loc, input, weight, bias /*may be null*/)`.
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Weight:$weight,
                       Optional<Cnn_Weight>:$bias);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

class Cnn_UnaryOp<string mnemonic>
    : Cnn_GraphOp<mnemonic, [Pure, SameOperandsAndResultType,
                             Cnn_Differentiable]> {
  let arguments = (ins Cnn_Tensor:$input);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Cnn_ReluOp : Cnn_UnaryOp<"relu"> {
  let summary = "max(x, 0) elementwise";
}
def Cnn_TanhOp : Cnn_UnaryOp<"tanh"> {
  let summary = "tanh(x) elementwise";
}
def Cnn_SigmoidOp : Cnn_UnaryOp<"sigmoid"> {
  let summary = "1 / (1 + exp(-x)) elementwise";
}

def Cnn_AddOp : Cnn_GraphOp<"add", [Pure, InferTypeOpAdaptor, Commutative,
    Cnn_Differentiable]> {
  let summary = "elementwise sum of two activations of one shape (residual)";
  let description = [{
    Shapes must match; a static batch on either side makes the result's
    batch static.
    ```mlir
    %y = cnn.add %a, %b : (tensor<?x32x16x16xf32>, tensor<?x32x16x16xf32>)
        -> tensor<?x32x16x16xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$lhs, Cnn_Tensor:$rhs);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Cnn_FlattenOp : Cnn_GraphOp<"flatten", [Pure, InferTypeOpAdaptor,
    Cnn_Differentiable]> {
  let summary = "flatten from dimension 1: [N, C, H, W] -> [N, C·H·W]";
  let description = [{
    ```mlir
    %y = cnn.flatten %x : tensor<?x8x8x8xf32> -> tensor<?x512xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  // Flattening [N, F] changes nothing.
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Repetition
//===----------------------------------------------------------------------===//

def Cnn_RepeatOp : Cnn_Op<"repeat", [RecursiveMemoryEffects, SingleBlock,
                                     AttrSizedOperandSegments]> {
  let summary = "a block applied `count` times in sequence (a scan)";
  let description = [{
    `shared(n * B)` and `sequential(n * B)`: the body is one application of
    the block, compiled once. Iteration k gets its index, the values the
    previous iteration carried (`inits` in the first) and slice k of each
    `stacked` operand; it yields the carried values of the next iteration,
    then one value per stacked result. The op returns the last carried
    values, then the yielded per-iteration values stacked along a new
    leading dimension of size `count` (slice k from iteration k).
    ```mlir
    %y = cnn.repeat %x count 10 : (tensor<?x32x14x14xf32>)
        -> tensor<?x32x14x14xf32> {
    ^bb0(%k: index, %in: tensor<?x32x14x14xf32>):
      %w = cnn.read @"resblocks.*.conv.weight"[%k] : tensor<32x32x3x3xf32>
      %c = cnn.conv2d %in, %w stride [1, 1] padding [1, 1] : ...
      ...
      cnn.yield %out : tensor<?x32x14x14xf32>
    }
    ```
    A shared block reads the same params in every iteration; a sequential
    one reads slice k of stacked params. MLIRGen makes the plain form (one
    carried activation); the training step adds the rest: running
    statistics carried or stacked, the activations the backward pass needs
    stacked, and the backward pass itself, a repeat with `reverse` (k runs
    from count - 1 down to 0) over the saved stacks, carrying the
    activation's gradient and the shared weights' gradient sums.
    ```mlir
    %dx, %dw, %dW = cnn.repeat %dy, %zero stacked %saved, %W count 10 reverse
        : (tensor<?x8x4x4xf32>, tensor<8x8x3x3xf32>, tensor<10x?x8x4x4xf32>,
           tensor<10x8x8x3x3xf32>)
        -> (tensor<?x8x4x4xf32>, tensor<8x8x3x3xf32>, tensor<10x8x8x3x3xf32>) {
    ^bb0(%k: index, %g: ..., %sum: ..., %x_k: ..., %w_k: ...):
      ...
      cnn.yield %g_prev, %sum_next, %dw_k : ...
    }
    ```
    A dynamic dimension of a stacked result is the batch: the size of the
    first carried value's leading dimension. Dropout sites inside are
    numbered for iteration 0: iteration k's site is
    `site + k * (sites in the body)`. Repeats do not nest (MLIRGen unrolls
    an inner repetition inside the body); `cnn-unroll-repeats` turns the op
    back into n copies.
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inits,
                       Variadic<AnyRankedTensor>:$stacked,
                       ConfinedAttr<I64Attr, [IntMinValue<1>]>:$count,
                       UnitAttr:$reverse);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $inits (`stacked` $stacked^)? `count` $count (`reverse` $reverse^)?
    attr-dict `:` functional-type(operands, results) $body
  }];
  let builders = [
    // The plain form: one carried value, nothing stacked.
    OpBuilder<(ins "::mlir::Value":$input, "int64_t":$count), [{
      build($_builder, $_state, ::mlir::TypeRange{input.getType()},
            ::mlir::ValueRange{input}, ::mlir::ValueRange{},
            $_builder.getI64IntegerAttr(count), ::mlir::UnitAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    ::mlir::BlockArgument getIndexArg() { return getBodyBlock().getArgument(0); }
    unsigned getNumCarried() { return getInits().size(); }
    /// The carried values' block arguments, then the slices'.
    ::mlir::Block::BlockArgListType getCarriedArgs() {
      return getBodyBlock().getArguments().slice(1, getNumCarried());
    }
    ::mlir::Block::BlockArgListType getSliceArgs() {
      return getBodyBlock().getArguments().drop_front(1 + getNumCarried());
    }
    ::mlir::ResultRange getCarriedResults() {
      return getResults().take_front(getNumCarried());
    }
    ::mlir::ResultRange getStackedResults() {
      return getResults().drop_front(getNumCarried());
    }
    ::cnn::YieldOp getYield();
    /// The plain form's carried activation: the first carried value.
    ::mlir::Value getInput() { return getInits().front(); }
    ::mlir::BlockArgument getCarriedArg() { return getCarriedArgs().front(); }
    ::mlir::Value getResult() { return getResults().front(); }
    ::mlir::Value getResult(unsigned i) { return getResults()[i]; }
    /// Dropout sites in one iteration of the body.
    int64_t getSitesPerIteration();
    /// `type` with a leading dimension of `count`: a stack of it.
    ::mlir::RankedTensorType getStackType(::mlir::Type type);
  }];
  let hasVerifier = 1;
}

def Cnn_YieldOp : Cnn_Op<"yield", [Pure, Terminator,
                                   HasParent<"RepeatOp">]> {
  let summary = "the values one iteration of a cnn.repeat passes on";
  let description = [{
    The carried values of the next iteration, then one value per stacked
    result of the repeat.
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$values);
  let assemblyFormat = "$values attr-dict `:` type($values)";
}

//===----------------------------------------------------------------------===//
// Training configuration
//===----------------------------------------------------------------------===//

def Cnn_TrainConfigOp : Cnn_Op<"train_config", [HasParent<"::mlir::ModuleOp">]> {
  let summary = "how the model trains: loss, optimizer, penalty, schedule";
  let description = [{
    At most one per module.
    ```mlir
    cnn.train_config loss = cross_entropy
        optimizer = #cnn.sgd<lr = 1.000000e-02, momentum = 0.000000e+00,
                             dampening = 0.000000e+00, nesterov = false,
                             weight_decay = 0.000000e+00>
        penalty = #cnn.penalty<l2, 1.000000e-03>
        epochs = 10 batch_size = 64 seed = 0
    ```
  }];
  let arguments = (ins Cnn_LossKindAttr:$loss, Cnn_OptimizerAttr:$optimizer,
                       Cnn_PenaltyAttr:$penalty, I64Attr:$epochs,
                       I64Attr:$batch_size, I64Attr:$seed);
  let assemblyFormat = [{
    `loss` `=` `` $loss `optimizer` `=` $optimizer
    `penalty` `=` qualified($penalty) `epochs` `=` $epochs
    `batch_size` `=` $batch_size `seed` `=` $seed attr-dict
  }];
  let hasVerifier = 1;
}

include "cnn/CnnTrainOps.td"

#endif // CNN_OPS_TD
