// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-gpu-split-reductions))' | FileCheck %s

// A bias gradient: for each of 8 channels, a sum over the batch (dynamic)
// and a 14x14 image. Split at the batch: one partial sum per (image,
// channel), from zero, then the totals added to the init in image order.

// CHECK-LABEL: func.func @bias_gradient
// CHECK-SAME: (%[[DY:.+]]: tensor<?x8x14x14xf32>, %[[INIT:.+]]: tensor<8xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[DY]], %c0
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?x8xf32>
// CHECK: %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[EMPTY]] : tensor<?x8xf32>)
// CHECK: %[[PARTIAL:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: ins(%[[DY]] : tensor<?x8x14x14xf32>) outs(%[[ZERO]] : tensor<?x8xf32>)
// CHECK: %[[TOTAL:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[PARTIAL]] : tensor<?x8xf32>) outs(%[[INIT]] : tensor<8xf32>)
// CHECK: ^bb0(%[[P:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT: %[[SUM:.+]] = arith.addf %[[ACC]], %[[P]]
// CHECK-NEXT: linalg.yield %[[SUM]]
// CHECK: return %[[TOTAL]]
func.func @bias_gradient(%dy: tensor<?x8x14x14xf32>, %init: tensor<8xf32>) -> tensor<8xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (c)>],
                       iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : tensor<?x8x14x14xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// The penalty's sums over a [32, 32, 3, 3] weight, two 0-d outputs: split
// at the first loop (32 partials of 288 elements each).
// CHECK-LABEL: func.func @penalty
// CHECK: tensor.empty(%{{.+}}) : tensor<?xf64>
// CHECK: tensor.empty(%{{.+}}) : tensor<?xf64>
// CHECK: %[[PARTIALS:.+]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction", "reduction", "reduction"]
// CHECK: %[[TOTALS:.+]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK-SAME: ins(%[[PARTIALS]]#0, %[[PARTIALS]]#1 : tensor<?xf64>, tensor<?xf64>)
// CHECK: return %[[TOTALS]]#0, %[[TOTALS]]#1
func.func @penalty(%w: tensor<32x32x3x3xf32>, %a: tensor<f64>, %b: tensor<f64>) -> (tensor<f64>, tensor<f64>) {
  %r:2 = linalg.generic {indexing_maps = [affine_map<(o, i, h, w) -> (o, i, h, w)>, affine_map<(o, i, h, w) -> ()>, affine_map<(o, i, h, w) -> ()>],
                         iterator_types = ["reduction", "reduction", "reduction", "reduction"]}
      ins(%w : tensor<32x32x3x3xf32>) outs(%a, %b : tensor<f64>, tensor<f64>) {
  ^bb0(%x: f32, %sq: f64, %abs: f64):
    %e = arith.extf %x : f32 to f64
    %m = arith.mulf %e, %e : f64
    %s1 = arith.addf %sq, %m : f64
    %v = math.absf %e : f64
    %s2 = arith.addf %abs, %v : f64
    linalg.yield %s1, %s2 : f64, f64
  } -> (tensor<f64>, tensor<f64>)
  return %r#0, %r#1 : tensor<f64>, tensor<f64>
}

// Left alone: a linear layer's weight gradient (one reduction loop, the
// batch: nothing left to each partial), a maximum (not a sum), and a sum
// whose outer loop is short (4 < min-split).
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK-NOT: linalg.fill
func.func @left_alone(%x: tensor<?x16xf32>, %dy: tensor<?x4xf32>, %g: tensor<4x16xf32>,
                      %m: tensor<?x8x8xf32>, %mx: tensor<?xf32>,
                      %s: tensor<4x64xf32>, %t: tensor<f32>) -> (tensor<4x16xf32>, tensor<?xf32>, tensor<f32>) {
  %0 = linalg.generic {indexing_maps = [affine_map<(o, i, n) -> (n, i)>, affine_map<(o, i, n) -> (n, o)>, affine_map<(o, i, n) -> (o, i)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %dy : tensor<?x16xf32>, tensor<?x4xf32>) outs(%g : tensor<4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(n, h, w) -> (n, h, w)>, affine_map<(n, h, w) -> (n)>],
                       iterator_types = ["parallel", "reduction", "reduction"]}
      ins(%m : tensor<?x8x8xf32>) outs(%mx : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %acc, %a : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>],
                       iterator_types = ["reduction", "reduction"]}
      ins(%s : tensor<4x64xf32>) outs(%t : tensor<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %acc, %a : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  return %0, %1, %2 : tensor<4x16xf32>, tensor<?xf32>, tensor<f32>
}
