//===- CpuConfig.td - the CPU strategy's decisions, as attributes -*- tablegen -*-===//
//
// The `cnn_cpu` dialect holds one attribute: the CPU strategy's decision
// for a linalg op (cnn-cpu-strategy writes it, cnn-cpu-tile-and-fuse reads
// it), attached as the discardable attribute `cnn_cpu.config`, as IREE's
// `lowering_config`.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_CODEGEN_CPU_CPUCONFIG
#define CNNC_CODEGEN_CPU_CPUCONFIG

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/OpBase.td"

def CnnCpu_Dialect : Dialect {
  let name = "cnn_cpu";
  let cppNamespace = "::cnnc::cpu";
  let summary = "The CPU strategy's decisions on linalg ops";
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
}

def CnnCpu_ConfigAttr : AttrDef<CnnCpu_Dialect, "Config"> {
  let mnemonic = "config";
  let summary = "How the CPU pipeline tiles one linalg op";
  let description = [{
    `kind` says what the op is to the tiling (it decides what fuses where):
    `conv` (an NCHW convolution), `lane_conv` (a channels-last convolution,
    output channels in the vector lanes), `pool` (a pooling or a reduction
    over windows), `contraction`, `batch_contraction` (a reduction over the
    batch: a weight gradient, a per-channel sum), `elementwise`, `window`
    (an elementwise op over pooling windows, stepped one window row at a
    time), `flat` (an op over whole parameters seen as one dimension: the
    SGD update, a penalty's sum; stepped through in register tiles, outside
    the batch loops). `tiles` are the tile sizes inside one image (0: whole; none: the
    op is not tiled there), `registers` the sizes of one register-tile step,
    `order` the loop order of those steps (none: as the op's loops).
    `algorithm = "winograd"` on a `lane_conv` (3x3, stride 1): it is computed
    by Winograd's F(2x2, 3x3) (cnn-cpu-winograd-conv; `"winograd4x4"`:
    F(4x4, 3x3)), whole per image; its
    `registers` then size the step of the transformed products: 2x2 output
    tiles in the output-column slot, output channels in the channel slot.
    On a `batch_contraction` (a 3x3, stride-1 weight gradient over (f, c, i,
    j | n, h, w)), by F(3x3, 2x2), its threads' loop its own; `registers`
    then size the step of its products: output channels x input channels.

    ```mlir
    #cnn_cpu.config<kind = "lane_conv", registers = array<i64: 1, 1, 7, 32, 1, 1, 1>>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"what the op is to the tiling">:$kind,
    OptionalParameter<"::mlir::DenseI64ArrayAttr">:$tiles,
    OptionalParameter<"::mlir::DenseI64ArrayAttr">:$registers,
    OptionalParameter<"::mlir::DenseI64ArrayAttr">:$order,
    StringRefParameter<"how a lane_conv or a weight gradient is computed: "
                       "directly (empty), \"winograd\" or \"winograd4x4\"",
                       "\"\"">:$algorithm
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // CNNC_CODEGEN_CPU_CPUCONFIG
