// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// The loss of a training step: cross-entropy, its gradient, the penalty,
// and the {cross-entropy, penalty} pair.

// CHECK-LABEL: func @loss
// CHECK-SAME: (%[[Z:[^:]+]]: tensor<?x10xf32>, %[[L:[^:]+]]: tensor<?xi32>, %[[W:[^:]+]]: tensor<10x32xf32>, %[[B:[^:]+]]: tensor<10xf32>, %[[L2:[^:]+]]: f32, %[[L1:[^:]+]]: f32)
// CHECK: %[[CE:.+]] = cnn.cross_entropy %[[Z]], %[[L]] : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
// CHECK: %[[DZ:.+]] = cnn.cross_entropy_grad %[[Z]], %[[L]] : tensor<?x10xf32>, tensor<?xi32>
// CHECK: %[[P:.+]] = cnn.penalty l2 %[[L2]] l1 %[[L1]] of %[[W]], %[[B]] : tensor<10x32xf32>, tensor<10xf32>
// CHECK: %[[P0:.+]] = cnn.penalty l2 %[[L2]] l1 %[[L1]]{{$}}
// CHECK: %[[LOSS:.+]] = cnn.pack_loss %[[CE]], %[[P]] : tensor<2xf32>
// CHECK: return %[[DZ]], %[[LOSS]], %[[P0]]
func.func @loss(%z: tensor<?x10xf32>, %labels: tensor<?xi32>, %w: tensor<10x32xf32>, %b: tensor<10xf32>, %l2: f32, %l1: f32) -> (tensor<?x10xf32>, tensor<2xf32>, tensor<f32>) {
  %ce = cnn.cross_entropy %z, %labels : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  %dz = cnn.cross_entropy_grad %z, %labels : tensor<?x10xf32>, tensor<?xi32>
  %p = cnn.penalty l2 %l2 l1 %l1 of %w, %b : tensor<10x32xf32>, tensor<10xf32>
  %p0 = cnn.penalty l2 %l2 l1 %l1
  %loss = cnn.pack_loss %ce, %p : tensor<2xf32>
  return %dz, %loss, %p0 : tensor<?x10xf32>, tensor<2xf32>, tensor<f32>
}
