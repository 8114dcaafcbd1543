// RUN: cnnc-opt %s -cnn-lower-entry-abi -convert-cnn-to-linalg -canonicalize -cnn-cpu-fuse-elementwise -canonicalize -cse -cnn-cpu-strategy="cpu=x86-64-v4 winograd=false" | FileCheck %s

// A network's head backward: the linear layer's input gradient, unflattened
// into the pooled image [N, 32, 4, 4], goes through max_pool2d_grad into a
// lane conv's input gradient (the layers before the flatten). The input
// gradient is computed channels-last, (n, h, w, c | o) over dy [N, O] and
// the weight copied [O, H, W, C] (a channels-last copy, once a step), so
// that the pooling's scatter runs channels-last and the conv's padded input
// is channels-last too: no transpose of an activation is left on the way.
// CHECK-DAG: #[[TO_LAST:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
// CHECK-DAG: #[[DY:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4)>
// CHECK-DAG: #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d4, d1, d2, d3)>
// CHECK-DAG: #[[IMAGE:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @head_backward
// CHECK:       %[[W4:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2, 3]] output_shape [10, 32, 4, 4] : tensor<10x512xf32> into tensor<10x32x4x4xf32>
// CHECK:       %[[WL:.+]] = linalg.generic {indexing_maps = [#[[TO_LAST]], {{.+}}]{{.*}} ins(%[[W4]] : tensor<10x32x4x4xf32>) outs(%{{.+}} : tensor<10x4x4x32xf32>)
// CHECK:       %[[DP:.+]] = linalg.generic {indexing_maps = [#[[DY]], #[[W]], #[[IMAGE]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%{{.+}}, %[[WL]] : tensor<?x10xf32>, tensor<10x4x4x32xf32>) outs(%{{.+}} : tensor<?x4x4x32xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "contraction"
// CHECK:       %[[SCATTER:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %[[DP]] : tensor<?x4x4x32xf32>, tensor<?x4x4x32xf32>) outs(%{{.+}} : tensor<?x4x2x4x2x32xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "window"
// CHECK:       %[[DY_CONV:.+]] = tensor.collapse_shape %[[SCATTER]] {{\[}}[0], [1, 2], [3, 4], [5]] : tensor<?x4x2x4x2x32xf32> into tensor<?x8x8x32xf32>
// CHECK:       %[[PAD:.+]] = tensor.pad %[[DY_CONV]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK:       linalg.generic {{.*}} ins(%[[PAD]], %{{.+}} : tensor<?x10x10x32xf32>, tensor<3x3x32x32xf32>) {{.*}}kind = "lane_conv"
module attributes {cnn.mode = "train"} {
func.func @head_backward(%x: tensor<?x32x8x8xf32>, %w: tensor<32x32x3x3xf32>,
    %fw: tensor<10x512xf32>, %dz: tensor<?x10xf32>) -> tensor<?x32x8x8xf32> {
  %y = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x32x8x8xf32>, tensor<32x32x3x3xf32>) -> tensor<?x32x8x8xf32>
  %flat = cnn.linear_input_grad %dz, %fw : (tensor<?x10xf32>, tensor<10x512xf32>) -> tensor<?x512xf32>
  %dp = cnn.unflatten %flat : tensor<?x512xf32> -> tensor<?x32x4x4xf32>
  %dy = cnn.max_pool2d_grad %y, %dp kernel [2, 2] stride [2, 2] : tensor<?x32x8x8xf32>, tensor<?x32x4x4xf32>
  %dx = cnn.conv2d_input_grad %dy, %w stride [1, 1] padding [1, 1] : (tensor<?x32x8x8xf32>, tensor<32x32x3x3xf32>) -> tensor<?x32x8x8xf32>
  return %dx : tensor<?x32x8x8xf32>
}
}
