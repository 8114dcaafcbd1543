// RUN: cnnc-opt %s --split-input-file --verify-diagnostics --cnn-gpu-merge-kernel-modules | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --verify-diagnostics --cnn-gpu-merge-kernel-modules=module-name=net | FileCheck %s --check-prefix=NAMED

// gpu-kernel-outlining makes a gpu.module per launch, each kernel named
// after its function (here both @main_kernel); the runtime JIT-loads one
// PTX text, so they merge into one module (@cnn_kernels or module-name),
// each kernel renamed after its old module (unique in the parent), and each
// launch pointed at its own kernel: launches swapped or left pointing at
// the old modules would start the wrong code.

// CHECK-LABEL: gpu.module @cnn_kernels {
// CHECK-NEXT: gpu.func @main_kernel(%{{.+}}: memref<?xf32>, %{{.+}}: f32) kernel {
// CHECK: memref.store
// CHECK: gpu.func @main_kernel_0(%{{.+}}: memref<?xf32>) kernel {
// CHECK: arith.negf
// CHECK-NOT: gpu.module
// CHECK-LABEL: func.func @main
// CHECK: gpu.launch_func @cnn_kernels::@main_kernel blocks {{.+}} args(%{{.+}} : memref<?xf32>, %{{.+}} : f32)
// CHECK-NEXT: gpu.launch_func @cnn_kernels::@main_kernel_0 blocks {{.+}} args(%{{.+}} : memref<?xf32>)
// CHECK-NEXT: gpu.launch_func @cnn_kernels::@main_kernel blocks

// NAMED-LABEL: gpu.module @net {
// NAMED: gpu.func @main_kernel(
// NAMED: gpu.func @main_kernel_0(
// NAMED-NOT: gpu.module
// NAMED: gpu.launch_func @net::@main_kernel blocks
// NAMED-NEXT: gpu.launch_func @net::@main_kernel_0 blocks
// NAMED-NEXT: gpu.launch_func @net::@main_kernel blocks
module attributes {gpu.container_module} {
  gpu.module @main_kernel {
    gpu.func @main_kernel(%out: memref<?xf32>, %v: f32) kernel {
      %t = gpu.thread_id x
      memref.store %v, %out[%t] : memref<?xf32>
      gpu.return
    }
  }
  gpu.module @main_kernel_0 {
    gpu.func @main_kernel(%out: memref<?xf32>) kernel {
      %t = gpu.thread_id x
      %v = memref.load %out[%t] : memref<?xf32>
      %w = arith.negf %v : f32
      memref.store %w, %out[%t] : memref<?xf32>
      gpu.return
    }
  }
  func.func @main(%out: memref<?xf32>, %v: f32) {
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1) args(%out : memref<?xf32>, %v : f32)
    gpu.launch_func @main_kernel_0::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1) args(%out : memref<?xf32>)
    gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1) args(%out : memref<?xf32>, %v : f32)
    return
  }
}

// -----

// The merged module's name is taken (cnn_kernels in the first run, net in
// the second): an error, not a silent rename that the launches would not
// follow.
// expected-error @+1 {{a symbol is already named '}}
module attributes {gpu.container_module} {
  gpu.module @main_kernel {
    gpu.func @main_kernel() kernel {
      gpu.return
    }
  }
  func.func private @net()
  func.func @cnn_kernels() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
}
