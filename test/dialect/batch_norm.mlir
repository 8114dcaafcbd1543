// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// CHECK-LABEL: func @affine
// CHECK: cnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}} scale %{{.*}} shift %{{.*}} eps 1.000000e-05 momentum 1.000000e-01 : (tensor<?x16x32x32xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x32x32xf32>
func.func @affine(%x: tensor<?x16x32x32xf32>, %mean: tensor<16xf32>, %var: tensor<16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<?x16x32x32xf32> {
  %0 = cnn.batch_norm %x, %mean, %var scale %g shift %b eps 1.0e-05 momentum 0.1 : (tensor<?x16x32x32xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x32x32xf32>
  return %0 : tensor<?x16x32x32xf32>
}

// affine=False: no scale and shift.
// CHECK-LABEL: func @not_affine
// CHECK: cnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}} eps 1.000000e-03 momentum 0.000000e+00 : (tensor<8x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x5x5xf32>
func.func @not_affine(%x: tensor<8x4x5x5xf32>, %mean: tensor<4xf32>, %var: tensor<4xf32>) -> tensor<8x4x5x5xf32> {
  %0 = cnn.batch_norm %x, %mean, %var eps 1.0e-03 momentum 0.0 : (tensor<8x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4x5x5xf32>
  return %0 : tensor<8x4x5x5xf32>
}
