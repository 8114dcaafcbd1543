// RUN: cnnc-opt %s -cnn-lower-entry-abi -convert-cnn-to-linalg | FileCheck %s

// One exchange for all the tensors: each is copied to its place in one
// contiguous buffer (row-major, one after the other), the runtime sums the
// buffer over the replicas in place, and the results are read back. The
// copy reads the tensor's own buffer (read-only), never computes it in the
// exchange's buffer: the step may read the tensor again after the sum.
// The runtime's functions, declared once each however many exchanges
// (f64 for the batch statistics).
// CHECK: func.func private @cnnrt_replica_sum_f64(memref<?xf64>)
// CHECK-NEXT: func.func private @cnnrt_replica_sum_f32(memref<?xf32>)
// CHECK-NOT: func.func private
// CHECK-LABEL: func.func @gradients
// CHECK-DAG: %[[W:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<2x3xf32>
// CHECK-DAG: %[[B:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<2xf32>
// CHECK: %[[BUF:.+]] = memref.alloc() {alignment = 64 : i64} : memref<8xf32>
// CHECK-NEXT: %[[VW:.+]] = memref.reinterpret_cast %[[BUF]] to offset: [0], sizes: [2, 3], strides: [3, 1]
// CHECK-NEXT: %[[MW:.+]] = bufferization.to_buffer %[[W]] read_only : tensor<2x3xf32> to memref<2x3xf32, strided<[?, ?], offset: ?>>
// CHECK-NEXT: memref.copy %[[MW]], %[[VW]]
// CHECK-NEXT: %[[VB:.+]] = memref.reinterpret_cast %[[BUF]] to offset: [6], sizes: [2], strides: [1]
// CHECK-NEXT: %[[MB:.+]] = bufferization.to_buffer %[[B]] read_only
// CHECK-NEXT: memref.copy %[[MB]], %[[VB]]
// CHECK-NEXT: %[[ALL:.+]] = memref.cast %[[BUF]] : memref<8xf32> to memref<?xf32>
// CHECK-NEXT: call @cnnrt_replica_sum_f32(%[[ALL]]) : (memref<?xf32>) -> ()
// CHECK-NEXT: %[[SW:.+]] = bufferization.to_tensor %[[VW]] restrict
// CHECK-NEXT: %[[SB:.+]] = bufferization.to_tensor %[[VB]] restrict
// CHECK: bufferization.materialize_in_destination %[[SW]]
// CHECK: bufferization.materialize_in_destination %[[SB]]
module attributes {cnn.mode = "train"} {
  func.func @gradients(%w: tensor<2x3xf32>, %b: tensor<2xf32>) -> (tensor<2x3xf32>, tensor<2xf32>) {
    %s:2 = cnn.replica_sum %w, %b : tensor<2x3xf32>, tensor<2xf32>
    return %s#0, %s#1 : tensor<2x3xf32>, tensor<2xf32>
  }

  // Two exchanges: one call each.
  // CHECK-LABEL: func.func @statistics
  // CHECK: memref.alloc() {alignment = 64 : i64} : memref<5xf64>
  // CHECK: memref.reinterpret_cast %{{.+}} to offset: [4], sizes: [], strides: []
  // CHECK: call @cnnrt_replica_sum_f64
  // CHECK: call @cnnrt_replica_sum_f64
  func.func @statistics(%sum: tensor<4xf64>, %count: tensor<f64>) -> tensor<f64> {
    %s:2 = cnn.replica_sum %sum, %count : tensor<4xf64>, tensor<f64>
    %t = cnn.replica_sum %s#1 : tensor<f64>
    return %t : tensor<f64>
  }
}
