//===- Passes.td - lowerings out of the cnn dialect --------*- tablegen -*-===//
//
// One pass per lowering, each in its own directory (CnnToLinalg/), as
// upstream's mlir/Conversion/Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_CONVERSION_PASSES_TD
#define CNNC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowerEntryAbi : Pass<"cnn-lower-entry-abi", "::mlir::ModuleOp"> {
  let summary = "Rewrite each function to the runtime's destination-passing "
                "entry ABI, parameter reads to views of the arena";
  let description = [{
    Requires `cnn.mode = "eval"` or `"train"` (run `cnn-specialize-eval` or
    `cnn-train` first); runs right before `convert-cnn-to-linalg`, which
    lowers the ops it leaves.

    Each function becomes an entry point of the runtime's ABI,
    ```mlir
    func.func @forward(%arena: memref<?xi8>, %input: memref<?xCxHxWxf32>,
                       %output: memref<?xKxf32>)
        attributes {llvm.emit_c_interface}
    ```
    the parameter arena first, then one memref per tensor argument (read
    through `bufferization.to_tensor restrict`), then one per result, which
    the function writes (`bufferization.materialize_in_destination restrict
    writable`); it returns nothing. The caller passes contiguous buffers that
    do not overlap. Each parameter read is a `memref.view` of the arena at
    the parameter's byte offset, made once per function at its entry.

    The arena layout (ParamLayout.h) is recorded on the module: each
    `cnn.param` keeps its declaration with `offset N` added, and the module
    gets `cnn.arena_size`. `cnn-strip-params` drops those records once the
    driver has emitted the layout table.

    In a training module `train_step` takes model_abi.h's
    `cnnrt_train_step_fn` form: (arena, input, labels, logits, loss, mask
    buffer, 11 scalars), each dropout site's mask a slice of the mask
    buffer, and each `cnn.write` a `materialize_in_destination` into the
    parameter's view where it stands. A read of a stack's slice (in a
    `cnn.repeat` body) is a view at the stack's offset plus the index times
    the slice stride, made where the read is.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def ConvertCnnToLinalg : Pass<"convert-cnn-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower a specialised model's ops to linalg, tensor, arith "
                "and math";
  let description = [{
    Runs on a module specialised for eval or training, after
    `cnn-lower-entry-abi` (which checks the mode); dropout and the
    mode-agnostic batchnorm have no lowering here.

    Graph ops become linalg on tensors: conv2d is tensor.pad (padding > 0)
    and linalg.conv_2d_nchw_fchw accumulating into its init, which holds the
    broadcast bias (or zeros); linear is linalg.matmul with a transposed-B
    indexing map into the broadcast bias; max_pool2d is
    linalg.pooling_nchw_max from −inf; avg_pool2d is linalg.pooling_nchw_sum
    scaled in place by 1/(kh·kw); flatten is tensor.collapse_shape; the
    elementwise ops, batch_norm_eval and the fold ops are linalg.generic.
    `cnn.repeat` is an scf.for carrying the activation, its body as it is.

    Runs after `cnn-lower-entry-abi`, which has made the functions entry
    points and the parameter reads views of the arena; this pass lowers the
    ops only. A `cnn.read` or `cnn.write` left (the ABI pass not run) has no
    lowering here.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // CNNC_CONVERSION_PASSES_TD
