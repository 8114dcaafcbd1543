// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg | FileCheck %s

// dw[o, c, i, j] = Σ_{n, h, w} dy[n, o, h, w]·xpad[n, c, h·sh + i, w·sw + j]:
// a plain reduction over (o, c, i, j | n, h, w) from zero, whatever the
// channel counts (the layout is the target's choice:
// test/compiler/codegen/cpu/weight-grad-layout.mlir).
// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d1, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[DY:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>
// CHECK-DAG: #[[DW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @weight_grad
// CHECK: %[[PAD:.+]] = tensor.pad
// CHECK: %[[ZERO:.+]] = linalg.fill {{.*}} -> tensor<32x16x3x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[DY]], #[[DW]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[PAD]], %{{.+}} : tensor<?x16x8x8xf32>, tensor<?x32x6x6xf32>) outs(%[[ZERO]] : tensor<32x16x3x3xf32>)
// CHECK:   %[[P:.+]] = arith.mulf
// CHECK:   arith.addf %{{.+}}, %[[P]]
// CHECK-NOT: linalg.transpose
module attributes {cnn.mode = "train"} {
func.func @weight_grad(%x: tensor<?x16x6x6xf32>, %dy: tensor<?x32x6x6xf32>) -> tensor<32x16x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x16x6x6xf32>, tensor<?x32x6x6xf32>) -> tensor<32x16x3x3xf32>
  return %0 : tensor<32x16x3x3xf32>
}
}

// -----

// Stride 2, no padding: the strides in x's map.
// CHECK-DAG: #[[X2:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d1, d5 * 2 + d2, d6 * 2 + d3)>
// CHECK-LABEL: func.func @strided
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic {indexing_maps = [#[[X2]], {{.+}}]
module attributes {cnn.mode = "train"} {
func.func @strided(%x: tensor<?x8x6x6xf32>, %dy: tensor<?x16x2x2xf32>) -> tensor<16x8x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [2, 2] padding [0, 0] : (tensor<?x8x6x6xf32>, tensor<?x16x2x2xf32>) -> tensor<16x8x3x3xf32>
  return %0 : tensor<16x8x3x3xf32>
}
}
