// RUN: cnnc-opt %s --split-input-file --verify-diagnostics --cnn-gpu-launches-to-runtime | FileCheck %s

// The host side without MLIR's GPU runtime: a gpu.launch_func becomes
// cnnrt_gpu_launch(kernel, grid x y z, block x y z, shared bytes, params),
// params being cuLaunchKernel's array of pointers to each value the kernel
// takes, expanded exactly as convert-gpu-to-nvvm expands its arguments (a
// memref<?x16xf32>: allocated and aligned pointer, i64 offset, 2 sizes, 2
// strides; an index as i64). One slot too many or of the wrong width and
// the kernel reads garbage: the count and every store's type are checked.
// The kernel index is the kernel's position in cnn.gpu_kernels (first
// launch first, a second launch of a kernel shares its index); the PTX and
// the chip move from the gpu.binary, which goes, to module attributes.

// CHECK-LABEL: module attributes {cnn.gpu_arch = "sm_90", cnn.gpu_kernels = ["k", "k2"], cnn.gpu_ptx = "PTX TEXT"}
// CHECK-NOT: gpu.container_module
// CHECK-LABEL: func.func @f
// CHECK-SAME: (%[[M:.+]]: memref<?x16xf32>, %[[N:.+]]: index, %[[X:.+]]: f32, %[[SMEM:.+]]: i32)
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.+]] = arith.constant 3 : index
// CHECK-DAG: %[[C128:.+]] = arith.constant 128 : index
// CHECK: %{{.+}}, %[[OFF:.+]], %[[SIZES:.+]]:2, %[[STRIDES:.+]]:2 = memref.extract_strided_metadata %[[M]]
// CHECK: %[[INT:.+]] = memref.extract_aligned_pointer_as_index %[[M]]
// CHECK: %[[INT64:.+]] = arith.index_cast %[[INT]] : index to i64
// CHECK: %[[PTR:.+]] = llvm.inttoptr %[[INT64]] : i64 to !llvm.ptr
// CHECK: %[[OFF64:.+]] = arith.index_cast %[[OFF]] : index to i64
// CHECK: %[[SZ0:.+]] = arith.index_cast %[[SIZES]]#0 : index to i64
// CHECK: %[[SZ1:.+]] = arith.index_cast %[[SIZES]]#1 : index to i64
// CHECK: %[[ST0:.+]] = arith.index_cast %[[STRIDES]]#0 : index to i64
// CHECK: %[[ST1:.+]] = arith.index_cast %[[STRIDES]]#1 : index to i64
// CHECK: %[[N64:.+]] = arith.index_cast %[[N]] : index to i64
// Nine slots, in order: ptr, ptr, offset, size, size, stride, stride, n, x.
// CHECK-NEXT: llvm.store %[[PTR]], %[[S0:.+]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[E0:.+]] = llvm.getelementptr %[[ARR:.+]][0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<9 x ptr>
// CHECK-NEXT: llvm.store %[[S0]], %[[E0]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT: llvm.store %[[PTR]], %[[S1:.+]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[E1:.+]] = llvm.getelementptr %[[ARR]][0, 1] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<9 x ptr>
// CHECK-NEXT: llvm.store %[[S1]], %[[E1]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT: llvm.store %[[OFF64]], %[[S2:.+]] : i64, !llvm.ptr
// CHECK-NEXT: %[[E2:.+]] = llvm.getelementptr %[[ARR]][0, 2]
// CHECK-NEXT: llvm.store %[[S2]], %[[E2]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT: llvm.store %[[SZ0]], %[[S3:.+]] : i64, !llvm.ptr
// CHECK-NEXT: %[[E3:.+]] = llvm.getelementptr %[[ARR]][0, 3]
// CHECK-NEXT: llvm.store %[[S3]], %[[E3]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT: llvm.store %[[SZ1]], %[[S4:.+]] : i64, !llvm.ptr
// CHECK-NEXT: %[[E4:.+]] = llvm.getelementptr %[[ARR]][0, 4]
// CHECK-NEXT: llvm.store %[[S4]], %[[E4]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT: llvm.store %[[ST0]], %[[S5:.+]] : i64, !llvm.ptr
// CHECK-NEXT: %[[E5:.+]] = llvm.getelementptr %[[ARR]][0, 5]
// CHECK-NEXT: llvm.store %[[S5]], %[[E5]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT: llvm.store %[[ST1]], %[[S6:.+]] : i64, !llvm.ptr
// CHECK-NEXT: %[[E6:.+]] = llvm.getelementptr %[[ARR]][0, 6]
// CHECK-NEXT: llvm.store %[[S6]], %[[E6]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT: llvm.store %[[N64]], %[[S7:.+]] : i64, !llvm.ptr
// CHECK-NEXT: %[[E7:.+]] = llvm.getelementptr %[[ARR]][0, 7]
// CHECK-NEXT: llvm.store %[[S7]], %[[E7]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT: llvm.store %[[X]], %[[S8:.+]] : f32, !llvm.ptr
// CHECK-NEXT: %[[E8:.+]] = llvm.getelementptr %[[ARR]][0, 8]
// CHECK-NEXT: llvm.store %[[S8]], %[[E8]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[SH:.+]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT: %[[K:.+]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT: %[[GX:.+]] = arith.index_cast %[[C3]] : index to i64
// CHECK-NEXT: %[[GY:.+]] = arith.index_cast %[[C1]] : index to i64
// CHECK-NEXT: %[[GZ:.+]] = arith.index_cast %[[C1]] : index to i64
// CHECK-NEXT: %[[BX:.+]] = arith.index_cast %[[C128]] : index to i64
// CHECK-NEXT: %[[BY:.+]] = arith.index_cast %[[C1]] : index to i64
// CHECK-NEXT: %[[BZ:.+]] = arith.index_cast %[[C1]] : index to i64
// CHECK-NEXT: llvm.call @cnnrt_gpu_launch(%[[K]], %[[GX]], %[[GY]], %[[GZ]], %[[BX]], %[[BY]], %[[BZ]], %[[SH]], %[[ARR]]) : (i64, i64, i64, i64, i64, i64, i64, i64, !llvm.ptr) -> ()
// The second kernel: index 1, one f32 slot.
// CHECK-NEXT: llvm.store %[[X]], %[[T0:.+]] : f32, !llvm.ptr
// CHECK-NEXT: %[[F0:.+]] = llvm.getelementptr %[[ARR2:.+]][0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<1 x ptr>
// CHECK-NEXT: llvm.store %[[T0]], %[[F0]]
// CHECK-NEXT: llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT: %[[K2:.+]] = llvm.mlir.constant(1 : i64) : i64
// CHECK: llvm.call @cnnrt_gpu_launch(%[[K2]], {{.+}}, %[[ARR2]])
// The first kernel again: index 0, its own array, the shared memory size
// widened to i64.
// CHECK: llvm.getelementptr %[[ARR3:.+]][0, 8] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<9 x ptr>
// CHECK: %[[SH3:.+]] = arith.extui %[[SMEM]] : i32 to i64
// CHECK-NEXT: %[[K3:.+]] = llvm.mlir.constant(0 : i64) : i64
// CHECK: llvm.call @cnnrt_gpu_launch(%[[K3]], {{.+}}, %[[SH3]], %[[ARR3]])
// CHECK-NOT: gpu.launch_func
// CHECK: return
// CHECK: llvm.func @cnnrt_gpu_launch(i64, i64, i64, i64, i64, i64, i64, i64, !llvm.ptr)
// CHECK-NOT: gpu.binary
module attributes {gpu.container_module} {
  func.func @f(%m: memref<?x16xf32>, %n: index, %x: f32, %smem: i32) {
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c128 = arith.constant 128 : index
    gpu.launch_func @cnn_kernels::@k blocks in (%c3, %c1, %c1) threads in (%c128, %c1, %c1)
        args(%m : memref<?x16xf32>, %n : index, %x : f32)
    gpu.launch_func @cnn_kernels::@k2 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%x : f32)
    gpu.launch_func @cnn_kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        dynamic_shared_memory_size %smem args(%m : memref<?x16xf32>, %n : index, %x : f32)
    return
  }
  gpu.binary @cnn_kernels [#gpu.object<#nvvm.target<chip = "sm_90">, assembly = "PTX TEXT">]
}

// -----

// The runtime JIT-loads PTX: a cubin (or anything but PTX) is an error.
module attributes {gpu.container_module} {
  // expected-error @+1 {{expected one NVVM object in PTX form}}
  gpu.binary @cnn_kernels [#gpu.object<#nvvm.target<chip = "sm_90">, bin = "CUBIN">]
}
