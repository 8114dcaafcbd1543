// RUN: cnnc-opt %s -split-input-file -canonicalize | FileCheck %s

// Gradients after a max pooling's. An activation's: taken on the pooled
// values (the forward's own pooling), before the pooling's gradient, which
// scatters it to each window's first maximum, where y is that maximum.
// CHECK-LABEL: func.func @tanh_after_pool
// CHECK-SAME: (%[[Y:.+]]: tensor<?x4x8x8xf32>, %[[G:.+]]: tensor<?x4x4x4xf32>)
// CHECK: %[[P:.+]] = cnn.max_pool2d %[[Y]] kernel [2, 2] stride [2, 2]
// CHECK-NOT: cnn.max_pool2d %
// CHECK: %[[PG:.+]] = cnn.tanh_grad %[[P]], %[[G]] : tensor<?x4x4x4xf32>
// CHECK: %[[DX:.+]] = cnn.max_pool2d_grad %[[Y]], %[[PG]] kernel [2, 2] stride [2, 2]
// CHECK-NOT: cnn.tanh_grad
// CHECK: return %[[P]], %[[DX]]
func.func @tanh_after_pool(%y: tensor<?x4x8x8xf32>, %g: tensor<?x4x4x4xf32>) -> (tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>) {
  %p = cnn.max_pool2d %y kernel [2, 2] stride [2, 2] : tensor<?x4x8x8xf32> -> tensor<?x4x4x4xf32>
  %s = cnn.max_pool2d_grad %y, %g kernel [2, 2] stride [2, 2] : tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>
  %dx = cnn.tanh_grad %y, %s : tensor<?x4x8x8xf32>
  return %p, %dx : tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>
}

// -----

// With no pooling of y in sight (or one with other windows), one is made.
// CHECK-LABEL: func.func @relu_pool_made
// CHECK-SAME: (%[[Y:.+]]: tensor<?x4x9x9xf32>, %[[G:.+]]: tensor<?x4x3x3xf32>)
// CHECK: cnn.max_pool2d %[[Y]] kernel [2, 2] stride [2, 2]
// CHECK: %[[P:.+]] = cnn.max_pool2d %[[Y]] kernel [3, 3] stride [3, 3]
// CHECK: %[[PG:.+]] = cnn.relu_grad %[[P]], %[[G]] : tensor<?x4x3x3xf32>
// CHECK: cnn.max_pool2d_grad %[[Y]], %[[PG]] kernel [3, 3] stride [3, 3]
func.func @relu_pool_made(%y: tensor<?x4x9x9xf32>, %g: tensor<?x4x3x3xf32>) -> (tensor<?x4x4x4xf32>, tensor<?x4x9x9xf32>) {
  %other = cnn.max_pool2d %y kernel [2, 2] stride [2, 2] : tensor<?x4x9x9xf32> -> tensor<?x4x4x4xf32>
  %s = cnn.max_pool2d_grad %y, %g kernel [3, 3] stride [3, 3] : tensor<?x4x9x9xf32>, tensor<?x4x3x3xf32>
  %dx = cnn.relu_grad %y, %s : tensor<?x4x9x9xf32>
  return %other, %dx : tensor<?x4x4x4xf32>, tensor<?x4x9x9xf32>
}

// -----

// Left alone: the pooling's gradient read elsewhere too (it would be
// computed twice), or of another tensor than the activation's output.
// CHECK-LABEL: func.func @kept
// CHECK: %[[S:.+]] = cnn.max_pool2d_grad %arg0, %arg2
// CHECK: cnn.sigmoid_grad %arg0, %[[S]]
// CHECK: %[[T:.+]] = cnn.max_pool2d_grad %arg1, %arg2
// CHECK: cnn.tanh_grad %arg0, %[[T]]
// CHECK-NOT: cnn.max_pool2d %
func.func @kept(%y: tensor<?x4x8x8xf32>, %z: tensor<?x4x8x8xf32>, %g: tensor<?x4x4x4xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) {
  %s = cnn.max_pool2d_grad %y, %g kernel [2, 2] stride [2, 2] : tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>
  %a = cnn.sigmoid_grad %y, %s : tensor<?x4x8x8xf32>
  %t = cnn.max_pool2d_grad %z, %g kernel [2, 2] stride [2, 2] : tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>
  %b = cnn.tanh_grad %y, %t : tensor<?x4x8x8xf32>
  return %a, %b, %s : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}

// -----

// A conv's bias gradient of a max pooling's gradient: the sum of the
// pooled gradient (each window's value lands at one position).
// CHECK-LABEL: func.func @bias_of_pool_grad
// CHECK-SAME: (%[[Y:.+]]: tensor<?x4x8x8xf32>, %[[G:.+]]: tensor<?x4x4x4xf32>)
// CHECK: %[[S:.+]] = cnn.max_pool2d_grad %[[Y]], %[[G]]
// CHECK: %[[DB:.+]] = cnn.bias_grad %[[G]] : tensor<?x4x4x4xf32> -> tensor<4xf32>
// CHECK: return %[[S]], %[[DB]]
func.func @bias_of_pool_grad(%y: tensor<?x4x8x8xf32>, %g: tensor<?x4x4x4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>) {
  %s = cnn.max_pool2d_grad %y, %g kernel [2, 2] stride [2, 2] : tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>
  %db = cnn.bias_grad %s : tensor<?x4x8x8xf32> -> tensor<4xf32>
  return %s, %db : tensor<?x4x8x8xf32>, tensor<4xf32>
}

// -----

// A conv's bias gradient before a train-mode batch norm: 0, the sum of the
// batch norm's input gradient (its x̂ sums to 0 over the batch). A bias
// gradient of another tensor is left alone.
// CHECK-LABEL: func.func @bias_before_batch_norm
// CHECK-DAG: %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK-DAG: %[[DX:.+]], %[[DG:.+]], %[[DB:.+]] = cnn.batch_norm_train_grad
// CHECK: %[[OTHER:.+]] = cnn.bias_grad %arg1
// CHECK-NOT: cnn.bias_grad
// CHECK: return %[[DX]], %[[ZERO]], %[[OTHER]]
func.func @bias_before_batch_norm(%x: tensor<?x4x8x8xf32>, %dy: tensor<?x4x8x8xf32>, %mean: tensor<4xf32>, %invstd: tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) {
  %dx, %dg, %db = cnn.batch_norm_train_grad %x, %dy, %mean, %invstd : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
  %bias = cnn.bias_grad %dx : tensor<?x4x8x8xf32> -> tensor<4xf32>
  %other = cnn.bias_grad %dy : tensor<?x4x8x8xf32> -> tensor<4xf32>
  return %dx, %bias, %other : tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>
}
