// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v4 winograd=false" --cnn-cpu-tile-and-fuse --canonicalize | FileCheck %s
// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v3 winograd=false" --cnn-cpu-tile-and-fuse --canonicalize | FileCheck %s --check-prefix=AVX2

// A conv whose 32 output channels fill vector registers, which the CPU
// strategy computes channels-last (a channels-last contraction and a layout
// copy to NCHW), beside two batch-wide sums, so that the function is
// sliced image by image in two stages, and a pad that the conv and a sum
// read.
//  - the shared pad is cloned, one per reader, each padded image by image
//    in stage 0: no pad runs over the whole batch outside every loop (it
//    would, on one thread); the conv's is read in the loop, the sum's is
//    kept for the sum (fused into the sum's loop, the whole batch would
//    be padded again for each of its 32 steps);
//  - stage 0: the conv is in the loop over the images, but not fused into
//    its layout copy's channel x row tiles; its register tile is 7 output
//    columns x 32 output channels (14 accumulator registers), one input
//    channel and one filter tap per step, the taps innermost; for AVX2
//    (16 registers of 8 floats) 2 rows x 3 columns x 16 channels, the
//    input channel innermost, and the last 2 of the 14 columns peeled
//    off as a 2 x 2 x 16 step;
//  - the conv's sum over the batch, then stage 1: what reads that sum;
//  - the sum of the padded input reads only the padded images, and only
//    the return reads it: it goes last, spread over its 32 channels.

// CHECK-LABEL: func.func @lane_conv
// CHECK-NOT:   tensor.pad
// CHECK:       %[[STAGE0:.+]]:3 = scf.forall (%{{.+}}) in (%{{.+}}) shared_outs
// CHECK:         tensor.pad
// CHECK:         %[[PADDED:.+]] = tensor.pad
// CHECK:         linalg.fill {{.*}} -> tensor<1x14x14x32xf32>
// CHECK:         scf.for %{{.+}} = %c0 to %c14 step %c1
// CHECK:           scf.for %{{.+}} = %c0 to %c14 step %c7
// CHECK:             scf.for %{{.+}} = %c0 to %c32 step %c1
// CHECK:               scf.for %{{.+}} = %c0 to %c3 step %c1
// CHECK:                 scf.for %{{.+}} = %c0 to %c3 step %c1
// CHECK:                   linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : tensor<1x1x1x7xf32>, tensor<1x1x1x32xf32>) outs(%{{.+}} : tensor<1x1x7x32xf32>)
// CHECK:         scf.for %{{.+}} = %c0 to %c32 step %c8
// CHECK:           scf.for %{{.+}} = %c0 to %c14 step %c1
// CHECK-NOT:         scf.for
// CHECK:             linalg.generic {{.*}} ins(%{{.+}} : tensor<1x1x14x8xf32>) outs(%{{.+}} : tensor<1x8x1x14xf32>)
// CHECK:         tensor.parallel_insert_slice %[[PADDED]]
// CHECK:       scf.forall (%{{.+}}) in (32) shared_outs({{.+}}) -> (tensor<32xf32>)
// CHECK-NOT:     tensor.pad
// CHECK:       scf.forall (%{{.+}}) in (%{{.+}}) shared_outs({{.+}}) -> (tensor<?x32x14x14xf32>)
// CHECK:         arith.subf
// CHECK:       scf.forall (%{{.+}}) in (32) shared_outs({{.+}}) -> (tensor<32x16x16xf32>)
// CHECK-NOT:     tensor.pad
// CHECK:         tensor.extract_slice %[[STAGE0]]#0
// CHECK-NOT:   scf.forall (
// CHECK:       return

