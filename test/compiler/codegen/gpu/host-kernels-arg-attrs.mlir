// RUN: cnnc-opt %s --cnn-gpu-host-kernels | FileCheck %s

// Once a bug: the host copy gets 12 register
// arguments added to its entry block and function type, but its arg_attrs
// keep the kernel's length, so a kernel with any argument attribute (here
// llvm.noalias) makes invalid IR: "'llvm.func' op expects argument
// attribute array to have the same number of elements as the number of
// function arguments, got 2, but expected 14". The pipeline's kernels have
// none today. Now: the copy keeps the attribute on %p and the 12
// registers have none.

// CHECK: llvm.func internal @cnn_host_kernel_k(%{{.+}}: !llvm.ptr {llvm.noalias}, %{{.+}}: f32, %{{.+}}: i32,
module attributes {gpu.container_module} {
  gpu.module @cnn_kernels {
    llvm.func @k(%p: !llvm.ptr {llvm.noalias}, %x: f32) attributes {gpu.kernel, nvvm.kernel} {
      %t = nvvm.read.ptx.sreg.tid.x : i32
      %q = llvm.getelementptr %p[%t] : (!llvm.ptr, i32) -> !llvm.ptr, f32
      llvm.store %x, %q : f32, !llvm.ptr
      llvm.return
    }
  }
}
