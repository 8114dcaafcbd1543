// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg | FileCheck %s

// Padding and bias: tensor.pad with zeros, the bias broadcast into the
// conv's init, which the conv accumulates onto.
// CHECK-DAG: #[[CHAN:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @padding_bias
// CHECK-SAME: (%{{.+}}: memref<?xi8>, %[[XB:.+]]: memref<?x3x8x8xf32>, %[[WB:.+]]: memref<8x3x3x3xf32>, %[[BB:.+]]: memref<8xf32>, %[[OUT:.+]]: memref<?x8x8x8xf32>)
// CHECK-DAG: %[[X:.+]] = bufferization.to_tensor %[[XB]] restrict
// CHECK-DAG: %[[W:.+]] = bufferization.to_tensor %[[WB]] restrict
// CHECK-DAG: %[[B:.+]] = bufferization.to_tensor %[[BB]] restrict
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PAD:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZERO]]
// CHECK: } : tensor<?x3x8x8xf32> to tensor<?x3x10x10xf32>
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3x8x8xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?x8x8x8xf32>
// CHECK: %[[INIT:.+]] = linalg.generic {indexing_maps = [#[[CHAN]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[B]] : tensor<8xf32>) outs(%[[EMPTY]] : tensor<?x8x8x8xf32>)
// CHECK: linalg.yield
// CHECK: %[[Y:.+]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[PAD]], %[[W]] : tensor<?x3x10x10xf32>, tensor<8x3x3x3xf32>) outs(%[[INIT]] : tensor<?x8x8x8xf32>)
// CHECK: bufferization.materialize_in_destination %[[Y]] in restrict writable %[[OUT]]
// CHECK-NEXT: return
module attributes {cnn.mode = "eval"} {
  func.func @padding_bias(%x: tensor<?x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x8x8xf32> {
    %0 = cnn.conv2d %x, %w, %b stride [1, 1] padding [1, 1] : (tensor<?x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x8x8x8xf32>
    return %0 : tensor<?x8x8x8xf32>
  }
}

// -----

// No padding, no bias, asymmetric stride, static batch: no pad, a zero
// init, the strides on the linalg op.
// CHECK-LABEL: func.func @strided
// CHECK-NOT: tensor.pad
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[EMPTY:.+]] = tensor.empty() : tensor<2x4x3x6xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<2x4x3x6xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>} ins(%{{.+}}, %{{.+}} : tensor<2x3x7x8xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<2x4x3x6xf32>)
module attributes {cnn.mode = "eval"} {
  func.func @strided(%x: tensor<2x3x7x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x4x3x6xf32> {
    %0 = cnn.conv2d %x, %w stride [2, 1] padding [0, 0] : (tensor<2x3x7x8xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x3x6xf32>
    return %0 : tensor<2x4x3x6xf32>
  }
}

// -----

// 32 output channels: still a linalg conv in NCHW, whatever the vector
// width (the layout is the target's choice: compiler/codegen/cpu).
// CHECK-LABEL: func.func @channel_lane
// CHECK-NOT: linalg.transpose
// CHECK: %[[INIT:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<32xf32>) outs(%{{.+}} : tensor<?x32x4x8xf32>)
// CHECK: %[[Y:.+]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>} ins(%{{.+}}, %{{.+}} : tensor<?x3x10x10xf32>, tensor<32x3x3x3xf32>) outs(%[[INIT]] : tensor<?x32x4x8xf32>)
// CHECK: bufferization.materialize_in_destination %[[Y]]
module attributes {cnn.mode = "eval"} {
  func.func @channel_lane(%x: tensor<?x3x8x8xf32>, %w: tensor<32x3x3x3xf32>, %b: tensor<32xf32>) -> tensor<?x32x4x8xf32> {
    %0 = cnn.conv2d %x, %w, %b stride [2, 1] padding [1, 1] : (tensor<?x3x8x8xf32>, tensor<32x3x3x3xf32>, tensor<32xf32>) -> tensor<?x32x4x8xf32>
    return %0 : tensor<?x32x4x8xf32>
  }
}
