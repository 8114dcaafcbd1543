//===- CnnTrainOps.td - the ops of a training step ---------*- tablegen -*-===//
//
// What `cnn-specialize-train` and `cnn-build-train-step` produce: the
// train-mode forward ops (dropout masks, batch statistics), the loss, the
// gradient of each forward op, the write-back of parameters and buffers and
// the fused SGD update. docs/training.md shows them together.
//
// Every op here is value-semantic except cnn.write. Shapes follow the rest
// of the dialect: activations are f32, batch first, the batch may be
// dynamic and every other dimension is static; weights are static. Each
// description gives the exact math, indices per sample n, channel c,
// position (h, w); the lowering and the PyTorch comparison rely on it.
// M = N·H·W below is the number of values per channel of a batchnorm.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_TRAIN_OPS_TD
#define CNN_TRAIN_OPS_TD

// A dropout mask: [N, E], E values per sample (see cnn.dropout_mask).
def Cnn_Mask : TensorRankOf<[F32], [2]>;
def Cnn_Labels : TensorRankOf<[I32], [1]>;
// Buildable, so that formats need not print it.
def Cnn_ScalarF32Tensor : 0DTensorOf<[F32]> {
  let builderCall = "::mlir::RankedTensorType::get({}, $_builder.getF32Type())";
}

//===----------------------------------------------------------------------===//
// Train-mode forward
//===----------------------------------------------------------------------===//

