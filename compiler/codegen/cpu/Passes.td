//===- Passes.td - the CPU wing's strategy pass ------------*- tablegen -*-===//

#ifndef CNNC_CODEGEN_CPU_PASSES
#define CNNC_CODEGEN_CPU_PASSES

include "mlir/Pass/PassBase.td"

def CpuStrategy : Pass<"cnn-cpu-strategy", "mlir::func::FuncOp"> {
  let summary = "Choose layouts and tiles for the CPU, as #cnn_cpu.config";
  let description = [{
    Reads the machine (TargetInfo: vector width, vector registers, caches)
    from LLVM's TargetMachine for `cpu` and `features` (empty or `native`:
    the host, as cnnc's -mcpu/-mattr), then decides for every linalg op on
    tensors:

    - its layout: a convolution whose output channels fill whole vector
      registers is computed channels-last (`lane_conv`, ChannelLaneConv.h),
      the channels in the vector lanes; a conv weight gradient takes input
      or output channels as the lane where they fill registers, else the
      output columns; a sum over the batch and the image per channel (bias
      gradients, batchnorm statistics) is split by image column
      (LaneSums.h);
    - what it is to the tiling (its `kind`) and its tile sizes: the channel
      x row tiles inside one image, the register tile of one step, the
      loop order of those steps;

    and records the decision on the op as `cnn_cpu.config`, which
    cnn-cpu-tile-and-fuse reads. Every number that depends on the machine
    is in Strategy.cpp.
  }];
  let dependentDialects = ["::cnnc::cpu::CnnCpuDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
  let options = [
    Option<"cpu", "cpu", "std::string", /*default=*/"\"native\"",
           "Target CPU, as cnnc's -mcpu (native: this machine)">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "Target features, as cnnc's -mattr (+avx2,-avx512f)">,
  ];
}

#endif // CNNC_CODEGEN_CPU_PASSES
