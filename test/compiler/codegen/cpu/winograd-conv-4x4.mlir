// RUN: cnnc-opt %s --split-input-file --cnn-cpu-strategy="cpu=x86-64-v4" | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-cpu-strategy="cpu=x86-64-v4 winograd-tile=2" | FileCheck %s --check-prefix=FORCED
// RUN: cnnc-opt %s --split-input-file --cnn-cpu-strategy="cpu=x86-64-v4" --cnn-cpu-tile-and-fuse --canonicalize --cse --cnn-cpu-winograd-conv="cpu=x86-64-v4" --canonicalize --cse | FileCheck %s --check-prefix=LOWERED

// A 3x3 conv of 14x14 outputs, 32 channels in and out, outside a training
// step: Winograd's F(4x4, 3x3), 16 tiles of 4x4 outputs and 36 points a
// channel pair (576 products, against F(2x2, 3x3)'s 49 tiles of 16 points,
// 784); the last row and column of tiles reach past the image. Its
// products in steps of 8 tiles x 32 output channels, which divide the 16
// tiles (16 accumulators). winograd-tile=2 asks for F(2x2, 3x3).
// CHECK-LABEL:  func.func @conv
// CHECK:          registers = [1, 1, 8, 32, 1, 1, 1], algorithm = "winograd4x4"
// FORCED-LABEL: func.func @conv
// FORCED:         registers = [1, 1, 7, 32, 1, 1, 1], algorithm = "winograd">

// The filter's 36 points, once: G's rows of 1/4, -1/6 and 1/24, 1/12, 1/6.
// LOWERED-LABEL: func.func @conv
// LOWERED-DAG:     arith.constant dense<2.500000e-01> : vector<16xf32>
// LOWERED-DAG:     arith.constant dense<-0.166666672> : vector<16xf32>
// LOWERED-DAG:     arith.constant dense<0.0416666679> : vector<16xf32>
// LOWERED:         %[[U:.+]] = scf.for {{.*}} -> (tensor<36x32x32xf32>)
// LOWERED:         scf.forall
// Per image, the tiles in 2 bands of 2 tile rows (8 tiles, one register
// step), each transformed, multiplied and transformed back before the
// next: V and M of 8 tiles, not 16, with room for 9 (an odd count: a
// tile's points, a row apart, spread over the cache's sets). The input
// tiles of 6 x 6 at rows and columns 4 apart: the first band's 8 tiles,
// inside the image, read 36 values each.
// LOWERED:           %[[V0:.+]] = tensor.empty() : tensor<36x9x32xf32>
// LOWERED:           scf.for %[[C:.+]] = %c0 to %c32 step %c16 iter_args(%{{.+}} = %[[V0]])
// LOWERED:             scf.for %{{.+}} = %c0 to %c2 step %c1
// LOWERED:               scf.for %{{.+}} = %c0 to %c3 step %c1
// LOWERED-COUNT-36:        vector.transfer_read %[[IN:[0-9a-z_#]+]]{{.*}} : tensor<1x16x16x32xf32>, vector<16xf32>
// LOWERED-NOT:             vector.transfer_read %[[IN]]
// LOWERED-COUNT-36:        vector.transfer_write {{.*}} : vector<16xf32>, tensor<36x9x32xf32>
// LOWERED:               scf.yield
// The products: 36 points, 1 step of 8 tiles x 32 channels (2 filter
// loads, 8 broadcasts, 16 FMAs an input channel).
// LOWERED:           scf.for %{{.+}} = %c0 to %c36 step %c1
// LOWERED-NEXT:        scf.for %{{.+}} = %c0 to %c32 step %c1 iter_args
// LOWERED-COUNT-2:       vector.transfer_read %[[U]]
// LOWERED-COUNT-16:      vector.fma
// LOWERED-NOT:           vector.fma
// LOWERED:               scf.yield
// Back to 4 x 4 outputs, added to the conv's initial values: 16 a tile
// inside the image, the last column of tiles its 2 columns inside (8).
// LOWERED:           scf.for %{{.+}} = %c0 to %c32 step %c16 iter_args(%{{.+}}) -> (tensor<1x14x14x32xf32>)
// LOWERED:             scf.for %{{.+}} = %c0 to %c2 step %c1
// LOWERED:               scf.for %{{.+}} = %c0 to %c3 step %c1
// LOWERED-COUNT-36:        vector.transfer_read %{{.+}} : tensor<36x9x32xf32>, vector<16xf32>
// LOWERED-COUNT-16:        vector.transfer_write {{.*}} : vector<16xf32>, tensor<1x14x14x32xf32>
// LOWERED-NOT:             vector.transfer_write {{.*}} : vector<16xf32>, tensor<1x14x14x32xf32>
// LOWERED:                 scf.yield
// LOWERED-COUNT-36:      vector.transfer_read %{{.+}} : tensor<36x9x32xf32>, vector<16xf32>
// LOWERED-COUNT-8:       vector.transfer_write {{.*}} : vector<16xf32>, tensor<1x14x14x32xf32>
// The second band, the same three phases (its last row of tiles reads and
// writes only the rows inside the image).
// LOWERED:           scf.for %{{.+}} = %c0 to %c32 step %c16 iter_args(%{{.+}}) -> (tensor<36x9x32xf32>)
// LOWERED:           scf.for %{{.+}} = %c0 to %c36 step %c1
// LOWERED:           scf.for %{{.+}} = %c0 to %c32 step %c16 iter_args(%{{.+}}) -> (tensor<1x14x14x32xf32>)
// LOWERED:           scf.forall.in_parallel
// LOWERED-NOT:     tensor<36x1{{[67]}}x32xf32>
// LOWERED-NOT:     algorithm = "winograd
func.func @conv(%x: tensor<?x32x14x14xf32>, %w: tensor<32x32x3x3xf32>, %init: tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32> {
  %cst = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %cst : f32
  } : tensor<?x32x14x14xf32> to tensor<?x32x16x16xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w : tensor<?x32x16x16xf32>, tensor<32x32x3x3xf32>) outs(%init : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  return %y : tensor<?x32x14x14xf32>
}

