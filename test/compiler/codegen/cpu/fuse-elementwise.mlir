// RUN: cnnc-opt %s --cnn-cpu-fuse-elementwise | FileCheck %s

// Elementwise fusion merges single-use elementwise producers into their
// consumers, but leaves a layout copy (a generic that only permutes its
// input, here NCHW -> NHWC) as an op of its own, nothing fused into or out
// of it: fused, its consumer would read the permuted operand with the
// strides the copy exists to avoid.

#nchw_to_nhwc = affine_map<(n, h, w, c) -> (n, c, h, w)>
#id4 = affine_map<(n, h, w, c) -> (n, h, w, c)>
#lane_sum_in = affine_map<(c, n, h, w) -> (n, h, w, c)>
#lane_sum_out = affine_map<(c, n, h, w) -> (c)>

// CHECK-LABEL: func.func @keeps_layout_copy
// CHECK: %[[NEG:.+]] = linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<?x16x4x4xf32>)
// CHECK:   arith.negf
// CHECK: %[[T:.+]] = linalg.generic
// CHECK-SAME: ins(%[[NEG]] : tensor<?x16x4x4xf32>) outs(%{{.+}} : tensor<?x4x4x16xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:   linalg.yield %[[IN]] : f32
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[T]] : tensor<?x4x4x16xf32>)
// CHECK-NOT: arith.negf
// CHECK:   arith.addf
func.func @keeps_layout_copy(%x: tensor<?x16x4x4xf32>) -> tensor<16xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x16x4x4xf32>
  %e = tensor.empty(%n) : tensor<?x16x4x4xf32>
  // Elementwise, but feeding the layout copy: kept apart.
  %neg = linalg.generic {indexing_maps = [#id4, #id4],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x16x4x4xf32>) outs(%e : tensor<?x16x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.negf %a : f32
    linalg.yield %v : f32
  } -> tensor<?x16x4x4xf32>
  %et = tensor.empty(%n) : tensor<?x4x4x16xf32>
  // The layout copy: kept.
  %t = linalg.generic {indexing_maps = [#nchw_to_nhwc, #id4],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%neg : tensor<?x16x4x4xf32>) outs(%et : tensor<?x4x4x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<?x4x4x16xf32>
  %zero = arith.constant 0.0 : f32
  %es = tensor.empty() : tensor<16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%es : tensor<16xf32>) -> tensor<16xf32>
  %sum = linalg.generic {indexing_maps = [#lane_sum_in, #lane_sum_out],
                         iterator_types = ["parallel", "reduction", "reduction", "reduction"]}
      ins(%t : tensor<?x4x4x16xf32>) outs(%acc : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.addf %o, %a : f32
    linalg.yield %v : f32
  } -> tensor<16xf32>
  return %sum : tensor<16xf32>
}

// Other elementwise chains fuse as upstream's pass fuses them.
// CHECK-LABEL: func.func @fuses_elementwise_chain
// CHECK: linalg.generic
// CHECK:   arith.negf
// CHECK:   math.exp
// CHECK-NOT: linalg.generic
func.func @fuses_elementwise_chain(%x: tensor<?x16x4x4xf32>) -> tensor<?x16x4x4xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x16x4x4xf32>
  %e = tensor.empty(%n) : tensor<?x16x4x4xf32>
  %neg = linalg.generic {indexing_maps = [#id4, #id4],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x16x4x4xf32>) outs(%e : tensor<?x16x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.negf %a : f32
    linalg.yield %v : f32
  } -> tensor<?x16x4x4xf32>
  %exp = linalg.generic {indexing_maps = [#id4, #id4],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%neg : tensor<?x16x4x4xf32>) outs(%e : tensor<?x16x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = math.exp %a : f32
    linalg.yield %v : f32
  } -> tensor<?x16x4x4xf32>
  return %exp : tensor<?x16x4x4xf32>
}

// A per-channel computation (an eval batchnorm folded into a conv's bias:
// a square root and a division per channel) that a consumer broadcasts over
// the whole activation stays its own op: fused, it would run once per
// element. A same-shape producer still fuses.
#chan = affine_map<(n, c, h, w) -> (c)>
#nchw = affine_map<(n, c, h, w) -> (n, c, h, w)>
#id1 = affine_map<(c) -> (c)>

// CHECK-LABEL: func.func @keeps_broadcast_computation
// CHECK: %[[BIAS:.+]] = linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<16xf32>)
// CHECK:   math.sqrt
// CHECK:   arith.divf
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %[[BIAS]] : tensor<?x16x4x4xf32>, tensor<16xf32>)
// CHECK-NOT: math.sqrt
// CHECK:   arith.negf
// CHECK:   arith.addf
func.func @keeps_broadcast_computation(%x: tensor<?x16x4x4xf32>,
                                       %var: tensor<16xf32>) -> tensor<?x16x4x4xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x16x4x4xf32>
  %ec = tensor.empty() : tensor<16xf32>
  %bias = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%var : tensor<16xf32>) outs(%ec : tensor<16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = math.sqrt %v : f32
    %one = arith.constant 1.0 : f32
    %r = arith.divf %one, %s : f32
    linalg.yield %r : f32
  } -> tensor<16xf32>
  %e = tensor.empty(%n) : tensor<?x16x4x4xf32>
  %neg = linalg.generic {indexing_maps = [#nchw, #nchw],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x16x4x4xf32>) outs(%e : tensor<?x16x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.negf %a : f32
    linalg.yield %v : f32
  } -> tensor<?x16x4x4xf32>
  %e2 = tensor.empty(%n) : tensor<?x16x4x4xf32>
  %y = linalg.generic {indexing_maps = [#nchw, #chan, #nchw],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%neg, %bias : tensor<?x16x4x4xf32>, tensor<16xf32>) outs(%e2 : tensor<?x16x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.addf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<?x16x4x4xf32>
  return %y : tensor<?x16x4x4xf32>
}

// A ReLU's gradient with its mask from a batchnorm's result (x·α + β > 0 ?
// dy : 0) read by two consumers (the batchnorm gradient's sums and its
// elementwise part) fuses into both: each recomputes it rather than read
// a tensor of it. A producer with a division (more than a few multiplies,
// adds, compares and selects) read twice stays.
#rchan = affine_map<(n, c, h, w) -> (c)>
#rnchw = affine_map<(n, c, h, w) -> (n, c, h, w)>
#rsum = affine_map<(n, c, h, w) -> (c)>

// CHECK-LABEL: func.func @recomputes_cheap_mask
// CHECK-NOT: linalg.generic {{.*}} outs(%{{.+}} : tensor<?x16x4x4xf32>) {
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK:   arith.cmpf ogt
// CHECK:   arith.select
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK:   arith.cmpf ogt
// CHECK:   arith.select
// CHECK-LABEL: func.func @keeps_costly_producer
// CHECK: %[[Q:.+]] = linalg.generic
// CHECK:   arith.divf
// CHECK: linalg.generic {{.*}} ins(%[[Q]]
// CHECK: linalg.generic {{.*}} ins(%[[Q]]
func.func @recomputes_cheap_mask(%y: tensor<?x16x4x4xf32>, %dy: tensor<?x16x4x4xf32>,
                                 %alpha: tensor<16xf32>, %beta: tensor<16xf32>)
    -> (tensor<16xf32>, tensor<?x16x4x4xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %y, %c0 : tensor<?x16x4x4xf32>
  %e = tensor.empty(%n) : tensor<?x16x4x4xf32>
  %dz = linalg.generic {indexing_maps = [#rnchw, #rchan, #rchan, #rnchw, #rnchw],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y, %alpha, %beta, %dy : tensor<?x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<?x16x4x4xf32>)
      outs(%e : tensor<?x16x4x4xf32>) {
  ^bb0(%v: f32, %a: f32, %b: f32, %g: f32, %o: f32):
    %m = arith.mulf %v, %a : f32
    %z = arith.addf %m, %b : f32
    %pos = arith.cmpf ogt, %z, %zero : f32
    %r = arith.select %pos, %g, %zero : f32
    linalg.yield %r : f32
  } -> tensor<?x16x4x4xf32>
  %ec = tensor.empty() : tensor<16xf32>
  %sums = linalg.generic {indexing_maps = [#rnchw, #rsum],
                          iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dz : tensor<?x16x4x4xf32>) outs(%ec : tensor<16xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  %e2 = tensor.empty(%n) : tensor<?x16x4x4xf32>
  %dx = linalg.generic {indexing_maps = [#rnchw, #rnchw, #rnchw],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dz, %y : tensor<?x16x4x4xf32>, tensor<?x16x4x4xf32>) outs(%e2 : tensor<?x16x4x4xf32>) {
  ^bb0(%d: f32, %v: f32, %o: f32):
    %p = arith.mulf %d, %v : f32
    linalg.yield %p : f32
  } -> tensor<?x16x4x4xf32>
  return %sums, %dx : tensor<16xf32>, tensor<?x16x4x4xf32>
}

func.func @keeps_costly_producer(%x: tensor<?x16x4x4xf32>, %y: tensor<?x16x4x4xf32>)
    -> (tensor<?x16x4x4xf32>, tensor<?x16x4x4xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x16x4x4xf32>
  %e = tensor.empty(%n) : tensor<?x16x4x4xf32>
  %q = linalg.generic {indexing_maps = [#rnchw, #rnchw, #rnchw],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %y : tensor<?x16x4x4xf32>, tensor<?x16x4x4xf32>) outs(%e : tensor<?x16x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.divf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<?x16x4x4xf32>
  %e2 = tensor.empty(%n) : tensor<?x16x4x4xf32>
  %u = linalg.generic {indexing_maps = [#rnchw, #rnchw],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q : tensor<?x16x4x4xf32>) outs(%e2 : tensor<?x16x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.negf %a : f32
    linalg.yield %v : f32
  } -> tensor<?x16x4x4xf32>
  %w = linalg.generic {indexing_maps = [#rnchw, #rnchw, #rnchw],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q, %x : tensor<?x16x4x4xf32>, tensor<?x16x4x4xf32>) outs(%e2 : tensor<?x16x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.addf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<?x16x4x4xf32>
  return %u, %w : tensor<?x16x4x4xf32>, tensor<?x16x4x4xf32>
}
