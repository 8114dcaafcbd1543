// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// CHECK-LABEL: func @pools
// CHECK: cnn.max_pool2d %{{.*}} kernel [2, 2] stride [2, 2] : tensor<?x16x32x32xf32> -> tensor<?x16x16x16xf32>
// CHECK: cnn.avg_pool2d %{{.*}} kernel [2, 2] stride [2, 2] : tensor<?x16x16x16xf32> -> tensor<?x16x8x8xf32>
func.func @pools(%x: tensor<?x16x32x32xf32>) -> tensor<?x16x8x8xf32> {
  %0 = cnn.max_pool2d %x kernel [2, 2] stride [2, 2] : tensor<?x16x32x32xf32> -> tensor<?x16x16x16xf32>
  %1 = cnn.avg_pool2d %0 kernel [2, 2] stride [2, 2] : tensor<?x16x16x16xf32> -> tensor<?x16x8x8xf32>
  return %1 : tensor<?x16x8x8xf32>
}

// Floor mode: 7 -> 3 with kernel 2 stride 2; 7 -> 5 with kernel 3 stride 1.
// CHECK-LABEL: func @floor
// CHECK: cnn.max_pool2d %{{.*}} kernel [2, 3] stride [2, 1] : tensor<4x8x7x7xf32> -> tensor<4x8x3x5xf32>
func.func @floor(%x: tensor<4x8x7x7xf32>) -> tensor<4x8x3x5xf32> {
  %0 = cnn.max_pool2d %x kernel [2, 3] stride [2, 1] : tensor<4x8x7x7xf32> -> tensor<4x8x3x5xf32>
  return %0 : tensor<4x8x3x5xf32>
}
