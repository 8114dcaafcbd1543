// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v4 winograd=false" | FileCheck %s
// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v3 winograd=false" | FileCheck %s --check-prefix=AVX2

// A first conv's backward (3 input channels, 32 output channels, a 2x2 max
// pooling after it) where the pooling's output gradient comes channels-last
// (here a lane conv's, the next conv's input gradient). max_pool2d_grad's
// scatter into the windows runs channels-last, (n, oh, i, ow, j, c), one
// window row of four windows a tile, and writes dy [N, H, W, C] with no
// NCHW copy; the weight gradient takes the output channels as the lane and
// every input channel and filter tap as a row: per image, (n, lo, c, i, j,
// l | oh, ow) with o = 16·lo + l, 27 accumulators a step, x read NCHW as it
// is (broadcast), dy channels-last; then the images' sum, the threads
// splitting lo, and the [lo, c, i, j, l] result permuted into [O, C, KH, KW].
// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d2, d3 + d6, d4 + d7)>
// CHECK-DAG: #[[DY:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d6, d7, d1 * 16 + d5)>
// CHECK-DAG: #[[PER_IMAGE:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: func.func @first_conv_backward
// CHECK:       %[[SCATTER:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%{{.+}}, %{{.+}} : tensor<?x4x4x32xf32>, tensor<?x4x4x32xf32>) outs(%{{.+}} : tensor<?x4x2x4x2x32xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "window", tiles = [0, 1, 1, 4, 0, 0]>}
// CHECK:         linalg.index 4
// CHECK:         linalg.index 2
// CHECK:       %[[DYL:.+]] = tensor.collapse_shape %[[SCATTER]] {{\[}}[0], [1, 2], [3, 4], [5]] : tensor<?x4x2x4x2x32xf32> into tensor<?x8x8x32xf32>
// CHECK:       %[[XPAD:.+]] = tensor.pad
// CHECK:       %[[PART:.+]] = linalg.generic {indexing_maps = [#[[X]], #[[DY]], #[[PER_IMAGE]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[XPAD]], %[[DYL]] : tensor<?x3x10x10xf32>, tensor<?x8x8x32xf32>) outs(%{{.+}} : tensor<?x2x3x3x3x16xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "contraction", registers = [1, 1, 3, 3, 3, 16, 1, 1]>}
// CHECK:       %[[SUM:.+]] = linalg.generic {{.*}} ins(%[[PART]] : tensor<?x2x3x3x3x16xf32>) outs(%{{.+}} : tensor<2x3x3x3x16xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "batch_contraction", registers = [1, 3, 3, 3, 16, 1], order = [5, 0, 1, 2, 3, 4]>}
// CHECK:       %[[T:.+]] = linalg.transpose ins(%[[SUM]] : tensor<2x3x3x3x16xf32>) {{.*}} permutation = [0, 4, 1, 2, 3]
// CHECK:       tensor.collapse_shape %[[T]] {{\[}}[0, 1], [2], [3], [4]] : tensor<2x16x3x3x3xf32> into tensor<32x3x3x3xf32>
// AVX2's 16 registers do not hold 27 accumulators: the output column is
// the lane, and the scatter stays NCHW, which that form reads.
// AVX2-LABEL: func.func @first_conv_backward
// AVX2:       linalg.generic {{.*}} outs(%{{.+}} : tensor<?x32x4x2x4x2xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "window"
// AVX2:       outs(%{{.+}} : tensor<32x3x3x3x8xf32>)
module attributes {cnn.mode = "train"} {
func.func @first_conv_backward(%x: tensor<?x3x8x8xf32>, %w: tensor<32x3x3x3xf32>,
    %w2: tensor<32x32x3x3xf32>, %dz: tensor<?x32x4x4xf32>)
    -> tensor<32x3x3x3xf32> {
  %y = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x3x8x8xf32>, tensor<32x3x3x3xf32>) -> tensor<?x32x8x8xf32>
  %dp = cnn.conv2d_input_grad %dz, %w2 stride [1, 1] padding [1, 1] : (tensor<?x32x4x4xf32>, tensor<32x32x3x3xf32>) -> tensor<?x32x4x4xf32>
  %dy = cnn.max_pool2d_grad %y, %dp kernel [2, 2] stride [2, 2] : tensor<?x32x8x8xf32>, tensor<?x32x4x4xf32>
  %dw = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x3x8x8xf32>, tensor<?x32x8x8xf32>) -> tensor<32x3x3x3xf32>
  return %dw : tensor<32x3x3x3xf32>
}
}

// -----

// The same weight gradient of an NCHW dy (a function argument): the output
// column is the lane, which reads dy as it comes, rather than a
// channels-last copy of it.
// CHECK-LABEL: func.func @nchw_dy
// CHECK-NOT:   tensor<?x32x32x32xf32>) outs
// CHECK:       outs(%{{.+}} : tensor<32x3x3x3x32xf32>)
// CHECK-NOT:   tensor<?x2x3x3x3x16xf32>
module attributes {cnn.mode = "train"} {
func.func @nchw_dy(%x: tensor<?x3x32x32xf32>, %dy: tensor<?x32x32x32xf32>) -> tensor<32x3x3x3xf32> {
  %dw = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x3x32x32xf32>, tensor<?x32x32x32xf32>) -> tensor<32x3x3x3xf32>
  return %dw : tensor<32x3x3x3xf32>
}
}
