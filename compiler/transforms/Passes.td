//===- Passes.td - cnn dialect transformations -------------*- tablegen -*-===//
//
// Passes on the `cnn` dialect that keep it in the `cnn` dialect: mode
// specialisation and graph rewrites. Lowerings out of the dialect live in
// compiler/conversion/.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_PASSES_TD
#define CNNC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SpecializeEval : Pass<"cnn-specialize-eval", "::mlir::ModuleOp"> {
  let summary = "Specialise a model for inference (PyTorch's eval mode)";
  let description = [{
    `cnn.dropout` and `cnn.dropout2d` become the identity; `cnn.batch_norm`
    becomes `cnn.batch_norm_eval`, which normalises by the running
    statistics. The module is marked `cnn.mode = "eval"`, which
    `cnn-lower-entry-abi` requires. Running it twice changes nothing; a
    module already specialised for training is an error.
  }];
  let dependentDialects = ["::cnn::CnnDialect"];
}

def FoldBatchNorm : Pass<"cnn-fold-batchnorm", "::mlir::ModuleOp"> {
  let summary = "Fold eval-mode batchnorms into the convolutions they follow";
  let description = [{
    `batch_norm_eval(conv2d(x, w, b))`, where the conv has no other use,
    becomes `conv2d(x, w', b')` with, per output channel o,
    `s = γ[o] / √(var[o] + eps)`, `w'[o] = w[o] · s` and
    `b'[o] = (b[o] − mean[o]) · s + β[o]` (b = 0 for a conv without bias,
    γ = 1 and β = 0 for a batchnorm without affine parameters). The weights
    are runtime data, so `cnn.fold_bn_weight` and `cnn.fold_bn_bias` compute
    w' and b' from the reads each time the forward runs. Other batchnorms
    stay as they are.
  }];
  let dependentDialects = ["::cnn::CnnDialect"];
}

def UnrollRepeats : Pass<"cnn-unroll-repeats", "::mlir::ModuleOp"> {
  let summary = "Unroll every cnn.repeat and split stacked params into slices";
  let description = [{
    Each `cnn.repeat` becomes `count` copies of its body, iteration k's
    index a constant and its dropout sites `site + k * (sites per
    iteration)`. Each stacked `cnn.param` (with `slices`) becomes one
    `cnn.param` per slice, named by the slice's state_dict name and declared
    where the stack was, in slice order, so the arena layout is unchanged;
    `cnn.read @stack[k]` becomes a read of slice k. The result is the graph
    MLIRGen produced before repeated blocks were compiled as loops.

    With `with-dropout-only`, only the repeats whose body has a dropout site
    unroll (the training step's masks are one argument per site), and only
    the stacks they read split. Only the plain form (one carried value,
    nothing stacked), as MLIRGen makes it, unrolls.
  }];
  let options = [
    Option<"withDropoutOnly", "with-dropout-only", "bool", /*default=*/"false",
           "Unroll only the repeats with a dropout site in their body">
  ];
  let dependentDialects = ["::cnn::CnnDialect", "::mlir::arith::ArithDialect"];
}

def SpecializeTrain : Pass<"cnn-specialize-train", "::mlir::ModuleOp"> {
  let summary = "Specialise a model for training (PyTorch's train mode)";
  let description = [{
    Each `cnn.dropout`/`cnn.dropout2d` becomes `cnn.apply_mask` of a
    `cnn.dropout_mask`, keyed by (seed, step, site, element) as model_abi.h
    says, or taken from the caller when `masks_given` is nonzero. A
    function with dropout gains arguments and results for that: after its
    own arguments one [N, E] mask per site (in site order), then
    `masks_given: i32`, `seed: i64`, `step: i64`; after its own results the
    masks it used, in site order.

    Each `cnn.batch_norm` becomes `cnn.batch_norm_train` (batch statistics,
    updated running statistics). Uses of one batchnorm's buffers (a shared
    block) are chained in program order: the second use starts from the
    first use's updated statistics. Each buffer read from a `cnn.param` is
    written back once, before the return (`cnn.write`), and the layer's
    `num_batches_tracked` (the running_mean's name with `num_batches_tracked`
    for `running_mean`) gets `cnn.increment` once per use.

    A `cnn.repeat` keeps its loop: every param read in its body moves before
    it (a read of slice k becomes a read of the whole stack, sliced by the
    repeat), a shared block's buffers are carried from iteration to
    iteration, a sequential block's new buffers are stacked results written
    whole. A repeat with a dropout site must be unrolled first
    (`cnn-unroll-repeats with-dropout-only`).

    The module is marked `cnn.mode = "train"`. A module specialised for
    eval is an error.
  }];
  let dependentDialects = ["::cnn::CnnDialect"];
}

def BuildTrainStep : Pass<"cnn-build-train-step", "::mlir::ModuleOp"> {
  let summary = "Build train_step: loss, reverse-mode autodiff, fused SGD";
  let description = [{
    From the train-specialised `forward`, builds
    ```
    func.func @train_step(%input: tensor<?xCxHxWxf32>, %labels: tensor<?xi32>,
        %mask_0: tensor<?xE0xf32>, ...,
        %lr: f32, %momentum: f32, %dampening: f32, %weight_decay: f32,
        %l2: f32, %l1: f32, %nesterov: i32, %first_step: i32,
        %masks_given: i32, %seed: i64, %step: i64)
        -> (tensor<?xKxf32>, tensor<2xf32>, tensor<?xE0xf32>, ...)
    ```
    (model_abi.h's cnnrt_train_step_fn after the arena, tensors in and out
    as values), returning the logits, {cross-entropy, penalty} and the
    dropout masks, and erases `forward`: the training module is compiled
    from its own copy of the model.

    The mean cross-entropy is differentiated in reverse through every op's
    GradientOpInterface; a value used several times sums its gradients with
    `cnn.add`, and so does a parameter read several times (a shared block).
    For each parameter (role `parameter`) the pass declares, after all the
    model's tensors, `grad.<name>` (role `gradient`), then for each
    `momentum_buffer.<name>` (role `momentum`), both initialised to 0, so
    that the arena layout places them as model_abi.h's cnnrt_train_slot
    says. It writes each gradient to its slot, and updates each parameter
    and its momentum buffer with one `cnn.sgd_update`, which also applies
    the penalty (l2, l1) and weight-decay terms.

    A `cnn.repeat` is differentiated as a whole by a repeat running in
    reverse (compiler/transforms/RepeatGradient.cpp): it carries the
    activation's gradient and the sums of the shared weights' gradients, and
    stacks a stacked weight's gradients; the forward repeat stacks what the
    backward reads (its saves). A stacked param's gradient and momentum
    buffer are stacks whose slices are named `grad.<slice>` and
    `momentum_buffer.<slice>`.
  }];
  let dependentDialects = ["::cnn::CnnDialect", "::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
}

def StripParams : Pass<"cnn-strip-params", "::mlir::ModuleOp"> {
  let summary = "Drop the cnn module-level records once lowered";
  let description = [{
    After `cnn-lower-entry-abi` and `convert-cnn-to-linalg`, the `cnn.param` ops (with their arena
    offsets) and `cnn.train_config` are records for the driver, which emits
    the layout table from them; nothing reads them. This pass erases them
    (and the module's `cnn.*` attributes stay) so that the module translates
    to LLVM IR. It fails if a `cnn` op other than those records remains.
  }];
}

#endif // CNNC_TRANSFORMS_PASSES_TD