// AVX2-LABEL: func.func @lane_conv
// AVX2:         scf.for %{{.+}} = %c0 to %c14 step %c2
// AVX2:           scf.for %{{.+}} = %c0 to %c12 step %c3
// AVX2:             scf.for %{{.+}} = %c0 to %c32 step %c16
// AVX2:               scf.for %{{.+}} = %c0 to %c3 step %c1
// AVX2:                 scf.for %{{.+}} = %c0 to %c3 step %c1
// AVX2:                   scf.for %{{.+}} = %c0 to %c32 step %c1
// AVX2:                     linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : tensor<1x1x2x3xf32>, tensor<1x1x1x16xf32>) outs(%{{.+}} : tensor<1x2x3x16xf32>)
// AVX2:           scf.for %{{.+}} = %c0 to %c32 step %c16
// AVX2:             scf.for %{{.+}} = %c0 to %c3 step %c1
// AVX2:               scf.for %{{.+}} = %c0 to %c3 step %c1
// AVX2:                 scf.for %{{.+}} = %c0 to %c32 step %c1
// AVX2:                   linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : tensor<1x1x2x2xf32>, tensor<1x1x1x16xf32>) outs(%{{.+}} : tensor<1x2x2x16xf32>)
// AVX2:         scf.for %{{.+}} = %c0 to %c32 step %c4
#last = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#batch = affine_map<(d0, d1, d2, d3) -> (d3, d0, d1, d2)>
#ybatch = affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>
#chan = affine_map<(d0, d1, d2, d3) -> (d0)>
#chan1 = affine_map<(d0, d1, d2, d3) -> (d1)>
#vec = affine_map<(d0) -> (d0)>
#sumout = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
func.func @lane_conv(%x: tensor<?x32x14x14xf32>, %w: tensor<32x32x3x3xf32>) -> (tensor<?x32x14x14xf32>, tensor<32x16x16xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x14x14xf32>
  %pad = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<?x32x14x14xf32> to tensor<?x32x16x16xf32>
  %e2 = tensor.empty(%n) : tensor<?x32x14x14xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%pad, %w : tensor<?x32x16x16xf32>, tensor<32x32x3x3xf32>) outs(%init : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %e3 = tensor.empty() : tensor<32x16x16xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<32x16x16xf32>) -> tensor<32x16x16xf32>
  %sum = linalg.generic {indexing_maps = [#batch, #sumout], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%pad : tensor<?x32x16x16xf32>) outs(%z3 : tensor<32x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<32x16x16xf32>
  %e4 = tensor.empty() : tensor<32xf32>
  %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<32xf32>) -> tensor<32xf32>
  %mean = linalg.generic {indexing_maps = [#ybatch, #chan], iterator_types = ["parallel", "reduction", "reduction", "reduction"]}
      ins(%y : tensor<?x32x14x14xf32>) outs(%z4 : tensor<32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<32xf32>
  %e6 = tensor.empty() : tensor<32xf32>
  %scaled = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]}
      ins(%mean : tensor<32xf32>) outs(%e6 : tensor<32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.mulf %in, %in : f32
    linalg.yield %s : f32
  } -> tensor<32xf32>
  %e5 = tensor.empty(%n) : tensor<?x32x14x14xf32>
  %centred = linalg.generic {indexing_maps = [#id, #chan1, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y, %scaled : tensor<?x32x14x14xf32>, tensor<32xf32>) outs(%e5 : tensor<?x32x14x14xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %s = arith.subf %in, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x32x14x14xf32>
  return %centred, %sum : tensor<?x32x14x14xf32>, tensor<32x16x16xf32>
}

// A 7x7 image and AVX2's 2 x 3 x 16 tile divide neither way: the rows'
// last step (1 row) and the columns' (1 column) are peeled, the columns
// first, so the last row's step has its own peeled column: four static
// step shapes, none left with a dynamic size.
// AVX2-LABEL: func.func @peeled_both_ways
// AVX2-NOT:     affine.min
// AVX2:         scf.for %{{.+}} = %c0 to %c6 step %c2
// AVX2:           scf.for %{{.+}} = %c0 to %c6 step %c3
// AVX2:             outs(%{{.+}} : tensor<1x2x3x16xf32>)
// AVX2:           outs(%{{.+}} : tensor<1x2x1x16xf32>)
// AVX2:         scf.for %{{.+}} = %c0 to %c6 step %c3
// AVX2:           outs(%{{.+}} : tensor<1x1x3x16xf32>)
// AVX2:         outs(%{{.+}} : tensor<1x1x1x16xf32>)
// AVX2-NOT:     affine.min
// AVX2:         return
func.func @peeled_both_ways(%x: tensor<?x16x9x9xf32>, %w: tensor<16x16x3x3xf32>) -> tensor<?x16x7x7xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x16x9x9xf32>
  %e = tensor.empty(%n) : tensor<?x16x7x7xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x16x7x7xf32>) -> tensor<?x16x7x7xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x16x9x9xf32>, tensor<16x16x3x3xf32>) outs(%z : tensor<?x16x7x7xf32>) -> tensor<?x16x7x7xf32>
  return %y : tensor<?x16x7x7xf32>
}

// max_pool2d_grad's first-maximum codes over the windows of a lane conv's
// result, which the strategy computes channels-last ([N, OH, KH, OW, KW,
// C] windows) before a transpose of the codes back to NCHW: the reduction
// is not fused into that transpose's tiles of a few channels; it steps
// one window element of whole channels at a time (a row of 7 windows with
// AVX-512's 16 lanes, one window with AVX2's 8), then the transpose runs.
// CHECK-LABEL: func.func @window_codes
// CHECK:       %[[CODES:.+]] = scf.for {{.*}} -> (tensor<1x7x7x32xf32>)
// CHECK:         scf.for %{{.+}} = %c0 to %c2 step %c1
// CHECK:           scf.for %{{.+}} = %c0 to %c2 step %c1
// CHECK:             linalg.generic {{.*}} ins(%{{.+}} : tensor<1x1x1x7x1x32xf32>)
// CHECK:       scf.for %{{.+}} = %c0 to %c32 step %c8
// CHECK:         tensor.extract_slice %[[CODES]]{{.*}} to tensor<1x1x7x8xf32>
// AVX2-LABEL:  func.func @window_codes
// AVX2:        %[[CODES:.+]] = scf.for {{.*}} -> (tensor<1x7x7x32xf32>)
// AVX2:          scf.for
// AVX2:            scf.for %{{.+}} = %c0 to %c2 step %c1
// AVX2:              scf.for %{{.+}} = %c0 to %c2 step %c1
// AVX2:                linalg.generic {{.*}} ins(%{{.+}} : tensor<1x1x1x1x1x32xf32>)
// AVX2:        scf.for %{{.+}} = %c0 to %c32 step %c4
// AVX2:          tensor.extract_slice %[[CODES]]{{.*}} to tensor<1x1x7x4xf32>
func.func @window_codes(%x: tensor<?x32x16x16xf32>, %w: tensor<32x32x3x3xf32>)
    -> tensor<?x32x7x7xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x16x16xf32>
  %e = tensor.empty(%n) : tensor<?x32x14x14xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x32x16x16xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %windows = tensor.expand_shape %y [[0], [1], [2, 3], [4, 5]] output_shape [%n, 32, 7, 2, 7, 2] : tensor<?x32x14x14xf32> into tensor<?x32x7x2x7x2xf32>
  %e2 = tensor.empty(%n) : tensor<?x32x7x7xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %codes = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%windows : tensor<?x32x7x2x7x2xf32>) outs(%z2 : tensor<?x32x7x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32x7x7xf32>
  return %codes : tensor<?x32x7x7xf32>
}