// -----

// A training step's forward conv and its input gradient: F(4x4, 3x3)
// where it multiplies less, as outside training (their rounding stays
// inside f32's own spread, bench/RESULTS.md, stop 50); forced to F(2x2,
// 3x3) by winograd-tile=2.
// CHECK-LABEL:  func.func @train_conv
// CHECK:          registers = [1, 1, 8, 32, 1, 1, 1], algorithm = "winograd4x4"
// FORCED-LABEL: func.func @train_conv
// FORCED:         registers = [1, 1, 7, 32, 1, 1, 1], algorithm = "winograd">
module attributes {cnn.mode = "train"} {
func.func @train_conv(%x: tensor<?x32x16x16xf32>, %w: tensor<32x32x3x3xf32>, %init: tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x32x16x16xf32>, tensor<32x32x3x3xf32>) outs(%init : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  return %y : tensor<?x32x14x14xf32>
}
}

// -----

// Distinct blocks' filters in inference: a stack [S, 3, 3, C, F] made once,
// each block's conv reading its slice inside each image's loop. The whole
// stack is transformed once, before the images' loop, and each conv reads
// its slice of that: not one transform per image and block.
// LOWERED-LABEL: func.func @stacked_filters
// LOWERED:         %[[U:.+]] = scf.for %{{.+}} = %c0 to %c3 step %c1 iter_args(%{{.+}}) -> (tensor<3x36x32x32xf32>)
// LOWERED:         scf.forall
// LOWERED:           scf.for %[[B:.+]] = %c0 to %c3 step %c1
// LOWERED-NOT:         tensor<36x32x32xf32>) {
// LOWERED:             %[[UB:.+]] = tensor.extract_slice %[[U]][%[[B]], 0, 0, 0] [1, 36, 32, 32] [1, 1, 1, 1] : tensor<3x36x32x32xf32> to tensor<36x32x32xf32>
// LOWERED-NOT:         tensor<36x32x32xf32>) {
// LOWERED:             vector.transfer_read %[[UB]]
func.func @stacked_filters(%x: tensor<?x16x16x32xf32>, %ws: tensor<3x3x3x32x32xf32>) -> tensor<?x14x14x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %cst = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x16x16x32xf32>
  %e = tensor.empty(%n) : tensor<?x14x14x32xf32>
  %r = scf.forall (%i) in (%n) shared_outs(%out = %e) -> (tensor<?x14x14x32xf32>) {
    %img = tensor.extract_slice %x[%i, 0, 0, 0] [1, 16, 16, 32] [1, 1, 1, 1] : tensor<?x16x16x32xf32> to tensor<1x16x16x32xf32>
    %e1 = tensor.empty() : tensor<1x14x14x32xf32>
    %z = linalg.fill ins(%cst : f32) outs(%e1 : tensor<1x14x14x32xf32>) -> tensor<1x14x14x32xf32>
    %y = scf.for %b = %c0 to %c3 step %c1 iter_args(%acc = %z) -> (tensor<1x14x14x32xf32>) {
      %w = tensor.extract_slice %ws[%b, 0, 0, 0, 0] [1, 3, 3, 32, 32] [1, 1, 1, 1, 1] : tensor<3x3x3x32x32xf32> to tensor<3x3x32x32xf32>
      %c = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d5, d2 + d6, d4)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d5, d6, d4, d3)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%img, %w : tensor<1x16x16x32xf32>, tensor<3x3x32x32xf32>) outs(%acc : tensor<1x14x14x32xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "lane_conv", registers = [1, 1, 8, 32, 1, 1, 1], algorithm = "winograd4x4">} {
      ^bb0(%a: f32, %bb: f32, %o: f32):
        %m = arith.mulf %a, %bb : f32
        %s = arith.addf %o, %m : f32
        linalg.yield %s : f32
      } -> tensor<1x14x14x32xf32>
      scf.yield %c : tensor<1x14x14x32xf32>
    }
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %y into %out[%i, 0, 0, 0] [1, 14, 14, 32] [1, 1, 1, 1] : tensor<1x14x14x32xf32> into tensor<?x14x14x32xf32>
    }
  }
  return %r : tensor<?x14x14x32xf32>
}
