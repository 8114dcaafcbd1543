// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-gpu-reductions-inner))' | FileCheck %s

// A bias gradient sums over the batch, its first loop: interchanged, the
// channel (parallel) loop becomes the outer one, so each GPU thread owns one
// channel and sums the batch serially; the input is still read as [n, c].
// An op already in that order is left as it is.

// CHECK-DAG: #[[SWAPPED:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[OUTER:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[SAME:.+]] = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @bias_gradient
// CHECK: linalg.generic {indexing_maps = [#[[SWAPPED]], #[[OUTER]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%{{.+}} : memref<?x8xf32>) outs(%{{.+}} : memref<8xf32>)
func.func @bias_gradient(%dy: memref<?x8xf32>, %db: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, c) -> (n, c)>, affine_map<(n, c) -> (c)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%dy : memref<?x8xf32>) outs(%db : memref<8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  }
  return
}

// CHECK-LABEL: func.func @already_inner
// CHECK: linalg.generic {indexing_maps = [#[[SAME]], #[[OUTER]]], iterator_types = ["parallel", "reduction"]}
func.func @already_inner(%x: memref<4x8xf32>, %y: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x8xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  return
}
