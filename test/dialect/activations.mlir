// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// cnn.relu, cnn.tanh, cnn.sigmoid: elementwise, any rank with a batch.
// CHECK-LABEL: func @activations
// CHECK: cnn.relu %{{.*}} : tensor<?x16x8x8xf32>
// CHECK: cnn.tanh %{{.*}} : tensor<?x16x8x8xf32>
// CHECK: cnn.sigmoid %{{.*}} : tensor<?x16x8x8xf32>
// CHECK: cnn.relu %{{.*}} : tensor<64x4xf32>
func.func @activations(%x: tensor<?x16x8x8xf32>, %y: tensor<64x4xf32>) -> (tensor<?x16x8x8xf32>, tensor<64x4xf32>) {
  %0 = cnn.relu %x : tensor<?x16x8x8xf32>
  %1 = cnn.tanh %0 : tensor<?x16x8x8xf32>
  %2 = cnn.sigmoid %1 : tensor<?x16x8x8xf32>
  %3 = cnn.relu %y : tensor<64x4xf32>
  return %2, %3 : tensor<?x16x8x8xf32>, tensor<64x4xf32>
}
