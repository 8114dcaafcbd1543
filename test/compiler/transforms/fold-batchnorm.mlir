// RUN: cnnc-opt %s -split-input-file -cnn-fold-batchnorm | FileCheck %s

// conv (with bias) + affine batchnorm: one conv whose weight and bias are
// computed from the conv's and the batchnorm's parameters.
// CHECK-LABEL: func.func @affine
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x3x8x8xf32>, %[[W:[^:]+]]: tensor<4x3x3x3xf32>, %[[B:[^:]+]]: tensor<4xf32>, %[[M:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>, %[[G:[^:]+]]: tensor<4xf32>, %[[S:[^:]+]]: tensor<4xf32>)
// CHECK-NEXT: %[[FW:.+]] = cnn.fold_bn_weight %[[W]], %[[V]] scale %[[G]] eps 1.000000e-05
// CHECK-NEXT: %[[FB:.+]] = cnn.fold_bn_bias %[[M]], %[[V]] bias %[[B]] scale %[[G]] shift %[[S]] eps 1.000000e-05
// CHECK-NEXT: %[[Y:.+]] = cnn.conv2d %[[X]], %[[FW]], %[[FB]] stride [2, 1] padding [1, 0]
// CHECK-NEXT: return %[[Y]]
func.func @affine(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %g: tensor<4xf32>, %s: tensor<4xf32>) -> tensor<?x4x4x6xf32> {
  %0 = cnn.conv2d %x, %w, %b stride [2, 1] padding [1, 0] : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x4x6xf32>
  %1 = cnn.batch_norm_eval %0, %m, %v scale %g shift %s eps 1.0e-05 : (tensor<?x4x4x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x4x6xf32>
  return %1 : tensor<?x4x4x6xf32>
}

// -----

// A conv without bias (NetResDeep's) and a batchnorm without affine
// parameters: the folded conv gets a bias, from the statistics alone.
// CHECK-LABEL: func.func @bare
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4x4x4xf32>, %[[W:[^:]+]]: tensor<4x4x3x3xf32>, %[[M:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>)
// CHECK-NEXT: %[[FW:.+]] = cnn.fold_bn_weight %[[W]], %[[V]] eps 1.000000e-03 :
// CHECK-NEXT: %[[FB:.+]] = cnn.fold_bn_bias %[[M]], %[[V]] eps 1.000000e-03 :
// CHECK-NEXT: %[[Y:.+]] = cnn.conv2d %[[X]], %[[FW]], %[[FB]] stride [1, 1] padding [1, 1]
// CHECK-NEXT: %[[R:.+]] = cnn.relu %[[Y]]
func.func @bare(%x: tensor<?x4x4x4xf32>, %w: tensor<4x4x3x3xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x4x4x4xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x4x4xf32>
  %1 = cnn.batch_norm_eval %0, %m, %v eps 1.0e-03 : (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  %2 = cnn.relu %1 : tensor<?x4x4x4xf32>
  return %2 : tensor<?x4x4x4xf32>
}

// -----

// The conv's output is needed unnormalised too: nothing to fold.
// CHECK-LABEL: func.func @conv_has_other_uses
// CHECK-NOT: cnn.fold_bn
// CHECK: %[[C:.+]] = cnn.conv2d
// CHECK: %[[N:.+]] = cnn.batch_norm_eval %[[C]]
// CHECK: cnn.add %[[N]], %[[C]]
func.func @conv_has_other_uses(%x: tensor<?x4x4x4xf32>, %w: tensor<4x4x3x3xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x4x4x4xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x4x4xf32>
  %1 = cnn.batch_norm_eval %0, %m, %v eps 1.0e-05 : (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  %2 = cnn.add %1, %0 : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  return %2 : tensor<?x4x4x4xf32>
}

// -----

// Only a conv folds: a batchnorm after an add stays.
// CHECK-LABEL: func.func @not_after_conv
// CHECK-NOT: cnn.fold_bn
// CHECK: cnn.batch_norm_eval
func.func @not_after_conv(%x: tensor<?x4x4x4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = cnn.add %x, %x : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %1 = cnn.batch_norm_eval %0, %m, %v eps 1.0e-05 : (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  return %1 : tensor<?x4x4x4xf32>
}

// -----

// The mode-agnostic batchnorm is not folded: specialise for eval first.
// CHECK-LABEL: func.func @not_specialised
// CHECK-NOT: cnn.fold_bn
// CHECK: cnn.batch_norm %
func.func @not_specialised(%x: tensor<?x4x4x4xf32>, %w: tensor<4x4x3x3xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x4x4x4xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x4x4xf32>
  %1 = cnn.batch_norm %0, %m, %v eps 1.0e-05 momentum 0.1 : (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  return %1 : tensor<?x4x4x4xf32>
}
