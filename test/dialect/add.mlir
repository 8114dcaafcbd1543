// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// CHECK-LABEL: func @residual
// CHECK: cnn.add %{{.*}}, %{{.*}} : (tensor<?x32x16x16xf32>, tensor<?x32x16x16xf32>) -> tensor<?x32x16x16xf32>
func.func @residual(%a: tensor<?x32x16x16xf32>, %b: tensor<?x32x16x16xf32>) -> tensor<?x32x16x16xf32> {
  %0 = cnn.add %a, %b : (tensor<?x32x16x16xf32>, tensor<?x32x16x16xf32>) -> tensor<?x32x16x16xf32>
  return %0 : tensor<?x32x16x16xf32>
}

// A static batch on one side makes the result's batch static.
// CHECK-LABEL: func @mixed_batch
// CHECK: cnn.add %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
func.func @mixed_batch(%a: tensor<?x4xf32>, %b: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %0 = cnn.add %a, %b : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}
