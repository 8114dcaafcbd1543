// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// The gradient ops of the forward ops, with the shapes the autodiff pass
// gives them.

// CHECK-LABEL: func @conv2d
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x3x33x33xf32>, %[[W:[^:]+]]: tensor<16x3x3x3xf32>, %[[DY:[^:]+]]: tensor<?x16x17x17xf32>)
// CHECK: cnn.conv2d_input_grad %[[DY]], %[[W]] stride [2, 2] padding [1, 1] : (tensor<?x16x17x17xf32>, tensor<16x3x3x3xf32>) -> tensor<?x3x33x33xf32>
// CHECK: cnn.conv2d_weight_grad %[[X]], %[[DY]] stride [2, 2] padding [1, 1] : (tensor<?x3x33x33xf32>, tensor<?x16x17x17xf32>) -> tensor<16x3x3x3xf32>
// CHECK: cnn.bias_grad %[[DY]] : tensor<?x16x17x17xf32> -> tensor<16xf32>
func.func @conv2d(%x: tensor<?x3x33x33xf32>, %w: tensor<16x3x3x3xf32>, %dy: tensor<?x16x17x17xf32>) -> (tensor<?x3x33x33xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) {
  %dx = cnn.conv2d_input_grad %dy, %w stride [2, 2] padding [1, 1] : (tensor<?x16x17x17xf32>, tensor<16x3x3x3xf32>) -> tensor<?x3x33x33xf32>
  %dw = cnn.conv2d_weight_grad %x, %dy stride [2, 2] padding [1, 1] : (tensor<?x3x33x33xf32>, tensor<?x16x17x17xf32>) -> tensor<16x3x3x3xf32>
  %db = cnn.bias_grad %dy : tensor<?x16x17x17xf32> -> tensor<16xf32>
  return %dx, %dw, %db : tensor<?x3x33x33xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>
}

// CHECK-LABEL: func @linear
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x512xf32>, %[[W:[^:]+]]: tensor<32x512xf32>, %[[DY:[^:]+]]: tensor<?x32xf32>)
// CHECK: cnn.linear_input_grad %[[DY]], %[[W]] : (tensor<?x32xf32>, tensor<32x512xf32>) -> tensor<?x512xf32>
// CHECK: cnn.linear_weight_grad %[[X]], %[[DY]] : (tensor<?x512xf32>, tensor<?x32xf32>) -> tensor<32x512xf32>
// CHECK: cnn.bias_grad %[[DY]] : tensor<?x32xf32> -> tensor<32xf32>
func.func @linear(%x: tensor<?x512xf32>, %w: tensor<32x512xf32>, %dy: tensor<?x32xf32>) -> (tensor<?x512xf32>, tensor<32x512xf32>, tensor<32xf32>) {
  %dx = cnn.linear_input_grad %dy, %w : (tensor<?x32xf32>, tensor<32x512xf32>) -> tensor<?x512xf32>
  %dw = cnn.linear_weight_grad %x, %dy : (tensor<?x512xf32>, tensor<?x32xf32>) -> tensor<32x512xf32>
  %db = cnn.bias_grad %dy : tensor<?x32xf32> -> tensor<32xf32>
  return %dx, %dw, %db : tensor<?x512xf32>, tensor<32x512xf32>, tensor<32xf32>
}

// Odd sizes: the floor leaves the last row and column out.
// CHECK-LABEL: func @pool
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4x7x7xf32>, %[[DY:[^:]+]]: tensor<?x4x3x3xf32>)
// CHECK: cnn.max_pool2d_grad %[[X]], %[[DY]] kernel [2, 2] stride [2, 2] : tensor<?x4x7x7xf32>, tensor<?x4x3x3xf32>
// CHECK: cnn.avg_pool2d_grad %[[DY]] kernel [2, 2] stride [2, 2] : tensor<?x4x3x3xf32> -> tensor<?x4x7x7xf32>
func.func @pool(%x: tensor<?x4x7x7xf32>, %dy: tensor<?x4x3x3xf32>) -> (tensor<?x4x7x7xf32>, tensor<?x4x7x7xf32>) {
  %a = cnn.max_pool2d_grad %x, %dy kernel [2, 2] stride [2, 2] : tensor<?x4x7x7xf32>, tensor<?x4x3x3xf32>
  %b = cnn.avg_pool2d_grad %dy kernel [2, 2] stride [2, 2] : tensor<?x4x3x3xf32> -> tensor<?x4x7x7xf32>
  return %a, %b : tensor<?x4x7x7xf32>, tensor<?x4x7x7xf32>
}

// CHECK-LABEL: func @activations
// CHECK-SAME: (%[[Y:[^:]+]]: tensor<?x32xf32>, %[[DY:[^:]+]]: tensor<?x32xf32>)
// CHECK: cnn.relu_grad %[[Y]], %[[DY]] : tensor<?x32xf32>
// CHECK: cnn.tanh_grad %[[Y]], %[[DY]] : tensor<?x32xf32>
// CHECK: cnn.sigmoid_grad %[[Y]], %[[DY]] : tensor<?x32xf32>
func.func @activations(%y: tensor<?x32xf32>, %dy: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>) {
  %a = cnn.relu_grad %y, %dy : tensor<?x32xf32>
  %b = cnn.tanh_grad %y, %dy : tensor<?x32xf32>
  %c = cnn.sigmoid_grad %y, %dy : tensor<?x32xf32>
  return %a, %b, %c : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>
}

// CHECK-LABEL: func @batch_norm
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4x8x8xf32>, %[[DY:[^:]+]]: tensor<?x4x8x8xf32>, %[[M:[^:]+]]: tensor<4xf32>, %[[S:[^:]+]]: tensor<4xf32>, %[[G:[^:]+]]: tensor<4xf32>)
// CHECK: cnn.batch_norm_train_grad %[[X]], %[[DY]], %[[M]], %[[S]] scale %[[G]] : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: cnn.batch_norm_train_grad %[[X]], %[[DY]], %[[M]], %[[S]] : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
func.func @batch_norm(%x: tensor<?x4x8x8xf32>, %dy: tensor<?x4x8x8xf32>, %m: tensor<4xf32>, %s: tensor<4xf32>, %g: tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<?x4x8x8xf32>) {
  %dx, %dg, %db = cnn.batch_norm_train_grad %x, %dy, %m, %s scale %g : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
  %dx2:3 = cnn.batch_norm_train_grad %x, %dy, %m, %s : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
  return %dx, %dg, %db, %dx2#0 : tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<?x4x8x8xf32>
}

// CHECK-LABEL: func @batch_norm_apply
// CHECK: cnn.batch_norm_apply %{{.+}}, %{{.+}}, %{{.+}} scale %{{.+}} shift %{{.+}} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
// CHECK: cnn.batch_norm_apply %{{.+}}, %{{.+}}, %{{.+}} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
func.func @batch_norm_apply(%x: tensor<?x4x8x8xf32>, %m: tensor<4xf32>, %s: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) {
  %z = cnn.batch_norm_apply %x, %m, %s scale %g shift %b : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %z2 = cnn.batch_norm_apply %x, %m, %s : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return %z, %z2 : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}

// CHECK-LABEL: func @unflatten
// CHECK: cnn.unflatten %{{.+}} : tensor<?x512xf32> -> tensor<?x8x8x8xf32>
func.func @unflatten(%x: tensor<?x512xf32>) -> tensor<?x8x8x8xf32> {
  %y = cnn.unflatten %x : tensor<?x512xf32> -> tensor<?x8x8x8xf32>
  return %y : tensor<?x8x8x8xf32>
}
