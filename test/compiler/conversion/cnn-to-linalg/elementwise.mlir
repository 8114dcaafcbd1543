// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg | FileCheck %s

// One linalg.generic per op, over the whole activation.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @unary
// CHECK: %[[X:.+]] = bufferization.to_tensor
// CHECK: %[[RELU:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<?x4x8x8xf32>) outs(%{{.+}} : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[A:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[M:.+]] = arith.maximumf %[[A]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[M]]
// CHECK: %[[TANH:.+]] = linalg.generic {{.*}} ins(%[[RELU]] : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[B:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[T:.+]] = math.tanh %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[T]]
// CHECK: %[[SIG:.+]] = linalg.generic {{.*}} ins(%[[TANH]] : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[C:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[NEG:.+]] = arith.negf %[[C]] : f32
// CHECK-NEXT: %[[EXP:.+]] = math.exp %[[NEG]] : f32
// CHECK-NEXT: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[DEN:.+]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK-NEXT: %[[ONE2:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[S:.+]] = arith.divf %[[ONE2]], %[[DEN]] : f32
// CHECK-NEXT: linalg.yield %[[S]]
// CHECK: bufferization.materialize_in_destination %[[SIG]]
module attributes {cnn.mode = "eval"} {
  func.func @unary(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
    %0 = cnn.relu %x : tensor<?x4x8x8xf32>
    %1 = cnn.tanh %0 : tensor<?x4x8x8xf32>
    %2 = cnn.sigmoid %1 : tensor<?x4x8x8xf32>
    return %2 : tensor<?x4x8x8xf32>
  }
}

// -----

// add: two inputs of one shape.
// CHECK-LABEL: func.func @add
// CHECK-DAG: %[[A:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<?x4x8x8xf32>
// CHECK-DAG: %[[B:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<?x4x8x8xf32>
// CHECK: %[[N:.+]] = tensor.dim %[[A]], %{{.+}}
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?x4x8x8xf32>
// CHECK: linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) outs(%[[EMPTY]] : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[L:.+]]: f32, %[[R:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[SUM:.+]] = arith.addf %[[L]], %[[R]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]]
module attributes {cnn.mode = "eval"} {
  func.func @add(%a: tensor<?x4x8x8xf32>, %b: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
    %0 = cnn.add %a, %b : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
    return %0 : tensor<?x4x8x8xf32>
  }
}

// -----

// A static batch on one side makes the sum's static: the other is cast.
// CHECK-LABEL: func.func @add_mixed_batch
// CHECK-DAG: %[[A:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<?x4xf32>
// CHECK-DAG: %[[B:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<2x4xf32>
// CHECK: %[[CAST:.+]] = tensor.cast %[[A]] : tensor<?x4xf32> to tensor<2x4xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x4xf32>
// CHECK: linalg.generic {{.*}} ins(%[[CAST]], %[[B]] : tensor<2x4xf32>, tensor<2x4xf32>) outs(%[[EMPTY]] : tensor<2x4xf32>)
module attributes {cnn.mode = "eval"} {
  func.func @add_mixed_batch(%a: tensor<?x4xf32>, %b: tensor<2x4xf32>) -> tensor<2x4xf32> {
    %0 = cnn.add %a, %b : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    return %0 : tensor<2x4xf32>
  }
}

// -----

// flatten: a collapse of everything but the batch, no copy.
// CHECK-LABEL: func.func @flatten
// CHECK: %[[X:.+]] = bufferization.to_tensor
// CHECK: %[[F:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2, 3]] : tensor<?x8x8x8xf32> into tensor<?x512xf32>
// CHECK: bufferization.materialize_in_destination %[[F]]
module attributes {cnn.mode = "eval"} {
  func.func @flatten(%x: tensor<?x8x8x8xf32>) -> tensor<?x512xf32> {
    %0 = cnn.flatten %x : tensor<?x8x8x8xf32> -> tensor<?x512xf32>
    return %0 : tensor<?x512xf32>
  }
}
