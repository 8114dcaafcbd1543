// RUN: cnnc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(gpu.module(cnn-gpu-kernels-to-nvvm))' | FileCheck %s

// convert-gpu-to-nvvm without libdevice: the PTX is linked with nothing, so
// LLVM's fabs, sqrt and fma intrinsics (convert-math-to-llvm ran before)
// must stay intrinsics for the NVPTX back end (abs.f32, sqrt.rn.f32,
// fma.rn.f32) and never become __nv_* calls. A memref argument is MLIR's
// descriptor, field by field, in the order cnn-gpu-launches-to-runtime
// passes it (allocated, aligned, offset, sizes, strides). Anything still
// calling out is an error here rather than an unresolved symbol in the
// driver's JIT.

// CHECK-LABEL: gpu.module @cnn_kernels
// CHECK: llvm.func @k(%[[ALLOC:.+]]: !llvm.ptr, %[[ALIGNED:.+]]: !llvm.ptr, %[[OFF:.+]]: i64, %[[SZ0:.+]]: i64, %[[SZ1:.+]]: i64, %[[ST0:.+]]: i64, %[[ST1:.+]]: i64, %[[X:.+]]: f32)
// CHECK-SAME: attributes {gpu.kernel, nvvm.kernel}
// CHECK-DAG: llvm.insertvalue %[[SZ0]], %{{.+}}[3, 0]
// CHECK-DAG: llvm.insertvalue %[[SZ1]], %{{.+}}[3, 1]
// CHECK-DAG: llvm.insertvalue %[[ST0]], %{{.+}}[4, 0]
// CHECK-DAG: llvm.insertvalue %[[ST1]], %{{.+}}[4, 1]
// CHECK: nvvm.read.ptx.sreg.tid.x : i32
// CHECK: nvvm.read.ptx.sreg.ctaid.x : i32
// CHECK: %[[A:.+]] = llvm.intr.fabs(%[[X]]) : (f32) -> f32
// CHECK: %[[S:.+]] = llvm.intr.sqrt(%[[A]]) : (f32) -> f32
// CHECK: %[[F:.+]] = llvm.intr.fma(%[[S]], %[[X]], %[[A]]) : (f32, f32, f32) -> f32
// CHECK: llvm.store %[[F]], %{{.+}} : f32, !llvm.ptr
// CHECK-NOT: __nv_
// CHECK-NOT: gpu.func
// CHECK-NOT: llvm.call
gpu.module @cnn_kernels {
  gpu.func @k(%out: memref<?x16xf32>, %x: f32) kernel {
    %t = gpu.thread_id x
    %b = gpu.block_id x
    %a = llvm.intr.fabs(%x) : (f32) -> f32
    %s = llvm.intr.sqrt(%a) : (f32) -> f32
    %f = llvm.intr.fma(%s, %x, %a) : (f32, f32, f32) -> f32
    memref.store %f, %out[%b, %t] : memref<?x16xf32>
    gpu.return
  }
}

// -----

// A function the kernel calls but the module does not define.
gpu.module @cnn_kernels {
  // expected-error @+1 {{kernel code calls the external function expf, which the PTX cannot link}}
  func.func private @expf(f32) -> f32
  gpu.func @k(%out: memref<4xf32>, %x: f32) kernel {
    %c0 = arith.constant 0 : index
    %e = func.call @expf(%x) : (f32) -> f32
    memref.store %e, %out[%c0] : memref<4xf32>
    gpu.return
  }
}

// -----

// A math function cnn-gpu-approximate-math left (f64 has no approximation):
// the NVVM patterns make it a libdevice call, which is the same error.
gpu.module @cnn_kernels {
  gpu.func @k(%out: memref<4xf64>, %x: f64) kernel {
    %c0 = arith.constant 0 : index
    // expected-error @+1 {{kernel code calls the external function __nv_tanh}}
    %t = math.tanh %x : f64
    memref.store %t, %out[%c0] : memref<4xf64>
    gpu.return
  }
}

// -----

// A transcendental LLVM intrinsic (convert-math-to-llvm's powf) that the
// NVPTX back end cannot select: an error naming it, not a crash in
// gpu-module-to-binary.
gpu.module @cnn_kernels {
  gpu.func @k(%out: memref<4xf32>, %x: f32) kernel {
    %c0 = arith.constant 0 : index
    // expected-error @+1 {{no GPU code for llvm.intr.pow in a kernel}}
    %p = llvm.intr.pow(%x, %x) : (f32, f32) -> f32
    memref.store %p, %out[%c0] : memref<4xf32>
    gpu.return
  }
}
