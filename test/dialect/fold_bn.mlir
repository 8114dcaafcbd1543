// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// The ops that cnn-fold-batchnorm computes folded conv weights and biases with.

// CHECK-LABEL: func @affine
// CHECK: %[[W:.+]] = cnn.fold_bn_weight %{{.*}}, %{{.*}} scale %{{.*}} eps 1.000000e-05 : (tensor<16x3x3x3xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<16x3x3x3xf32>
// CHECK: %[[B:.+]] = cnn.fold_bn_bias %{{.*}}, %{{.*}} bias %{{.*}} scale %{{.*}} shift %{{.*}} eps 1.000000e-05 : (tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
// CHECK: return %[[W]], %[[B]]
func.func @affine(%w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>, %mean: tensor<16xf32>, %var: tensor<16xf32>, %g: tensor<16xf32>, %beta: tensor<16xf32>) -> (tensor<16x3x3x3xf32>, tensor<16xf32>) {
  %0 = cnn.fold_bn_weight %w, %var scale %g eps 1.0e-05 : (tensor<16x3x3x3xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<16x3x3x3xf32>
  %1 = cnn.fold_bn_bias %mean, %var bias %b scale %g shift %beta eps 1.0e-05 : (tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  return %0, %1 : tensor<16x3x3x3xf32>, tensor<16xf32>
}

// A conv without bias and a batchnorm without affine parameters.
// CHECK-LABEL: func @bare
// CHECK: cnn.fold_bn_weight %{{.*}}, %{{.*}} eps 1.000000e-05 : (tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<4x4x3x3xf32>
// CHECK: cnn.fold_bn_bias %{{.*}}, %{{.*}} eps 1.000000e-05 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
func.func @bare(%w: tensor<4x4x3x3xf32>, %mean: tensor<4xf32>, %var: tensor<4xf32>) -> (tensor<4x4x3x3xf32>, tensor<4xf32>) {
  %0 = cnn.fold_bn_weight %w, %var eps 1.0e-05 : (tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<4x4x3x3xf32>
  %1 = cnn.fold_bn_bias %mean, %var eps 1.0e-05 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4x4x3x3xf32>, tensor<4xf32>
}
