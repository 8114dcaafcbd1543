// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg | FileCheck %s

// dx[n, c, h, w] = Σ_{o, i, j} dypad[n, o, h + i, w + j]·w[o, c, KH−1−i,
// KW−1−j]. 8 input channels: a linalg conv on dy padded by KH−1−padding,
// with the filter flipped and transposed to [C, O, KH, KW].
// CHECK-LABEL: func.func @flipped_conv
// CHECK: %[[PAD:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<?x32x6x6xf32> to tensor<?x32x8x8xf32>
// CHECK: %[[FLIP:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<8x32x3x3xf32>)
// CHECK:   %[[I:.+]] = arith.subi %{{.+}}, %{{.+}} : index
// CHECK:   %[[J:.+]] = arith.subi %{{.+}}, %{{.+}} : index
// CHECK:   tensor.extract %{{.+}}[%{{.+}}, %{{.+}}, %[[I]], %[[J]]] : tensor<32x8x3x3xf32>
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[PAD]], %[[FLIP]] : tensor<?x32x8x8xf32>, tensor<8x32x3x3xf32>)
module attributes {cnn.mode = "train"} {
func.func @flipped_conv(%dy: tensor<?x32x6x6xf32>, %w: tensor<32x8x3x3xf32>) -> tensor<?x8x6x6xf32> {
  %0 = cnn.conv2d_input_grad %dy, %w stride [1, 1] padding [1, 1] : (tensor<?x32x6x6xf32>, tensor<32x8x3x3xf32>) -> tensor<?x8x6x6xf32>
  return %0 : tensor<?x8x6x6xf32>
}
}

// -----

// 32 input channels: the same linalg conv in NCHW, whatever the vector
// width (the layout is the target's choice: compiler/codegen/cpu).
// CHECK-LABEL: func.func @channel_lane
// CHECK: %[[PAD:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[FLIP:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<32x8x3x3xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[PAD]], %[[FLIP]] : tensor<?x8x8x8xf32>, tensor<32x8x3x3xf32>) outs(%{{.+}} : tensor<?x32x6x6xf32>)
module attributes {cnn.mode = "train"} {
func.func @channel_lane(%dy: tensor<?x8x6x6xf32>, %w: tensor<8x32x3x3xf32>) -> tensor<?x32x6x6xf32> {
  %0 = cnn.conv2d_input_grad %dy, %w stride [1, 1] padding [1, 1] : (tensor<?x8x6x6xf32>, tensor<8x32x3x3xf32>) -> tensor<?x32x6x6xf32>
  return %0 : tensor<?x32x6x6xf32>
}
}
