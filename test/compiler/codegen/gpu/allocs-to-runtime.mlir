// RUN: cnnc-opt %s --split-input-file --verify-diagnostics --cnn-gpu-allocs-to-runtime | FileCheck %s

// The host function's temporaries are lowered with MLIR's generic
// allocation function (finalize-memref-to-llvm{use-generic-functions}); it
// gets a body that asks libcnnrt for device memory: the bytes go to
// cnnrt_gpu_alloc unchanged and its i64 device address comes back as the
// pointer. The runtime reuses the buffers from call to call, so host code
// that frees one is an error.

// CHECK-LABEL: llvm.func internal @_mlir_memref_to_llvm_alloc(
// CHECK-SAME: %[[BYTES:[^:]+]]: i64) -> !llvm.ptr {
// CHECK-NEXT: %[[ADDR:.+]] = llvm.call @cnnrt_gpu_alloc(%[[BYTES]]) : (i64) -> i64
// CHECK-NEXT: %[[P:.+]] = llvm.inttoptr %[[ADDR]] : i64 to !llvm.ptr
// CHECK-NEXT: llvm.return %[[P]] : !llvm.ptr
// CHECK-NEXT: }
// CHECK: llvm.func @host(%[[N:.+]]: i64)
// CHECK-NEXT: llvm.call @_mlir_memref_to_llvm_alloc(%[[N]])
// CHECK: llvm.func @cnnrt_gpu_alloc(i64) -> i64
// CHECK-NOT: llvm.func @malloc
llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
llvm.func @host(%n: i64) -> !llvm.ptr {
  %p = llvm.call @_mlir_memref_to_llvm_alloc(%n) : (i64) -> !llvm.ptr
  llvm.return %p : !llvm.ptr
}

// -----

// expected-error @+1 {{the GPU host code frees a temporary; the runtime expects it not to}}
llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)
llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
llvm.func @host(%n: i64) {
  %p = llvm.call @_mlir_memref_to_llvm_alloc(%n) : (i64) -> !llvm.ptr
  llvm.call @_mlir_memref_to_llvm_free(%p) : (!llvm.ptr) -> ()
  llvm.return
}
