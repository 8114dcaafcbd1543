// RUN: cnnc-opt %s -cse | FileCheck %s

// cnn.read reads parameter memory: reads of one parameter merge while
// nothing in between may write it; a batch_norm (whose training form updates
// its running statistics) may, so reads do not move across one.

cnn.param @w : tensor<4xf32> parameter init #cnn.constant<value = 1.0>
cnn.param @mean : tensor<4xf32> buffer init #cnn.constant<value = 0.0>
cnn.param @var : tensor<4xf32> buffer init #cnn.constant<value = 1.0>

// CHECK-LABEL: func @merge
// CHECK-COUNT-1: cnn.read @w
// CHECK-NOT: cnn.read
// CHECK: return
func.func @merge() -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = cnn.read @w : tensor<4xf32>
  %1 = cnn.read @w : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func @across_batch_norm
// CHECK: cnn.read @mean
// CHECK: cnn.batch_norm
// CHECK: cnn.batch_norm
// CHECK: cnn.read @mean
// CHECK: return
func.func @across_batch_norm(%x: tensor<?x4x2x2xf32>) -> (tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>, tensor<4xf32>) {
  %m = cnn.read @mean : tensor<4xf32>
  %v = cnn.read @var : tensor<4xf32>
  // Two uses of one (shared) batch norm on one input: both stay.
  %0 = cnn.batch_norm %x, %m, %v eps 1.0e-05 momentum 0.1 : (tensor<?x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x2x2xf32>
  %1 = cnn.batch_norm %x, %m, %v eps 1.0e-05 momentum 0.1 : (tensor<?x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x2x2xf32>
  %m2 = cnn.read @mean : tensor<4xf32>
  return %0, %1, %m2 : tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>, tensor<4xf32>
}
