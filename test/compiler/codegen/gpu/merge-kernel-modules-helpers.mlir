// RUN: cnnc-opt %s --cnn-gpu-merge-kernel-modules | FileCheck %s

// Once a bug: a kernel module holding more than one
// symbol (gpu-kernel-outlining copies the functions a kernel calls into its
// module) has each symbol renamed to MODULE_NAME, but the references inside
// the module are not updated: the kernel's func.call @helper no longer
// resolves and the verifier rejects the result ("'func.call' op 'helper'
// does not reference a valid function"). Now: the call follows the
// helper's new name.

// CHECK-LABEL: gpu.module @cnn_kernels
// CHECK: func.func {{(private )?}}@[[HELPER:[a-z_0-9]+]](%{{.+}}: f32) -> f32
// CHECK: gpu.func @[[KERNEL:[a-z_0-9]+]](
// CHECK: func.call @[[HELPER]](
// CHECK: gpu.launch_func @cnn_kernels::@[[KERNEL]] blocks
module attributes {gpu.container_module} {
  gpu.module @main_kernel {
    func.func @helper(%v: f32) -> f32 {
      %w = arith.negf %v : f32
      return %w : f32
    }
    gpu.func @main_kernel(%out: memref<?xf32>, %v: f32) kernel {
      %t = gpu.thread_id x
      %w = func.call @helper(%v) : (f32) -> f32
      memref.store %w, %out[%t] : memref<?xf32>
      gpu.return
    }
  }
  func.func @main(%out: memref<?xf32>, %v: f32) {
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1) args(%out : memref<?xf32>, %v : f32)
    return
  }
}
