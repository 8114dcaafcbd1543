// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v4" --cnn-cpu-tile-and-fuse --canonicalize | FileCheck %s
// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v4" --cnn-cpu-tile-and-fuse --canonicalize --cnn-cpu-vectorize --canonicalize | FileCheck %s --check-prefix=VEC

// A conv block (conv + bias + tanh + 2x2 max-pool): one scf.forall over the
// batch holds the whole chain; inside, channel x row tiles, the conv stepped
// one input channel and one filter tap at a time, the bias/tanh on the tile
// the conv just produced. The pool (a reduction over the image's windows,
// PoolWindows.h) then steps through the image's tanh one output row and one
// window row at a time.

// CHECK-LABEL: func.func @conv_block
// CHECK:       scf.forall (%{{.*}}) in (%{{.*}}) shared_outs
// CHECK-NOT:   scf.forall
// CHECK:         scf.for
// CHECK:           linalg.fill {{.*}} -> tensor<1x8x1x16xf32>
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               scf.for
// CHECK:                 linalg.conv_2d_nchw_fchw {{.*}} outs(%{{.*}} : tensor<1x8x1x16xf32>)
// CHECK:           linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x8x1x16xf32>, tensor<8xf32>)
// CHECK:             math.tanh
// CHECK:         tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2, 3], [4, 5]] output_shape [1, 8, 8, 2, 8, 2]
// CHECK:         scf.for
// CHECK:           linalg.fill {{.*}} -> tensor<1x8x1x8xf32>
// CHECK:           scf.for
// CHECK:             linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<1x8x1x1x8x2xf32>) outs(%{{.*}} : tensor<1x8x1x8xf32>)
// CHECK:               arith.maximumf
// CHECK:         scf.forall.in_parallel

// After vectorization the conv step is a broadcast multiply-add on a
// vector<8x16xf32> register tile; tanh is a polynomial on vectors.
// VEC-LABEL: func.func @conv_block
// VEC:       scf.forall
// VEC:         vector.broadcast %{{.*}} : vector<16xf32> to vector<8x16xf32>
// VEC:         arith.mulf %{{.*}}, %{{.*}} : vector<8x16xf32>
// VEC:         arith.addf %{{.*}}, %{{.*}} : vector<8x16xf32>
// VEC-NOT:     math.tanh
// VEC-NOT:     linalg.conv_2d_nchw_fchw
// VEC-NOT:     linalg.generic
#id4 = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch4 = affine_map<(n, c, h, w) -> (c)>
func.func @conv_block(%x: tensor<?x16x18x18xf32>, %w: tensor<8x16x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x8x8xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %n = tensor.dim %x, %c0 : tensor<?x16x18x18xf32>
  %e = tensor.empty(%n) : tensor<?x8x16x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8x16x16xf32>) -> tensor<?x8x16x16xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x16x18x18xf32>, tensor<8x16x3x3xf32>) outs(%z : tensor<?x8x16x16xf32>) -> tensor<?x8x16x16xf32>
  %t = linalg.generic {indexing_maps = [#id4, #ch4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c, %b : tensor<?x8x16x16xf32>, tensor<8xf32>) outs(%e : tensor<?x8x16x16xf32>) {
  ^bb0(%a: f32, %bb: f32, %o: f32):
    %s = arith.addf %a, %bb : f32
    %h = math.tanh %s : f32
    linalg.yield %h : f32
  } -> tensor<?x8x16x16xf32>
  %ep = tensor.empty(%n) : tensor<?x8x8x8xf32>
  %m = linalg.fill ins(%ninf : f32) outs(%ep : tensor<?x8x8x8xf32>) -> tensor<?x8x8x8xf32>
  %win = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%t, %win : tensor<?x8x16x16xf32>, tensor<2x2xf32>) outs(%m : tensor<?x8x8x8xf32>) -> tensor<?x8x8x8xf32>
  return %p : tensor<?x8x8x8xf32>
}
