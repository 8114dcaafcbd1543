// RUN: cnnc-opt %s --split-input-file --verify-diagnostics --cnn-gpu-host-kernels | FileCheck %s

// For the runtime's fake CUDA driver: each NVVM kernel gets an internal
// host copy whose special registers are 12 extra i32 arguments (tid, ctaid,
// ntid, nctaid; x, y, z each), and cnnrt_fake_kernel_NAME(grid, block,
// params) loops over the grid and the block, blocks outermost, z to x,
// loading each parameter through its pointer in params with the kernel's
// type. The register order is the contract between the two functions: the
// kernel below reads one register of each kind and of different axes, so a
// swapped argument or a wrong loop bound shows. An NVVM op the host cannot
// do (a barrier, a lane id) is an error.

// The kernel stays for the PTX.
// CHECK-LABEL: gpu.module @cnn_kernels
// CHECK: llvm.func @k({{.+}}) attributes {gpu.kernel, nvvm.kernel
// CHECK: nvvm.read.ptx.sreg.tid.x
// The copy: tid.x is argument 2 (the first register), ctaid.y 2+4,
// ntid.x 2+6, nctaid.z 2+11.
// CHECK: llvm.func internal @cnn_host_kernel_k(%[[P:.+]]: !llvm.ptr, %[[X:.+]]: f32, %[[TIDX:[^:]+]]: i32, %{{.+}}: i32, %{{.+}}: i32, %{{.+}}: i32, %[[CTAIDY:[^:]+]]: i32, %{{.+}}: i32, %[[NTIDX:[^:]+]]: i32, %{{.+}}: i32, %{{.+}}: i32, %{{.+}}: i32, %{{.+}}: i32, %[[NCTAIDZ:[^:]+]]: i32) {
// CHECK-NOT: nvvm.
// CHECK-NEXT: %[[A:.+]] = llvm.mul %[[CTAIDY]], %[[NTIDX]] : i32
// CHECK-NEXT: %[[B:.+]] = llvm.add %[[A]], %[[TIDX]] : i32
// CHECK-NEXT: %[[C:.+]] = llvm.mul %[[B]], %[[NCTAIDZ]] : i32
// CHECK-NEXT: %[[Q:.+]] = llvm.getelementptr %[[P]][%[[C]]]
// CHECK-NEXT: llvm.store %[[X]], %[[Q]] : f32, !llvm.ptr
// CHECK: func.func @cnnrt_fake_kernel_k(%[[GRID:.+]]: !llvm.ptr, %[[BLOCK:.+]]: !llvm.ptr, %[[PARAMS:.+]]: !llvm.ptr) {
// params[0] is a pointer to the kernel's ptr argument, params[1] to its f32.
// CHECK: %[[PP0:.+]] = llvm.getelementptr %[[PARAMS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[V0P:.+]] = llvm.load %[[PP0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[V0A:.+]] = llvm.getelementptr %[[V0P]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[V0:.+]] = llvm.load %[[V0A]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[PP1:.+]] = llvm.getelementptr %[[PARAMS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[V1P:.+]] = llvm.load %[[PP1]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[V1A:.+]] = llvm.getelementptr %[[V1P]][0] : (!llvm.ptr) -> !llvm.ptr, f32
// CHECK-NEXT: %[[V1:.+]] = llvm.load %[[V1A]] : !llvm.ptr -> f32
// grid[i] and block[i], i32 each.
// CHECK-NEXT: %[[GX0:.+]] = llvm.getelementptr %[[GRID]][0] : (!llvm.ptr) -> !llvm.ptr, i32
// CHECK-NEXT: %[[GX:.+]] = llvm.load %[[GX0]] : !llvm.ptr -> i32
// CHECK-NEXT: %[[BX0:.+]] = llvm.getelementptr %[[BLOCK]][0] : (!llvm.ptr) -> !llvm.ptr, i32
// CHECK-NEXT: %[[BX:.+]] = llvm.load %[[BX0]] : !llvm.ptr -> i32
// CHECK-NEXT: %[[GY0:.+]] = llvm.getelementptr %[[GRID]][1] : (!llvm.ptr) -> !llvm.ptr, i32
// CHECK-NEXT: %[[GY:.+]] = llvm.load %[[GY0]] : !llvm.ptr -> i32
// CHECK-NEXT: %[[BY0:.+]] = llvm.getelementptr %[[BLOCK]][1] : (!llvm.ptr) -> !llvm.ptr, i32
// CHECK-NEXT: %[[BY:.+]] = llvm.load %[[BY0]] : !llvm.ptr -> i32
// CHECK-NEXT: %[[GZ0:.+]] = llvm.getelementptr %[[GRID]][2] : (!llvm.ptr) -> !llvm.ptr, i32
// CHECK-NEXT: %[[GZ:.+]] = llvm.load %[[GZ0]] : !llvm.ptr -> i32
// CHECK-NEXT: %[[BZ0:.+]] = llvm.getelementptr %[[BLOCK]][2] : (!llvm.ptr) -> !llvm.ptr, i32
// CHECK-NEXT: %[[BZ:.+]] = llvm.load %[[BZ0]] : !llvm.ptr -> i32
// Six loops: grid z, y, x, then block z, y, x.
// CHECK: %[[L0:.+]] = arith.index_castui %[[GZ]] : i32 to index
// CHECK-NEXT: scf.for %[[I0:.+]] = %{{.+}} to %[[L0]]
// CHECK-NEXT: %[[CTAIDZ_:.+]] = arith.index_castui %[[I0]] : index to i32
// CHECK-NEXT: %[[L1:.+]] = arith.index_castui %[[GY]] : i32 to index
// CHECK-NEXT: scf.for %[[I1:.+]] = %{{.+}} to %[[L1]]
// CHECK-NEXT: %[[CTAIDY_:.+]] = arith.index_castui %[[I1]] : index to i32
// CHECK-NEXT: %[[L2:.+]] = arith.index_castui %[[GX]] : i32 to index
// CHECK-NEXT: scf.for %[[I2:.+]] = %{{.+}} to %[[L2]]
// CHECK-NEXT: %[[CTAIDX_:.+]] = arith.index_castui %[[I2]] : index to i32
// CHECK-NEXT: %[[L3:.+]] = arith.index_castui %[[BZ]] : i32 to index
// CHECK-NEXT: scf.for %[[I3:.+]] = %{{.+}} to %[[L3]]
// CHECK-NEXT: %[[TIDZ_:.+]] = arith.index_castui %[[I3]] : index to i32
// CHECK-NEXT: %[[L4:.+]] = arith.index_castui %[[BY]] : i32 to index
// CHECK-NEXT: scf.for %[[I4:.+]] = %{{.+}} to %[[L4]]
// CHECK-NEXT: %[[TIDY_:.+]] = arith.index_castui %[[I4]] : index to i32
// CHECK-NEXT: %[[L5:.+]] = arith.index_castui %[[BX]] : i32 to index
// CHECK-NEXT: scf.for %[[I5:.+]] = %{{.+}} to %[[L5]]
// CHECK-NEXT: %[[TIDX_:.+]] = arith.index_castui %[[I5]] : index to i32
// CHECK-NEXT: llvm.call @cnn_host_kernel_k(%[[V0]], %[[V1]], %[[TIDX_]], %[[TIDY_]], %[[TIDZ_]], %[[CTAIDX_]], %[[CTAIDY_]], %[[CTAIDZ_]], %[[BX]], %[[BY]], %[[BZ]], %[[GX]], %[[GY]], %[[GZ]])
module attributes {gpu.container_module} {
  gpu.module @cnn_kernels {
    llvm.func @k(%p: !llvm.ptr, %x: f32) attributes {gpu.kernel, nvvm.kernel, nvvm.maxntid = array<i32: 128, 1, 1>} {
      %t = nvvm.read.ptx.sreg.tid.x : i32
      %b = nvvm.read.ptx.sreg.ctaid.y : i32
      %n = nvvm.read.ptx.sreg.ntid.x : i32
      %g = nvvm.read.ptx.sreg.nctaid.z : i32
      %i0 = llvm.mul %b, %n : i32
      %i1 = llvm.add %i0, %t : i32
      %i2 = llvm.mul %i1, %g : i32
      %q = llvm.getelementptr %p[%i2] : (!llvm.ptr, i32) -> !llvm.ptr, f32
      llvm.store %x, %q : f32, !llvm.ptr
      llvm.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @cnn_kernels {
    llvm.func @k() attributes {gpu.kernel, nvvm.kernel} {
      // expected-error @+1 {{no host version of this NVVM op}}
      %l = nvvm.read.ptx.sreg.laneid : i32
      // expected-error @+1 {{no host version of this NVVM op}}
      nvvm.barrier0
      llvm.return
    }
  }
}
