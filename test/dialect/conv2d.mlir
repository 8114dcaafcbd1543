// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// CHECK-LABEL: func @conv_bias
// CHECK: cnn.conv2d %{{.*}}, %{{.*}}, %{{.*}} stride [1, 1] padding [1, 1] : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<?x16x32x32xf32>
func.func @conv_bias(%x: tensor<?x3x32x32xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>) -> tensor<?x16x32x32xf32> {
  %0 = cnn.conv2d %x, %w, %b stride [1, 1] padding [1, 1] : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<?x16x32x32xf32>
  return %0 : tensor<?x16x32x32xf32>
}

// No bias (the lecture's ResBlock); stride 2 and no padding floor 7 -> 3.
// CHECK-LABEL: func @conv_no_bias
// CHECK: cnn.conv2d %{{.*}}, %{{.*}} stride [2, 2] padding [0, 0] : (tensor<?x8x7x7xf32>, tensor<8x8x3x3xf32>) -> tensor<?x8x3x3xf32>
func.func @conv_no_bias(%x: tensor<?x8x7x7xf32>, %w: tensor<8x8x3x3xf32>) -> tensor<?x8x3x3xf32> {
  %0 = cnn.conv2d %x, %w stride [2, 2] padding [0, 0] : (tensor<?x8x7x7xf32>, tensor<8x8x3x3xf32>) -> tensor<?x8x3x3xf32>
  return %0 : tensor<?x8x3x3xf32>
}

// A static batch is kept; rectangular kernels and strides are allowed.
// CHECK-LABEL: func @conv_static_batch
// CHECK: cnn.conv2d %{{.*}}, %{{.*}} stride [1, 2] padding [0, 1] : (tensor<64x1x28x28xf32>, tensor<4x1x5x3xf32>) -> tensor<64x4x24x14xf32>
func.func @conv_static_batch(%x: tensor<64x1x28x28xf32>, %w: tensor<4x1x5x3xf32>) -> tensor<64x4x24x14xf32> {
  %0 = cnn.conv2d %x, %w stride [1, 2] padding [0, 1] : (tensor<64x1x28x28xf32>, tensor<4x1x5x3xf32>) -> tensor<64x4x24x14xf32>
  return %0 : tensor<64x4x24x14xf32>
}
