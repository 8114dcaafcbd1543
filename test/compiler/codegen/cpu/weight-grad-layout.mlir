// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v4 winograd=false" | FileCheck %s
// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v3 winograd=false" | FileCheck %s --check-prefix=AVX2

// The CPU strategy's layouts of a conv weight gradient, dw[o, c, i, j] =
// Σ_{n, h, w} dy[n, o, h, w]·xpad[n, c, h + i, w + j] (convert-cnn-to-linalg
// writes it as a plain reduction over (o, c, i, j | n, h, w)), computed
// directly (winograd=false; winograd-weight-grad.mlir has F(3x3, 2x2)).
// AVX-512, 16 input channels make the vector lane: x (padded) and dy are copied
// channels-last, the contraction iterates (ro, i, j, ri, c | n, h, w) with
// o = 8·ro + ri, and its [ro, kh, kw, ri, c] result is permuted and
// reshaped into [O, C, KH, KW].
// CHECK-DAG: #[[NCHW_TO_NHWC:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d1 + d6, d2 + d7, d4)>
// CHECK-DAG: #[[DY:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d6, d7, d0 * 8 + d3)>
// CHECK-DAG: #[[ACC:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @input_channel_lanes
// CHECK: %[[PAD:.+]] = tensor.pad
// CHECK: %[[XT:.+]] = linalg.generic {indexing_maps = [#[[NCHW_TO_NHWC]], {{.+}}]{{.*}} ins(%[[PAD]] : tensor<?x16x8x8xf32>) outs(%{{.+}} : tensor<?x8x8x16xf32>)
// CHECK: %[[DYT:.+]] = linalg.generic {indexing_maps = [#[[NCHW_TO_NHWC]], {{.+}}]{{.*}} outs(%{{.+}} : tensor<?x6x6x32xf32>)
// CHECK: %[[ZERO:.+]] = linalg.fill {{.*}} -> tensor<4x3x3x8x16xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[X]], #[[DY]], #[[ACC]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[XT]], %[[DYT]] : {{.*}}) outs(%[[ZERO]] : {{.*}})
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[SUM]] : tensor<4x3x3x8x16xf32>) {{.*}} permutation = [0, 3, 4, 1, 2]
// CHECK: tensor.collapse_shape %[[T]] {{\[}}[0, 1], [2], [3], [4]] : tensor<4x8x16x3x3xf32> into tensor<32x16x3x3xf32>
// AVX2 (8-float lanes, 16 registers): the same lane, 4 rows.
// AVX2-DAG: #[[DY:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d6, d7, d0 * 4 + d3)>
// AVX2-LABEL: func.func @input_channel_lanes
// AVX2: linalg.fill {{.*}} -> tensor<8x3x3x4x16xf32>
// The sample, then the first row block (the threads'), then the image rows
// outside the other tile loops, the columns innermost.
// AVX2: linalg.generic {{.*}}kind = "batch_contraction", registers = [1, 1, 1, 4, 16, 1, 1, 1], order = [5, 0, 6, 1, 2, 3, 4, 7]
module attributes {cnn.mode = "train"} {
func.func @input_channel_lanes(%x: tensor<?x16x6x6xf32>, %dy: tensor<?x32x6x6xf32>) -> tensor<32x16x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x16x6x6xf32>, tensor<?x32x6x6xf32>) -> tensor<32x16x3x3xf32>
  return %0 : tensor<32x16x3x3xf32>
}
}

// -----

// 16 output channels make the lane, the 8 input channels the rows: two row
// blocks of 4 (so that two threads share the work); stride 2, no padding.
// (AVX2, 8 input channels, 16 output channels: the input channels are the
// lane.)
// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d6 * 2 + d1, d7 * 2 + d2, d0 * 4 + d3)>
// CHECK-DAG: #[[DY:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d6, d7, d4)>
// CHECK-LABEL: func.func @output_channel_lanes
// AVX2-LABEL: func.func @output_channel_lanes
// AVX2: linalg.fill {{.*}} -> tensor<4x3x3x4x8xf32>
// CHECK-NOT: tensor.pad
// CHECK: linalg.fill {{.*}} -> tensor<2x3x3x4x16xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[X]], #[[DY]], {{.+}}]
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[SUM]] : tensor<2x3x3x4x16xf32>) {{.*}} permutation = [4, 0, 3, 1, 2]
// CHECK: tensor.collapse_shape %[[T]] {{\[}}[0], [1, 2], [3], [4]] : tensor<16x2x4x3x3xf32> into tensor<16x8x3x3xf32>
module attributes {cnn.mode = "train"} {
func.func @output_channel_lanes(%x: tensor<?x8x6x6xf32>, %dy: tensor<?x16x2x2xf32>) -> tensor<16x8x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [2, 2] padding [0, 0] : (tensor<?x8x6x6xf32>, tensor<?x16x2x2xf32>) -> tensor<16x8x3x3xf32>
  return %0 : tensor<16x8x3x3xf32>
}
}

// -----

// One input channel is no lane: the output column is (a laneSum over
// (o, i, j, c, w | n, h), then a sum of the columns).
// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d5, d3, d1 + d6, d2 + d4)>
// CHECK-DAG: #[[DY:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d5, d0, d6, d4)>
// CHECK-LABEL: func.func @column_lanes
// CHECK: %[[PART:.+]] = linalg.generic {indexing_maps = [#[[X]], #[[DY]], {{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} {{.*}} outs(%{{.+}} : tensor<32x3x3x1x6xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[PART]] : tensor<32x3x3x1x6xf32>) outs(%{{.+}} : tensor<32x1x3x3xf32>)
// CHECK-NOT: linalg.transpose
module attributes {cnn.mode = "train"} {
func.func @column_lanes(%x: tensor<?x1x6x6xf32>, %dy: tensor<?x32x6x6xf32>) -> tensor<32x1x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x1x6x6xf32>, tensor<?x32x6x6xf32>) -> tensor<32x1x3x3xf32>
  return %0 : tensor<32x1x3x3xf32>
}
}
