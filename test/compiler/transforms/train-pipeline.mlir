// RUN: cnnc-opt %s --pass-pipeline='builtin.module(cnnc-cpu-train{stop-after=cnn-train})' | FileCheck %s
// RUN: cnnc-opt %s --pass-pipeline='builtin.module(cnnc-cpu-train{stop-after=cnn-train})' | FileCheck %s --check-prefix=FUSED

// The update is fused: one cnn.sgd_update per parameter tensor reads the
// parameter, its cross-entropy gradient and its momentum buffer; the
// penalty (l2, l1) and weight-decay hyperparameters reach nothing else but
// the penalty value. No penalty gradient, no decay term, no extra
// arithmetic exists as an op of its own.

module attributes {cnn.model = "Tiny"} {
  cnn.param @"fc1.weight" : tensor<4x8xf32> parameter init #cnn.constant<value = 0.1>
  cnn.param @"fc1.bias" : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"fc2.weight" : tensor<3x4xf32> parameter init #cnn.constant<value = 0.1>
  func.func @forward(%x: tensor<?x2x2x2xf32>) -> tensor<?x3xf32> {
    %f = cnn.flatten %x : tensor<?x2x2x2xf32> -> tensor<?x8xf32>
    %w1 = cnn.read @"fc1.weight" : tensor<4x8xf32>
    %b1 = cnn.read @"fc1.bias" : tensor<4xf32>
    %h = cnn.linear %f, %w1, %b1 : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    %t = cnn.tanh %h : tensor<?x4xf32>
    %w2 = cnn.read @"fc2.weight" : tensor<3x4xf32>
    %y = cnn.linear %t, %w2 : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
    return %y : tensor<?x3xf32>
  }
}

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: %[[LR:[^:]+]]: f32, %[[MU:[^:]+]]: f32, %[[DAMP:[^:]+]]: f32, %[[WD:[^:]+]]: f32, %[[L2:[^:]+]]: f32, %[[L1:[^:]+]]: f32, %[[NEST:[^:]+]]: i32, %[[FIRST:[^:]+]]: i32
// CHECK: %[[W1:.+]] = cnn.read @fc1.weight
// CHECK: %[[B1:.+]] = cnn.read @fc1.bias
// CHECK: %[[W2:.+]] = cnn.read @fc2.weight
// CHECK: %[[G3:.+]] = cnn.linear_weight_grad {{.+}} -> tensor<3x4xf32>
// CHECK: %[[G1:.+]] = cnn.linear_weight_grad {{.+}} -> tensor<4x8xf32>
// CHECK: %[[G2:.+]] = cnn.bias_grad {{.+}} -> tensor<4xf32>
// CHECK: %[[G:.+]]:3 = cnn.replica_sum %[[G1]], %[[G2]], %[[G3]] : tensor<4x8xf32>, tensor<4xf32>, tensor<3x4xf32>
// CHECK: cnn.penalty l2 %[[L2]] l1 %[[L1]] of %[[W1]], %[[B1]], %[[W2]] :
// CHECK: %[[BUF1:.+]] = cnn.read @momentum_buffer.fc1.weight
// CHECK-NEXT: %[[P1:[^,]+]], %[[NB1:[^ ]+]] = cnn.sgd_update %[[W1]], %[[G]]#0, %[[BUF1]] lr %[[LR]] momentum %[[MU]] dampening %[[DAMP]] weight_decay %[[WD]] l2 %[[L2]] l1 %[[L1]] nesterov %[[NEST]] first_step %[[FIRST]] : tensor<4x8xf32>
// CHECK-NEXT: %[[BUF2:.+]] = cnn.read @momentum_buffer.fc1.bias
// CHECK-NEXT: %[[P2:[^,]+]], %[[NB2:[^ ]+]] = cnn.sgd_update %[[B1]], %[[G]]#1, %[[BUF2]] lr %[[LR]] momentum %[[MU]] dampening %[[DAMP]] weight_decay %[[WD]] l2 %[[L2]] l1 %[[L1]] nesterov %[[NEST]] first_step %[[FIRST]] : tensor<4xf32>
// CHECK-NEXT: %[[BUF3:.+]] = cnn.read @momentum_buffer.fc2.weight
// CHECK-NEXT: %[[P3:[^,]+]], %[[NB3:[^ ]+]] = cnn.sgd_update %[[W2]], %[[G]]#2, %[[BUF3]] lr %[[LR]] momentum %[[MU]] dampening %[[DAMP]] weight_decay %[[WD]] l2 %[[L2]] l1 %[[L1]] nesterov %[[NEST]] first_step %[[FIRST]] : tensor<3x4xf32>
// The gradient slots get the cross-entropy gradient the update read.
// CHECK: cnn.write @grad.fc1.weight, %[[G]]#0
// CHECK-NEXT: cnn.write @fc1.weight, %[[P1]]
// CHECK-NEXT: cnn.write @momentum_buffer.fc1.weight, %[[NB1]]
// CHECK-NEXT: cnn.write @grad.fc1.bias, %[[G]]#1
// CHECK-NEXT: cnn.write @fc1.bias, %[[P2]]
// CHECK-NEXT: cnn.write @momentum_buffer.fc1.bias, %[[NB2]]
// CHECK-NEXT: cnn.write @grad.fc2.weight, %[[G]]#2
// CHECK-NEXT: cnn.write @fc2.weight, %[[P3]]
// CHECK-NEXT: cnn.write @momentum_buffer.fc2.weight, %[[NB3]]
// CHECK-NEXT: return

// FUSED-LABEL: func.func @train_step
// FUSED-SAME: %[[WD:[^:]+]]: f32, %[[L2:[^:]+]]: f32, %[[L1:[^:]+]]: f32, %{{[^:]+}}: i32
// FUSED-NOT: arith.
// FUSED-NOT: %[[WD]]
// FUSED-NOT: %[[L2]]
// FUSED-NOT: %[[L1]]
// FUSED: cnn.penalty l2 %[[L2]] l1 %[[L1]] of
// FUSED-NOT: %[[WD]]
// FUSED-NOT: %[[L2]]
// FUSED-NOT: %[[L1]]
// FUSED-COUNT-3: cnn.sgd_update {{.+}} weight_decay %[[WD]] l2 %[[L2]] l1 %[[L1]]
// FUSED-NOT: cnn.sgd_update
// FUSED-NOT: arith.
// FUSED-NOT: %[[WD]]
// FUSED-NOT: %[[L2]]
// FUSED-NOT: %[[L1]]
// FUSED: return
