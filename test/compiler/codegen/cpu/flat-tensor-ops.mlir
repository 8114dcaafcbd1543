// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v4" | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v3" | FileCheck %s --check-prefixes=CHECK,AVX2

// Ops over whole parameters (the SGD update, the penalty's sums) are seen
// as one dimension and stepped through two vector registers at a time
// (32 floats with AVX-512, 16 with AVX2); a result the entry ABI writes into the
// arena is written there through the collapsed view, so that it is
// computed in place.

// CHECK-LABEL: func.func @update
// CHECK-DAG:   %[[P:.+]] = tensor.collapse_shape %arg0 {{\[}}[0, 1, 2, 3]] : tensor<8x16x3x3xf32> into tensor<1152xf32>
// CHECK-DAG:   %[[G:.+]] = tensor.collapse_shape %arg1 {{\[}}[0, 1, 2, 3]] : tensor<8x16x3x3xf32> into tensor<1152xf32>
// CHECK-DAG:   %[[E:.+]] = tensor.empty() : tensor<1152xf32>
// CHECK:       %[[U:.+]] = linalg.generic {{.*}}iterator_types = ["parallel"]{{.*}} ins(%[[P]], %[[G]] : tensor<1152xf32>, tensor<1152xf32>) outs(%[[E]] : tensor<1152xf32>)
// AVX512-SAME:   cnn_cpu.config = #cnn_cpu.config<kind = "flat", registers = [32]>
// AVX2-SAME:     cnn_cpu.config = #cnn_cpu.config<kind = "flat", registers = [16]>
// CHECK:       %[[D:.+]] = memref.collapse_shape %arg2 {{\[}}[0, 1, 2, 3]] : memref<8x16x3x3xf32> into memref<1152xf32>
// CHECK:       bufferization.materialize_in_destination %[[U]] in restrict writable %[[D]]
func.func @update(%p: tensor<8x16x3x3xf32>, %g: tensor<8x16x3x3xf32>, %out: memref<8x16x3x3xf32>, %lr: f32) {
  %e = tensor.empty() : tensor<8x16x3x3xf32>
  %u = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%p, %g : tensor<8x16x3x3xf32>, tensor<8x16x3x3xf32>) outs(%e : tensor<8x16x3x3xf32>) {
  ^bb0(%pi: f32, %gi: f32, %o: f32):
    %s = arith.mulf %lr, %gi : f32
    %r = arith.subf %pi, %s : f32
    linalg.yield %r : f32
  } -> tensor<8x16x3x3xf32>
  bufferization.materialize_in_destination %u in restrict writable %out : (tensor<8x16x3x3xf32>, memref<8x16x3x3xf32>) -> ()
  return
}

// A penalty's sum of squares, in f64, into a rank-0 result: one reduction
// loop. 10 elements fit one step whatever the machine.
// CHECK-LABEL: func.func @sum_of_squares
// CHECK:       tensor.collapse_shape %arg0 {{\[}}[0, 1]] : tensor<10x32xf32> into tensor<320xf32>
// CHECK:       linalg.generic {{.*}}iterator_types = ["reduction"]{{.*}} outs(%arg1 : tensor<f64>)
// AVX512-SAME:   cnn_cpu.config = #cnn_cpu.config<kind = "flat", registers = [32]>
// AVX2-SAME:     cnn_cpu.config = #cnn_cpu.config<kind = "flat", registers = [16]>
// CHECK:       linalg.generic {{.*}}iterator_types = ["reduction"]{{.*}} ins(%arg2 : tensor<10xf32>)
// CHECK-SAME:    cnn_cpu.config = #cnn_cpu.config<kind = "flat", registers = [10]>
func.func @sum_of_squares(%w: tensor<10x32xf32>, %acc: tensor<f64>, %b: tensor<10xf32>) -> tensor<f64> {
  %s = linalg.generic {indexing_maps = [affine_map<(a, b) -> (a, b)>, affine_map<(a, b) -> ()>], iterator_types = ["reduction", "reduction"]}
      ins(%w : tensor<10x32xf32>) outs(%acc : tensor<f64>) {
  ^bb0(%x: f32, %o: f64):
    %d = arith.extf %x : f32 to f64
    %q = arith.mulf %d, %d : f64
    %r = arith.addf %o, %q : f64
    linalg.yield %r : f64
  } -> tensor<f64>
  %t = linalg.generic {indexing_maps = [affine_map<(a) -> (a)>, affine_map<(a) -> ()>], iterator_types = ["reduction"]}
      ins(%b : tensor<10xf32>) outs(%s : tensor<f64>) {
  ^bb0(%x: f32, %o: f64):
    %d = arith.extf %x : f32 to f64
    %q = arith.mulf %d, %d : f64
    %r = arith.addf %o, %q : f64
    linalg.yield %r : f64
  } -> tensor<f64>
  return %t : tensor<f64>
}

// Not flat: a body that asks for its position (a filter flipped through
// linalg.index), an op with a dynamic (batch) dimension, an op that
// transposes.
// CHECK-LABEL: func.func @not_flat
// CHECK-NOT:   kind = "flat"
// CHECK-NOT:   tensor.collapse_shape
// CHECK:       return
func.func @not_flat(%w: tensor<8x16x3x3xf32>, %x: tensor<?x32xf32>, %m: tensor<16x8xf32>) -> (tensor<8x16x3x3xf32>, tensor<?x32xf32>, tensor<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %e = tensor.empty() : tensor<8x16x3x3xf32>
  %flip = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%e : tensor<8x16x3x3xf32>) {
  ^bb0(%o: f32):
    %a = linalg.index 0 : index
    %b = linalg.index 1 : index
    %c = linalg.index 2 : index
    %d = linalg.index 3 : index
    %c2 = arith.constant 2 : index
    %rc = arith.subi %c2, %c : index
    %rd = arith.subi %c2, %d : index
    %v = tensor.extract %w[%a, %b, %rc, %rd] : tensor<8x16x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<8x16x3x3xf32>
  %n = tensor.dim %x, %c0 : tensor<?x32xf32>
  %ex = tensor.empty(%n) : tensor<?x32xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(a, b) -> (a, b)>, affine_map<(a, b) -> (a, b)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x32xf32>) outs(%ex : tensor<?x32xf32>) {
  ^bb0(%i: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %r = arith.maximumf %i, %z : f32
    linalg.yield %r : f32
  } -> tensor<?x32xf32>
  %et = tensor.empty() : tensor<8x16xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(a, b) -> (b, a)>, affine_map<(a, b) -> (a, b)>], iterator_types = ["parallel", "parallel"]}
      ins(%m : tensor<16x8xf32>) outs(%et : tensor<8x16xf32>) {
  ^bb0(%i: f32, %o: f32):
    linalg.yield %i : f32
  } -> tensor<8x16xf32>
  return %flip, %relu, %t : tensor<8x16x3x3xf32>, tensor<?x32xf32>, tensor<8x16xf32>
}
