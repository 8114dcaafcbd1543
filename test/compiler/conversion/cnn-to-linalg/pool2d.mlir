// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg | FileCheck %s

// max: from −inf, over a window given by an (unread) empty tensor.
// CHECK-LABEL: func.func @max
// CHECK-DAG: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[EMPTY:.+]] = tensor.empty(%{{.+}}) : tensor<?x16x16x16xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%[[EMPTY]] : tensor<?x16x16x16xf32>)
// CHECK: %[[WINDOW:.+]] = tensor.empty() : tensor<2x2xf32>
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.+}}, %[[WINDOW]] : tensor<?x16x32x32xf32>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<?x16x16x16xf32>)
module attributes {cnn.mode = "eval"} {
  func.func @max(%x: tensor<?x16x32x32xf32>) -> tensor<?x16x16x16xf32> {
    %0 = cnn.max_pool2d %x kernel [2, 2] stride [2, 2] : tensor<?x16x32x32xf32> -> tensor<?x16x16x16xf32>
    return %0 : tensor<?x16x16x16xf32>
  }
}

// -----

// avg: a sum from zero, then scaled in place by 1/(kh·kw) = 1/6.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @avg
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[EMPTY:.+]] = tensor.empty() : tensor<2x4x4x3xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<2x4x4x3xf32>)
// CHECK: %[[WINDOW:.+]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[SUM:.+]] = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>} ins(%{{.+}}, %[[WINDOW]] : tensor<2x4x9x5xf32>, tensor<2x3xf32>) outs(%[[INIT]] : tensor<2x4x4x3xf32>)
// CHECK: %[[AVG:.+]] = linalg.generic {indexing_maps = [#[[ID]]], {{.*}}} outs(%[[SUM]] : tensor<2x4x4x3xf32>)
// CHECK-NEXT: ^bb0(%[[S:.+]]: f32):
// CHECK-NEXT: %[[K:.+]] = arith.constant 0.166666672 : f32
// CHECK-NEXT: %[[R:.+]] = arith.mulf %[[S]], %[[K]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: bufferization.materialize_in_destination %[[AVG]]
module attributes {cnn.mode = "eval"} {
  func.func @avg(%x: tensor<2x4x9x5xf32>) -> tensor<2x4x4x3xf32> {
    %0 = cnn.avg_pool2d %x kernel [2, 3] stride [2, 1] : tensor<2x4x9x5xf32> -> tensor<2x4x4x3xf32>
    return %0 : tensor<2x4x4x3xf32>
  }
}
