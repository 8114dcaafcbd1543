// RUN: cnnc-opt %s -split-input-file -cnn-specialize-eval | FileCheck %s
// RUN: cnnc-opt %s -split-input-file -cnn-specialize-eval -cnn-specialize-eval | FileCheck %s
// RUN: cnnc-opt %s -split-input-file -cnn-specialize-eval | cnnc-opt -split-input-file | FileCheck %s

// Dropout is the identity in eval mode; the module records the mode.
// CHECK: module attributes {cnn.mode = "eval"}
// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:.+]]: tensor<?x16x8x8xf32>)
// CHECK-NOT: cnn.dropout
// CHECK: %[[R:.+]] = cnn.relu %[[X]]
// CHECK-NOT: cnn.dropout
// CHECK: %[[F:.+]] = cnn.flatten %[[R]]
// CHECK: return %[[F]]
func.func @dropout(%x: tensor<?x16x8x8xf32>) -> tensor<?x1024xf32> {
  %0 = cnn.dropout2d %x p 0.4 site 0 : tensor<?x16x8x8xf32>
  %1 = cnn.relu %0 : tensor<?x16x8x8xf32>
  %2 = cnn.flatten %1 : tensor<?x16x8x8xf32> -> tensor<?x1024xf32>
  %3 = cnn.dropout %2 p 0.5 site 1 : tensor<?x1024xf32>
  return %3 : tensor<?x1024xf32>
}

// -----

// Batchnorm uses the running statistics: the eval op, without momentum,
// with the same operands, with and without affine parameters.
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4x8x8xf32>, %[[M:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>, %[[G:[^:]+]]: tensor<4xf32>, %[[B:[^:]+]]: tensor<4xf32>)
// CHECK: %[[N1:.+]] = cnn.batch_norm_eval %[[X]], %[[M]], %[[V]] scale %[[G]] shift %[[B]] eps 1.000000e-05 :
// CHECK: %[[N2:.+]] = cnn.batch_norm_eval %[[N1]], %[[M]], %[[V]] eps 1.000000e-03 :
// CHECK-NOT: cnn.batch_norm
// CHECK: return %[[N2]]
func.func @batch_norm(%x: tensor<?x4x8x8xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<?x4x8x8xf32> {
  %0 = cnn.batch_norm %x, %m, %v scale %g shift %b eps 1.0e-05 momentum 0.1 : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %1 = cnn.batch_norm %0, %m, %v eps 1.0e-03 momentum 0.0 : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return %1 : tensor<?x4x8x8xf32>
}

// -----

// Other module attributes stay.
// CHECK: module attributes {cnn.mode = "eval", cnn.model = "Net"}
module attributes {cnn.model = "Net"} {
}
