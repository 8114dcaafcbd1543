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

// 32 input channels, a multiple of 16: the channel-lane form, the input
// channels as the lane. The flipped filter is gathered straight into
// [KH, KW, O, C]; the contraction over (n, h, w, c | o, i, j) fills a
// channels-last [N, H, W, C] result from zero; a layout copy gives NCHW.
// CHECK-DAG: #[[DY:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d1 + d5, d2 + d6)>
// CHECK-DAG: #[[F:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d5, d6, d4, d3)>
// CHECK-DAG: #[[DX:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[TOFIRST:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
// CHECK-LABEL: func.func @channel_lane
// CHECK: %[[PAD:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[FLIP:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<3x3x8x32xf32>)
// CHECK:   %[[I:.+]] = arith.subi %{{.+}}, %{{.+}} : index
// CHECK:   %[[J:.+]] = arith.subi %{{.+}}, %{{.+}} : index
// CHECK:   tensor.extract %{{.+}}[%{{.+}}, %{{.+}}, %[[I]], %[[J]]] : tensor<8x32x3x3xf32>
// CHECK: %[[ZERO:.+]] = linalg.fill {{.*}} -> tensor<?x6x6x32xf32>
// CHECK: %[[LAST:.+]] = linalg.generic {indexing_maps = [#[[DY]], #[[F]], #[[DX]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[PAD]], %[[FLIP]] : tensor<?x8x8x8xf32>, tensor<3x3x8x32xf32>) outs(%[[ZERO]] : tensor<?x6x6x32xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[TOFIRST]], {{.+}}]{{.*}} ins(%[[LAST]] : tensor<?x6x6x32xf32>) outs(%{{.+}} : tensor<?x32x6x6xf32>)
module attributes {cnn.mode = "train"} {
func.func @channel_lane(%dy: tensor<?x8x6x6xf32>, %w: tensor<8x32x3x3xf32>) -> tensor<?x32x6x6xf32> {
  %0 = cnn.conv2d_input_grad %dy, %w stride [1, 1] padding [1, 1] : (tensor<?x8x6x6xf32>, tensor<8x32x3x3xf32>) -> tensor<?x32x6x6xf32>
  return %0 : tensor<?x32x6x6xf32>
}
}
