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
    `convert-cnn-to-linalg` requires. Running it twice changes nothing; a
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

def StripParams : Pass<"cnn-strip-params", "::mlir::ModuleOp"> {
  let summary = "Drop the cnn module-level records once lowered";
  let description = [{
    After `convert-cnn-to-linalg`, the `cnn.param` ops (with their arena
    offsets) and `cnn.train_config` are records for the driver, which emits
    the layout table from them; nothing reads them. This pass erases them
    (and the module's `cnn.*` attributes stay) so that the module translates
    to LLVM IR. It fails if a `cnn` op other than those records remains.
  }];
}

#endif // CNNC_TRANSFORMS_PASSES_TD