def Cnn_DropoutMaskOp : Cnn_Op<"dropout_mask", [
    Pure, AllTypesMatch<["given", "result"]>]> {
  let summary = "the dropout mask of one site: generated, or the caller's";
  let description = [{
    ```mlir
    %m = cnn.dropout_mask p 4.000000e-01 site 1 key %seed, %step
        given %mask if %masks_given : tensor<?x16xf32>
    ```
    The mask is [N, E]: E = C for a `dropout2d` site on [N, C, H, W] (one
    value per sample and channel), E = the product of the sample dimensions
    for `dropout`. When `masks_given` is 0 the result is generated: with
    e = n·E + j the row-major index of element [n, j],
    `(x0, x1, x2, x3) = philox4x32_10(counter = {e, site, lo32(step),
    hi32(step)}, key = {lo32(seed), hi32(seed)})` and
    `result[n, j] = uniform(x0) >= p ? 1/(1 − p) : 0`, uniform being the
    runtime's `cnnrt_uniform_from_u32` (model_abi.h). When `masks_given` is
    nonzero the result is `given`. `given` always provides the shape (N is
    its first dimension), so it is an operand even when it is not read.
  }];
  let arguments = (ins Cnn_Mask:$given, I32:$masks_given, I64:$seed,
                       I64:$step, F64Attr:$p,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$site);
  let results = (outs Cnn_Mask:$result);
  let assemblyFormat = [{
    `p` $p `site` $site `key` $seed `,` $step `given` $given `if` $masks_given
    attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Cnn_ApplyMaskOp : Cnn_Op<"apply_mask", [
    Pure, AllTypesMatch<["input", "result"]>,
    Cnn_Differentiable]> {
  let summary = "multiply an activation by a dropout mask";
  let description = [{
    `mask` is [N, E]. With E = C on an [N, C, H, W] input (dropout2d):
    `y[n, c, h, w] = x[n, c, h, w] · mask[n, c]`. Otherwise E is the sample
    size and `y[n, i] = x[n, i] · mask[n, i]`, i the row-major index within
    the sample. (For H = W = 1 both readings agree.)
    ```mlir
    %y = cnn.apply_mask %x, %m : tensor<?x16x8x8xf32>, tensor<?x16xf32>
    ```
    Gradient: `dx = apply_mask(dy, mask)`; the mask gets none.
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Mask:$mask);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $mask attr-dict `:` type($input) `,` type($mask)
  }];
  let hasVerifier = 1;
}

def Cnn_BatchNormTrainOp : Cnn_Op<"batch_norm_train", [
    Pure, InferTypeOpAdaptor, AttrSizedOperandSegments,
    Cnn_Differentiable]> {
  let summary = "batch normalization by the batch statistics (train mode)";
  let description = [{
    What `cnn-specialize-train` makes of `cnn.batch_norm`. Per channel c,
    over the M = N·H·W values x[·, c, ·, ·]:
    ```
    batch_mean[c]   = μ = Σ x / M
    σ²_b            = Σ (x − μ)² / M                (biased)
    batch_invstd[c] = 1 / √(σ²_b + eps)
    result          = (x − μ) · batch_invstd[c] · γ[c] + β[c]
    new_running_mean[c] = (1 − momentum) · running_mean[c] + momentum · μ
    new_running_var[c]  = (1 − momentum) · running_var[c]
                          + momentum · σ²_b · M / (M − 1)   (unbiased)
    ```
    γ = 1 and β = 0 without `scale` and `shift`. PyTorch refuses M = 1
    ("expected more than 1 value per channel"); so may the runtime.
    `batch_mean` and `batch_invstd` are what the gradient needs. In a
    data-parallel run (cnn.replica_sum) M and the sums are over the global
    batch of all replicas, as PyTorch's SyncBatchNorm.
    ```mlir
    %y, %mean, %invstd, %rm, %rv = cnn.batch_norm_train %x, %m, %v
        scale %g shift %b eps 1.000000e-05 momentum 1.000000e-01
        : (tensor<?x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>,
           tensor<16xf32>, tensor<16xf32>)
        -> (tensor<?x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>,
            tensor<16xf32>, tensor<16xf32>)
    ```
    Gradient: `cnn.batch_norm_train_grad` for `result`; the other results
    and the running statistics get none.
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Weight:$running_mean,
                       Cnn_Weight:$running_var,
                       Optional<Cnn_Weight>:$scale, Optional<Cnn_Weight>:$shift,
                       F64Attr:$eps, F64Attr:$momentum);
  let results = (outs Cnn_Tensor:$result, Cnn_Weight:$batch_mean,
                      Cnn_Weight:$batch_invstd, Cnn_Weight:$new_running_mean,
                      Cnn_Weight:$new_running_var);
  let assemblyFormat = [{
    $input `,` $running_mean `,` $running_var (`scale` $scale^)?
    (`shift` $shift^)? `eps` $eps `momentum` $momentum
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cnn_IncrementOp : Cnn_Op<"increment", [Pure, SameOperandsAndResultType]> {
  let summary = "n + 1 on a scalar counter (num_batches_tracked)";
  let description = [{
    ```mlir
    %n1 = cnn.increment %n : tensor<i64>
    ```
  }];
  let arguments = (ins 0DTensorOf<[I64]>:$input);
  let results = (outs 0DTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Cnn_WriteOp : Cnn_Op<"write", [
    MemoryEffects<[MemWrite<Cnn_ParamResource>]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "store a new value into a cnn.param";
  let description = [{
    The counterpart of `cnn.read`: the training step writes each updated
    parameter, momentum buffer, gradient and batchnorm buffer back once,
    after every read of the step.
    ```mlir
    cnn.write @"bn.running_mean", %rm : tensor<16xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$param, AnyRankedTensor:$value);
  let assemblyFormat = "$param `,` $value attr-dict `:` type($value)";
  let builders = [
    OpBuilder<(ins "::llvm::StringRef":$name, "::mlir::Value":$value), [{
      build($_builder, $_state,
            ::mlir::FlatSymbolRefAttr::get($_builder.getContext(), name),
            value);
    }]>
  ];
}

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

def Cnn_CrossEntropyOp : Cnn_Op<"cross_entropy", [Pure]> {
  let summary = "mean softmax cross-entropy over the batch";
  let description = [{
    logits [N, K], labels [N] with 0 <= label < K:
    `m[n] = max_k z[n, k]`,
    `result = (1/N) Σ_n (m[n] + log Σ_k exp(z[n, k] − m[n]) − z[n, label[n]])`
    (log-sum-exp with the maximum subtracted, as PyTorch's
    `cross_entropy(z, label)` with mean reduction). In a data-parallel run
    (cnn.replica_sum) the sum and N are over the global batch of all
    replicas: every replica gets the global mean.
    ```mlir
    %ce = cnn.cross_entropy %z, %labels
        : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$logits, Cnn_Labels:$labels);
  let results = (outs Cnn_ScalarF32Tensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cnn_CrossEntropyGradOp : Cnn_Op<"cross_entropy_grad", [
    Pure, AllTypesMatch<["logits", "result"]>]> {
  let summary = "gradient of the mean cross-entropy by the logits";
  let description = [{
    `result[n, k] = (softmax(z[n])[k] − (k == label[n] ? 1 : 0)) / N`,
    softmax computed as `exp(z[n, k] − m[n]) / Σ_j exp(z[n, j] − m[n])`.
    The seed of the backward pass (d loss / d loss = 1). In a data-parallel
    run N is the global batch's size (the replicas' gradients then sum to
    the global batch's).
    ```mlir
    %dz = cnn.cross_entropy_grad %z, %labels : tensor<?x10xf32>, tensor<?xi32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$logits, Cnn_Labels:$labels);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` type($logits) `,` type($labels)
  }];
  let hasVerifier = 1;
}

def Cnn_PenaltyOp : Cnn_Op<"penalty", [Pure]> {
  let summary = "the weight penalty l2·Σp² + l1·Σ|p| over tensors";
  let description = [{
    `result = l2 · Σ_t Σ_i t[i]² + l1 · Σ_t Σ_i |t[i]|` over every operand
    tensor t (0 without operands). The lecture's penalties, over all
    parameters before the update; its gradient is never materialised (it
    is part of `cnn.sgd_update`).
    ```mlir
    %pen = cnn.penalty l2 %l2 l1 %l1 of %w, %b
        : tensor<16x3x3x3xf32>, tensor<16xf32>
    ```
  }];
  let arguments = (ins F32:$l2, F32:$l1, Variadic<Cnn_Weight>:$params);
  let results = (outs Cnn_ScalarF32Tensor:$result);
  let assemblyFormat = [{
    `l2` $l2 `l1` $l1 (`of` $params^ `:` type($params))? attr-dict
  }];
}

def Cnn_PackLossOp : Cnn_Op<"pack_loss", [Pure, InferTypeOpAdaptor]> {
  let summary = "the train step's loss output {cross-entropy, penalty}";
  let description = [{
    `result = [cross_entropy, penalty]`.
    ```mlir
    %loss = cnn.pack_loss %ce, %pen : tensor<2xf32>
    ```
  }];
  let arguments = (ins Cnn_ScalarF32Tensor:$cross_entropy,
                       Cnn_ScalarF32Tensor:$penalty);
  let results = (outs 1DTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $cross_entropy `,` $penalty attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Gradients of the forward ops
//===----------------------------------------------------------------------===//

def Cnn_Conv2dInputGradOp : Cnn_Op<"conv2d_input_grad", [Pure]> {
  let summary = "gradient of cnn.conv2d by its input (a transposed conv)";
  let description = [{
    dy [N, O, OH, OW], weight [O, C, KH, KW] -> dx [N, C, H, W]:
    `dx[n, c, h, w] = Σ_{o, i, j} dy[n, o, oh, ow] · w[o, c, i, j]` over
    the (oh, ow, i, j) with `h = oh·sh − ph + i`, `w = ow·sw − pw + j`
    (positions in the padding get nothing; rows and columns that the
    forward's floor left out get 0). H and W cannot be recovered from OH
    and OW when the stride is above 1, so the result type states them; the
    verifier checks that conv2d of that type gives dy's.
    ```mlir
    %dx = cnn.conv2d_input_grad %dy, %w stride [1, 1] padding [1, 1]
        : (tensor<?x16x32x32xf32>, tensor<16x3x3x3xf32>)
        -> tensor<?x3x32x32xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$output_grad, Cnn_Weight:$weight,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $output_grad `,` $weight `stride` $stride `padding` $padding attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cnn_Conv2dWeightGradOp : Cnn_Op<"conv2d_weight_grad", [Pure]> {
  let summary = "gradient of cnn.conv2d by its weight";
  let description = [{
    x [N, C, H, W], dy [N, O, OH, OW] -> dw [O, C, KH, KW]:
    `dw[o, c, i, j] = Σ_{n, oh, ow} dy[n, o, oh, ow] ·
    x[n, c, oh·sh − ph + i, ow·sw − pw + j]` (0 where the index falls in
    the padding). The result type states KH and KW; the verifier checks
    that conv2d of x with that weight gives dy's shape.
    ```mlir
    %dw = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1]
        : (tensor<?x3x32x32xf32>, tensor<?x16x32x32xf32>)
        -> tensor<16x3x3x3xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$output_grad,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding);
  let results = (outs Cnn_Weight:$result);
  let assemblyFormat = [{
    $input `,` $output_grad `stride` $stride `padding` $padding attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cnn_BiasGradOp : Cnn_Op<"bias_grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of a conv2d or linear bias: dy summed but channel";
  let description = [{
    dy [N, O, OH, OW] -> `db[o] = Σ_{n, oh, ow} dy[n, o, oh, ow]` (conv2d);
    dy [N, O] -> `db[o] = Σ_n dy[n, o]` (linear).
    ```mlir
    %db = cnn.bias_grad %dy : tensor<?x16x32x32xf32> -> tensor<16xf32>
    ```
    Canonicalized: the sum of `max_pool2d_grad %y, %g` is the sum of %g
    (each window's value lands at one position, every other one is 0), a
    quarter of the values for 2x2 windows. The sum of a train-mode batch
    norm's `input_grad` is 0: per channel it is
    −γ·s²·(Σ dy·x̂ / M)·Σ(x − μ), and μ is x's batch mean (in a
    data-parallel run the global one, so the replicas' sums add to 0). A
    conv's bias before such a batch norm gets no gradient, as in exact
    arithmetic; PyTorch's f32 sums leave rounding noise there.
  }];
  let arguments = (ins Cnn_Tensor:$output_grad);
  let results = (outs Cnn_Weight:$result);
  let assemblyFormat = [{
    $output_grad attr-dict `:` type($output_grad) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Cnn_LinearInputGradOp : Cnn_Op<"linear_input_grad", [
    Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of cnn.linear by its input: dy·W";
  let description = [{
    dy [N, O], weight [O, F] -> `dx[n, f] = Σ_o dy[n, o] · w[o, f]`.
    ```mlir
    %dx = cnn.linear_input_grad %dy, %w
        : (tensor<?x32xf32>, tensor<32x512xf32>) -> tensor<?x512xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$output_grad, Cnn_Weight:$weight);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $output_grad `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cnn_LinearWeightGradOp : Cnn_Op<"linear_weight_grad", [
    Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of cnn.linear by its weight: dyᵀ·x";
  let description = [{
    x [N, F], dy [N, O] -> `dw[o, f] = Σ_n dy[n, o] · x[n, f]`.
    ```mlir
    %dw = cnn.linear_weight_grad %x, %dy
        : (tensor<?x512xf32>, tensor<?x32xf32>) -> tensor<32x512xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$output_grad);
  let results = (outs Cnn_Weight:$result);
  let assemblyFormat = [{
    $input `,` $output_grad attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cnn_MaxPool2dGradOp : Cnn_Op<"max_pool2d_grad", [
    Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "gradient of cnn.max_pool2d: to each window's first maximum";
  let description = [{
    x [N, C, H, W], dy [N, C, OH, OW] -> dx like x. For each window
    (oh, ow), let (i*, j*) be the first position in row-major order
    (i, then j) within the KH×KW window at (oh·sh, ow·sw) where x equals
    the window's maximum; `dx[n, c, oh·sh + i*, ow·sw + j*] +=
    dy[n, c, oh, ow]` (overlapping windows add up), every other dx is 0.
    As PyTorch's max_pool2d backward, which routes by the index of the
    first maximum.
    ```mlir
    %dx = cnn.max_pool2d_grad %x, %dy kernel [2, 2] stride [2, 2]
        : tensor<?x16x32x32xf32>, tensor<?x16x16x16xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$output_grad,
                       DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$stride);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $output_grad `kernel` $kernel `stride` $stride attr-dict `:`
    type($input) `,` type($output_grad)
  }];
  let hasVerifier = 1;
}

def Cnn_AvgPool2dGradOp : Cnn_Op<"avg_pool2d_grad", [Pure]> {
  let summary = "gradient of cnn.avg_pool2d: each window's share, spread";
  let description = [{
    dy [N, C, OH, OW] -> dx [N, C, H, W]:
    `dx[n, c, h, w] = Σ dy[n, c, oh, ow] / (KH·KW)` over the windows
    (oh, ow) that contain (h, w), i.e. `oh·sh <= h < oh·sh + KH` and
    likewise for w; 0 outside every window (the floor's remainder). The
    result type states H and W; the verifier checks the pooling rule.
    ```mlir
    %dx = cnn.avg_pool2d_grad %dy kernel [2, 2] stride [2, 2]
        : tensor<?x16x16x16xf32> -> tensor<?x16x32x32xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$output_grad, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $output_grad `kernel` $kernel `stride` $stride attr-dict `:`
    type($output_grad) `->` type($result)
  }];
  let hasVerifier = 1;
}

// The activations' gradients use the forward's output y, so the input need
// not stay alive for the backward pass.
// An activation's gradient from its output y, linear in dy and 0 where dy
// is. Canonicalized: act_grad(y, max_pool2d_grad(y, g)) =
// max_pool2d_grad(y, act_grad(max_pool2d(y), g)), since the pooling's
// gradient is g at each window's first maximum, where y is the window's
// maximum, and 0 elsewhere: the activation's factor is taken on the pooled
// values (a quarter of them for 2x2 windows) and the full-size y is read
// only to find the maxima.
class Cnn_ActivationGradOp<string mnemonic>
    : Cnn_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let arguments = (ins Cnn_Tensor:$output, Cnn_Tensor:$output_grad);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$output `,` $output_grad attr-dict `:` type($result)";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Cnn_ReluGradOp : Cnn_ActivationGradOp<"relu_grad"> {
  let summary = "gradient of cnn.relu from its output";
  let description = [{
    `dx = y > 0 ? dy : 0`, y = relu(x) (y > 0 exactly where x > 0; at
    x = 0 the gradient is 0, as PyTorch's). y may be x itself, which has
    the same mask: a ReLU after a batchnorm passes its input, recomputed
    by cnn.batch_norm_apply.
    ```mlir
    %dx = cnn.relu_grad %y, %dy : tensor<?x32xf32>
    ```
  }];
}

def Cnn_TanhGradOp : Cnn_ActivationGradOp<"tanh_grad"> {
  let summary = "gradient of cnn.tanh from its output";
  let description = [{
    `dx = dy · (1 − y²)`, y = tanh(x).
    ```mlir
    %dx = cnn.tanh_grad %y, %dy : tensor<?x32xf32>
    ```
  }];
}

def Cnn_SigmoidGradOp : Cnn_ActivationGradOp<"sigmoid_grad"> {
  let summary = "gradient of cnn.sigmoid from its output";
  let description = [{
    `dx = dy · y · (1 − y)`, y = sigmoid(x).
    ```mlir
    %dx = cnn.sigmoid_grad %y, %dy : tensor<?x32xf32>
    ```
  }];
}

def Cnn_BatchNormApplyOp : Cnn_Op<"batch_norm_apply", [
    Pure, InferTypeOpAdaptor, AttrSizedOperandSegments]> {
  let summary = "batch_norm_train's result, from given batch statistics";
  let description = [{
    `result = (x − μ[c]) · s[c] · γ[c] + β[c]` for x [N, C, H, W], the
    batch_mean μ and batch_invstd s of a cnn.batch_norm_train of x, and its
    scale γ and shift β (1 and 0 when absent): that op's result, computed
    the same way, so rounded the same. The gradient of a ReLU after a
    batchnorm recomputes its input this way for its mask, from what the
    batchnorm's own gradient keeps anyway, so that the ReLU's output need
    not stay alive for the backward pass.
    ```mlir
    %z = cnn.batch_norm_apply %x, %mean, %invstd scale %g shift %b
        : (tensor<?x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>,
           tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Weight:$batch_mean,
                       Cnn_Weight:$batch_invstd,
                       Optional<Cnn_Weight>:$scale, Optional<Cnn_Weight>:$shift);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $batch_mean `,` $batch_invstd (`scale` $scale^)?
    (`shift` $shift^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cnn_BatchNormTrainGradOp : Cnn_Op<"batch_norm_train_grad", [
    Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of cnn.batch_norm_train: dx, dγ, dβ";
  let description = [{
    x and dy [N, C, H, W], the forward's batch_mean μ and batch_invstd s
    [C], scale γ [C] (1 when absent). Per channel c, sums over the
    M = N·H·W positions (n, h, w):
    ```
    x̂           = (x − μ[c]) · s[c]
    shift_grad[c] = Σ dy                        (dβ)
    scale_grad[c] = Σ dy · x̂                    (dγ)
    input_grad    = γ[c] · s[c] · (dy − shift_grad[c]/M − x̂ · scale_grad[c]/M)
    ```
    (the batch statistics depend on x, hence the two correction terms).
    Without `scale` the forward had no γ, β: the last two results are then
    unused. In a data-parallel run M and the two sums in `input_grad` are
    over the global batch (as the forward's statistics); `scale_grad` and
    `shift_grad` are this replica's, summed with the other gradients.
    ```mlir
    %dx, %dg, %db = cnn.batch_norm_train_grad %x, %dy, %mean, %invstd
        scale %g
        : (tensor<?x16x8x8xf32>, tensor<?x16x8x8xf32>, tensor<16xf32>,
           tensor<16xf32>, tensor<16xf32>)
        -> (tensor<?x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>)
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$output_grad,
                       Cnn_Weight:$batch_mean, Cnn_Weight:$batch_invstd,
                       Optional<Cnn_Weight>:$scale);
  let results = (outs Cnn_Tensor:$input_grad, Cnn_Weight:$scale_grad,
                      Cnn_Weight:$shift_grad);
  let assemblyFormat = [{
    $input `,` $output_grad `,` $batch_mean `,` $batch_invstd
    (`scale` $scale^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cnn_UnflattenOp : Cnn_Op<"unflatten", [Pure]> {
  let summary = "the inverse of cnn.flatten: [N, C·H·W] -> [N, C, H, W]";
  let description = [{
    A row-major reshape of each sample, flatten's gradient. The result type
    states the sample shape; flattening it must give the input's.
    ```mlir
    %y = cnn.unflatten %x : tensor<?x512xf32> -> tensor<?x8x8x8xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$input);
  let results = (outs Cnn_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data parallelism
//===----------------------------------------------------------------------===//

// The other replicas of a data-parallel run: every replica must meet each
// cnn.replica_sum, in the same order, or the run deadlocks.
def Cnn_ReplicaResource : Resource<"::cnn::ReplicaResource">;

def Cnn_ReplicaSumOp : Cnn_Op<"replica_sum", [
    InferTypeOpAdaptor,
    MemoryEffects<[MemRead<Cnn_ReplicaResource>,
                   MemWrite<Cnn_ReplicaResource>]>]> {
  let summary = "each tensor summed over the replicas of a data-parallel run";
  let description = [{
    In a data-parallel run (the executable under `mpirun`) every replica
    runs the same training step on its shard of the global batch; result i
    is the element-wise sum of operand i over the replicas, the same bits on
    every replica. In a single process it is operand i itself.
    ```mlir
    %gw, %gb = cnn.replica_sum %dw, %db : tensor<16x3x3x3xf32>, tensor<16xf32>
    ```
    All operands are static f32, or all f64, and are summed by one
    exchange: the lowering copies them, in order, into one contiguous
    buffer and calls the runtime's `cnnrt_replica_sum_f32` (or `_f64`) on
    it (model_abi.h). Not Pure: every replica must meet every replica_sum,
    in the same order, so none may be dropped, merged or moved across
    another.

    `cnn-build-train-step` sums the parameters' gradients with one, after
    the backward pass and before the update; the lowerings of the batch
    statistics, the mean cross-entropy and their gradients sum their
    per-channel sums and sample counts with others, so that they are over
    the global batch (PyTorch's SyncBatchNorm).
  }];
  let arguments = (ins Variadic<StaticShapeTensorOf<[F32, F64]>>:$inputs);
  let results = (outs Variadic<StaticShapeTensorOf<[F32, F64]>>:$results);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Optimizer
//===----------------------------------------------------------------------===//

def Cnn_SgdUpdateOp : Cnn_Op<"sgd_update", [
    Pure, AllTypesMatch<["param", "grad", "buffer", "new_param",
                         "new_buffer"]>]> {
  let summary = "one fused SGD step of one parameter tensor";
  let description = [{
    PyTorch's `torch.optim.SGD` step with the lecture's penalties folded
    in, element-wise over p, the loss gradient g and the momentum buffer b:
    ```
    g' = g + 2·l2·p + l1·sign(p) + weight_decay·p       (sign(0) = 0)
    if momentum ≠ 0:
      b' = first_step ≠ 0 ? g' : momentum·b + (1 − dampening)·g'
      d  = nesterov ≠ 0 ? g' + momentum·b' : b'
    else:
      b' = b,  d = g'
    new_param  = p − lr·d
    new_buffer = b'
    ```
    One op per parameter so that the penalty and weight-decay terms never
    exist as tensors: a lowering computes g', b' and d per element, in
    registers.
    ```mlir
    %p1, %b1 = cnn.sgd_update %p, %g, %b lr %lr momentum %mu
        dampening %damp weight_decay %wd l2 %l2 l1 %l1 nesterov %nest
        first_step %first : tensor<16x3x3x3xf32>
    ```
  }];
  let arguments = (ins Cnn_Weight:$param, Cnn_Weight:$grad, Cnn_Weight:$buffer,
                       F32:$lr, F32:$momentum, F32:$dampening,
                       F32:$weight_decay, F32:$l2, F32:$l1, I32:$nesterov,
                       I32:$first_step);
  let results = (outs Cnn_Weight:$new_param, Cnn_Weight:$new_buffer);
  let assemblyFormat = [{
    $param `,` $grad `,` $buffer `lr` $lr `momentum` $momentum
    `dampening` $dampening `weight_decay` $weight_decay `l2` $l2 `l1` $l1
    `nesterov` $nesterov `first_step` $first_step attr-dict `:`
    type($param)
  }];
}

#endif // CNN_TRAIN_OPS_TD
