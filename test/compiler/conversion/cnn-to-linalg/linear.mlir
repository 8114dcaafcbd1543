// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg | FileCheck %s

// x·Wᵀ + b: linalg.matmul reading W [O, F] transposed, accumulating onto
// the broadcast bias.
// CHECK-DAG: #[[BIAS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[BT:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @bias
// CHECK-DAG: %[[X:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<?x512xf32> to tensor<?x512xf32>
// CHECK-DAG: %[[W:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<32x512xf32> to tensor<32x512xf32>
// CHECK-DAG: %[[B:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<32xf32> to tensor<32xf32>
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}}
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?x32xf32>
// CHECK: %[[INIT:.+]] = linalg.generic {indexing_maps = [#[[BIAS]], #[[ID]]], {{.*}}} ins(%[[B]] : tensor<32xf32>) outs(%[[EMPTY]] : tensor<?x32xf32>)
// CHECK: linalg.matmul indexing_maps = [#[[A]], #[[BT]], #[[C]]] ins(%[[X]], %[[W]] : tensor<?x512xf32>, tensor<32x512xf32>) outs(%[[INIT]] : tensor<?x32xf32>) -> tensor<?x32xf32>
module attributes {cnn.mode = "eval"} {
  func.func @bias(%x: tensor<?x512xf32>, %w: tensor<32x512xf32>, %b: tensor<32xf32>) -> tensor<?x32xf32> {
    %0 = cnn.linear %x, %w, %b : (tensor<?x512xf32>, tensor<32x512xf32>, tensor<32xf32>) -> tensor<?x32xf32>
    return %0 : tensor<?x32xf32>
  }
}

// -----

// Without bias the init is zero.
// CHECK-LABEL: func.func @no_bias
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[EMPTY:.+]] = tensor.empty() : tensor<4x2xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<4x2xf32>)
// CHECK: linalg.matmul indexing_maps = [{{.+}}] ins(%{{.+}}, %{{.+}} : tensor<4x32xf32>, tensor<2x32xf32>) outs(%[[INIT]] : tensor<4x2xf32>)
module attributes {cnn.mode = "eval"} {
  func.func @no_bias(%x: tensor<4x32xf32>, %w: tensor<2x32xf32>) -> tensor<4x2xf32> {
    %0 = cnn.linear %x, %w : (tensor<4x32xf32>, tensor<2x32xf32>) -> tensor<4x2xf32>
    return %0 : tensor<4x2xf32>
  }
}
