// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v3" --cnn-cpu-tile-and-fuse --canonicalize --cnn-cpu-vectorize --canonicalize | FileCheck %s

// A flat op (an update over a whole [8, 16, 3, 3] filter, seen as 1152
// elements) is neither batch-sliced nor chained: one scf.for of 16-float
// steps (two AVX2 registers), each step vectors, outside any parallel loop.
// A bias of 10 elements is one step: vectorized whole, with no loop.

// CHECK-LABEL: func.func @update
// CHECK-NOT:   scf.forall
// CHECK:       scf.for %[[I:.+]] = %c0 to %c1152 step %c16
// CHECK:         vector.transfer_read {{.*}} : tensor<16xf32>, vector<16xf32>
// CHECK:         vector.transfer_read {{.*}} : tensor<16xf32>, vector<16xf32>
// CHECK:         arith.subf {{.*}} : vector<16xf32>
// CHECK:         vector.transfer_write {{.*}} : vector<16xf32>, tensor<16xf32>
// CHECK:       vector.transfer_read {{.*}} : tensor<10xf32>, vector<10xf32>
// CHECK:       arith.subf {{.*}} : vector<10xf32>
// CHECK-NOT:   scf.for
// CHECK:       return
func.func @update(%p: tensor<8x16x3x3xf32>, %g: tensor<8x16x3x3xf32>, %b: tensor<10xf32>, %gb: tensor<10xf32>, %lr: f32) -> (tensor<8x16x3x3xf32>, tensor<10xf32>) {
  %e = tensor.empty() : tensor<8x16x3x3xf32>
  %u = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%p, %g : tensor<8x16x3x3xf32>, tensor<8x16x3x3xf32>) outs(%e : tensor<8x16x3x3xf32>) {
  ^bb0(%pi: f32, %gi: f32, %o: f32):
    %s = arith.mulf %lr, %gi : f32
    %r = arith.subf %pi, %s : f32
    linalg.yield %r : f32
  } -> tensor<8x16x3x3xf32>
  %eb = tensor.empty() : tensor<10xf32>
  %ub = linalg.generic {indexing_maps = [affine_map<(a) -> (a)>, affine_map<(a) -> (a)>, affine_map<(a) -> (a)>], iterator_types = ["parallel"]}
      ins(%b, %gb : tensor<10xf32>, tensor<10xf32>) outs(%eb : tensor<10xf32>) {
  ^bb0(%pi: f32, %gi: f32, %o: f32):
    %s = arith.mulf %lr, %gi : f32
    %r = arith.subf %pi, %s : f32
    linalg.yield %r : f32
  } -> tensor<10xf32>
  return %u, %ub : tensor<8x16x3x3xf32>, tensor<10xf32>
}
