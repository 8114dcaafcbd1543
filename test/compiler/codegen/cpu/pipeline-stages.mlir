// RUN: cnnc-opt %S/Inputs/net.mlir --cnn-cpu-pipeline="cpu=x86-64-v4 lower-to-llvm=false" | FileCheck %s --check-prefix=BUF
// RUN: cnnc-opt %S/Inputs/net.mlir --cnn-cpu-pipeline="cpu=x86-64-v4" | FileCheck %s --check-prefix=LLVM
// RUN: cnnc-opt %S/Inputs/net.mlir --cnn-cpu-pipeline="parallel=false" | FileCheck %s --check-prefix=SERIAL

// The lecture's Net through the whole pipeline. After bufferization and
// vector lowering: the arguments are the buffers (no copy of the input),
// one parallel loop over the images holds every layer, the convs accumulate
// in vector registers.
// BUF-LABEL: func.func @forward(%arg0: memref<?xi8>, %arg1: memref<?x3x32x32xf32>, %arg2: memref<?x2xf32>)
// BUF-NOT:   memref.copy
// BUF:       scf.parallel
// BUF-NOT:   scf.parallel
// BUF:         arith.mulf {{.*}} : vector<8x16xf32>
// BUF:       return

// LLVM dialect: OpenMP region for the batch loop, FMAs on vectors, and the
// C interface wrapper for the runtime. (fmul+fadd become FMAs in the
// backend: the TargetMachine allows FP contraction.)
// LLVM:      llvm.func @forward(
// LLVM:        omp.parallel
// LLVM:          omp.wsloop
// LLVM:            llvm.fmul {{.*}} : vector<32xf32>
// A linear layer's dot products end each step in a reduction LLVM may
// reassociate (a tree of vector adds, not a chain in lane order).
// LLVM:            llvm.intr.vector.reduce.fadd"({{.*}}) <{fastmathFlags = #llvm.fastmath<reassoc>}>
// LLVM-NOT:        llvm.intr.vector.reduce.fadd"({{[^)]*}}) : (f32, vector
// LLVM:      llvm.func @_mlir_ciface_forward(

// SERIAL-NOT: omp.
// SERIAL:     llvm.func @_mlir_ciface_forward(
