// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// The gradients of a step, summed in one exchange: each result has its
// operand's type.
// CHECK-LABEL: func @gradients
// CHECK-SAME: (%[[W:[^:]+]]: tensor<16x3x3x3xf32>, %[[B:[^:]+]]: tensor<16xf32>)
// CHECK: %[[S:.+]]:2 = cnn.replica_sum %[[W]], %[[B]] : tensor<16x3x3x3xf32>, tensor<16xf32>
// CHECK: return %[[S]]#0, %[[S]]#1
func.func @gradients(%w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>) -> (tensor<16x3x3x3xf32>, tensor<16xf32>) {
  %s:2 = cnn.replica_sum %w, %b : tensor<16x3x3x3xf32>, tensor<16xf32>
  return %s#0, %s#1 : tensor<16x3x3x3xf32>, tensor<16xf32>
}

// f64 sums and a scalar count, as the batch statistics exchange them.
// CHECK-LABEL: func @statistics
// CHECK: cnn.replica_sum %{{.+}}, %{{.+}} : tensor<16xf64>, tensor<f64>
func.func @statistics(%sum: tensor<16xf64>, %count: tensor<f64>) -> tensor<f64> {
  %s:2 = cnn.replica_sum %sum, %count : tensor<16xf64>, tensor<f64>
  return %s#1 : tensor<f64>
}

// Not Pure: an unused exchange stays (every replica must meet it).
// CHECK-LABEL: func @unused
// CHECK: cnn.replica_sum
func.func @unused(%g: tensor<4xf32>) {
  %s = cnn.replica_sum %g : tensor<4xf32>
  return
}
