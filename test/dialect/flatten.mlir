// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s -canonicalize | FileCheck %s --check-prefix=FOLD

// CHECK-LABEL: func @flatten
// CHECK: cnn.flatten %{{.*}} : tensor<?x8x8x8xf32> -> tensor<?x512xf32>
func.func @flatten(%x: tensor<?x8x8x8xf32>) -> tensor<?x512xf32> {
  %0 = cnn.flatten %x : tensor<?x8x8x8xf32> -> tensor<?x512xf32>
  return %0 : tensor<?x512xf32>
}

// Flattening [N, F] is the identity.
// FOLD-LABEL: func @flat(
// FOLD-SAME: %[[X:.+]]: tensor<64x10xf32>)
// FOLD-NEXT: return %[[X]]
func.func @flat(%x: tensor<64x10xf32>) -> tensor<64x10xf32> {
  %0 = cnn.flatten %x : tensor<64x10xf32> -> tensor<64x10xf32>
  return %0 : tensor<64x10xf32>
}
