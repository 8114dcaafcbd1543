// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// CHECK-LABEL: func @sgd
// CHECK-SAME: (%[[P:[^:]+]]: tensor<16x3x3x3xf32>, %[[G:[^:]+]]: tensor<16x3x3x3xf32>, %[[B:[^:]+]]: tensor<16x3x3x3xf32>, %[[LR:[^:]+]]: f32, %[[MU:[^:]+]]: f32, %[[D:[^:]+]]: f32, %[[WD:[^:]+]]: f32, %[[L2:[^:]+]]: f32, %[[L1:[^:]+]]: f32, %[[N:[^:]+]]: i32, %[[F:[^:]+]]: i32)
// CHECK: %[[P1:[^,]+]], %[[B1:[^ ]+]] = cnn.sgd_update %[[P]], %[[G]], %[[B]] lr %[[LR]] momentum %[[MU]] dampening %[[D]] weight_decay %[[WD]] l2 %[[L2]] l1 %[[L1]] nesterov %[[N]] first_step %[[F]] : tensor<16x3x3x3xf32>
// CHECK: return %[[P1]], %[[B1]]
func.func @sgd(%p: tensor<16x3x3x3xf32>, %g: tensor<16x3x3x3xf32>, %b: tensor<16x3x3x3xf32>, %lr: f32, %mu: f32, %d: f32, %wd: f32, %l2: f32, %l1: f32, %n: i32, %f: i32) -> (tensor<16x3x3x3xf32>, tensor<16x3x3x3xf32>) {
  %p1, %b1 = cnn.sgd_update %p, %g, %b lr %lr momentum %mu dampening %d weight_decay %wd l2 %l2 l1 %l1 nesterov %n first_step %f : tensor<16x3x3x3xf32>
  return %p1, %b1 : tensor<16x3x3x3xf32>, tensor<16x3x3x3xf32>
}
