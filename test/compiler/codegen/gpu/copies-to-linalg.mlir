// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-gpu-copies-to-linalg))' | FileCheck %s

// Bufferization writes a tensor into a slice of another (a padded image's
// interior) as memref.copy, which would run on the host; as linalg.copy it
// becomes a parallel loop and a kernel like every other op. Source and
// target must stay in that order (a swap would copy the wrong way).

// CHECK-LABEL: func.func @copy_into_interior
// CHECK-SAME: (%[[SRC:.+]]: memref<?x4x4xf32>, %[[DST:.+]]: memref<?x6x6xf32>)
// CHECK: %[[SUB:.+]] = memref.subview %[[DST]]
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%[[SRC]] : memref<?x4x4xf32>) outs(%[[SUB]] : memref<?x4x4xf32, strided<[36, 6, 1], offset: 7>>)
// CHECK-NOT: memref.copy
// CHECK: return
func.func @copy_into_interior(%src: memref<?x4x4xf32>, %dst: memref<?x6x6xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %src, %c0 : memref<?x4x4xf32>
  %sub = memref.subview %dst[0, 1, 1] [%n, 4, 4] [1, 1, 1]
      : memref<?x6x6xf32> to memref<?x4x4xf32, strided<[36, 6, 1], offset: 7>>
  memref.copy %src, %sub : memref<?x4x4xf32> to memref<?x4x4xf32, strided<[36, 6, 1], offset: 7>>
  return
}
