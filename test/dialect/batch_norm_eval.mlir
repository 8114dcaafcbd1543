// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s -canonicalize | FileCheck %s --check-prefix=DCE
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// The eval form of batchnorm: running statistics, no momentum.

// CHECK-LABEL: func @affine
// CHECK: cnn.batch_norm_eval %{{.*}}, %{{.*}}, %{{.*}} scale %{{.*}} shift %{{.*}} eps 1.000000e-05 : (tensor<?x16x32x32xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x32x32xf32>
func.func @affine(%x: tensor<?x16x32x32xf32>, %mean: tensor<16xf32>, %var: tensor<16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<?x16x32x32xf32> {
  %0 = cnn.batch_norm_eval %x, %mean, %var scale %g shift %b eps 1.0e-05 : (tensor<?x16x32x32xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x32x32xf32>
  return %0 : tensor<?x16x32x32xf32>
}

// CHECK-LABEL: func @not_affine
// CHECK: cnn.batch_norm_eval %{{.*}}, %{{.*}}, %{{.*}} eps 1.000000e-03 : (tensor<8x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x5x5xf32>
func.func @not_affine(%x: tensor<8x4x5x5xf32>, %mean: tensor<4xf32>, %var: tensor<4xf32>) -> tensor<8x4x5x5xf32> {
  %0 = cnn.batch_norm_eval %x, %mean, %var eps 1.0e-03 : (tensor<8x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x5x5xf32>
  return %0 : tensor<8x4x5x5xf32>
}

// Pure: an unused eval batchnorm is dead code, unlike the mode-agnostic op.
// DCE-LABEL: func @dead
// DCE-NOT: cnn.batch_norm_eval
// DCE: return
func.func @dead(%x: tensor<8x4x5x5xf32>, %mean: tensor<4xf32>, %var: tensor<4xf32>) {
  %0 = cnn.batch_norm_eval %x, %mean, %var eps 1.0e-03 : (tensor<8x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x5x5xf32>
  return
}
