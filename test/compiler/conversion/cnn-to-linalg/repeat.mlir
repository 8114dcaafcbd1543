// RUN: cnnc-opt %s -cnn-lower-entry-abi -convert-cnn-to-linalg | FileCheck %s

// cnn.repeat is an scf.for carrying the activation. A shared tensor is one
// view made at the entry; a stack's slice is a view made in the body, at the
// stack's offset (64: after @first) plus the index times the slice stride
// (16 floats = 64 bytes).

// CHECK-LABEL: func.func @forward
// CHECK-SAME:    (%[[ARENA:.+]]: memref<?xi8>
// CHECK:         %[[SHARED:.+]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<?xi8> to memref<4xf32>
// CHECK:         %[[Y:.+]] = scf.for %[[K:.+]] = %c0{{.*}} to %c3{{.*}} step %c1{{.*}} iter_args(%[[IN:.+]] = %{{.+}}) -> (tensor<?x4x2x2xf32>) {
// CHECK:           %[[STRIDE:.+]] = arith.constant 64 : index
// CHECK:           %[[SCALED:.+]] = arith.muli %[[K]], %[[STRIDE]] : index
// CHECK:           %[[BASE:.+]] = arith.constant 64 : index
// CHECK:           %[[SHIFT:.+]] = arith.addi %[[BASE]], %[[SCALED]] : index
// CHECK:           %[[SLICE:.+]] = memref.view %[[ARENA]][%[[SHIFT]]][] : memref<?xi8> to memref<4x2x2xf32>
// CHECK:           bufferization.to_tensor %[[SLICE]] restrict
// CHECK:           linalg.generic
// CHECK:           scf.yield %{{.+}} : tensor<?x4x2x2xf32>
// CHECK:         }
// CHECK:         bufferization.materialize_in_destination %[[Y]]
module attributes {cnn.mode = "eval"} {
  cnn.param @first : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"b.*.w" : tensor<3x4x2x2xf32> parameter init #cnn.constant<value = 0.0>
      slices ["b.0.w", "b.1.w", "b.2.w"]
  func.func @forward(%x: tensor<?x4x2x2xf32>) -> tensor<?x4x2x2xf32> {
    %y = cnn.repeat %x count 3 : (tensor<?x4x2x2xf32>) -> tensor<?x4x2x2xf32> {
    ^bb0(%k: index, %in: tensor<?x4x2x2xf32>):
      %w = cnn.read @"b.*.w"[%k] : tensor<4x2x2xf32>
      %s = cnn.read @first : tensor<4xf32>
      %a = cnn.add %in, %in : (tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>) -> tensor<?x4x2x2xf32>
      cnn.yield %a : tensor<?x4x2x2xf32>
    }
    return %y : tensor<?x4x2x2xf32>
  }
}
