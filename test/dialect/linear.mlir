// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// CHECK-LABEL: func @linear
// CHECK: cnn.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x512xf32>, tensor<32x512xf32>, tensor<32xf32>) -> tensor<?x32xf32>
// CHECK: cnn.linear %{{.*}}, %{{.*}} : (tensor<?x32xf32>, tensor<2x32xf32>) -> tensor<?x2xf32>
func.func @linear(%x: tensor<?x512xf32>, %w1: tensor<32x512xf32>, %b1: tensor<32xf32>, %w2: tensor<2x32xf32>) -> tensor<?x2xf32> {
  %0 = cnn.linear %x, %w1, %b1 : (tensor<?x512xf32>, tensor<32x512xf32>, tensor<32xf32>) -> tensor<?x32xf32>
  %1 = cnn.linear %0, %w2 : (tensor<?x32xf32>, tensor<2x32xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// CHECK-LABEL: func @static_batch
// CHECK: cnn.linear %{{.*}}, %{{.*}} : (tensor<64x10xf32>, tensor<3x10xf32>) -> tensor<64x3xf32>
func.func @static_batch(%x: tensor<64x10xf32>, %w: tensor<3x10xf32>) -> tensor<64x3xf32> {
  %0 = cnn.linear %x, %w : (tensor<64x10xf32>, tensor<3x10xf32>) -> tensor<64x3xf32>
  return %0 : tensor<64x3xf32>
}
