// RUN: cnnc-opt %s --split-input-file --cnn-cpu-strategy="cpu=x86-64-v3 winograd-tile=2" | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-cpu-strategy="cpu=x86-64-v4 winograd-tile=2" | FileCheck %s --check-prefix=AVX512
// RUN: cnnc-opt %s --split-input-file --cnn-cpu-strategy="cpu=x86-64-v3 winograd-tile=2" --cnn-cpu-tile-and-fuse --canonicalize --cse --cnn-cpu-winograd-conv="cpu=x86-64-v3" --canonicalize --cse | FileCheck %s --check-prefix=LOWERED

// Two 3x3 convs, the second reading the first's output padded (a residual
// block's), 14x14 outputs (7x7 tiles of 2x2), 32 channels in and out:
// Winograd's F(2x2, 3x3) (winograd-tile=2: a training step's choice;
// winograd-conv-4x4.mlir has F(4x4, 3x3), inference's), its products in
// steps of 6 tiles x 16 output channels (AVX2: 12 accumulators, 2 filter
// registers, one broadcast). The second reads channels-last activations
// and adds to the function's %init2; the first reads the function's NCHW
// input, through a channels-last copy of it, from zeros.
// CHECK-LABEL: func.func @block
// CHECK:         %[[COPY:.+]] = linalg.generic {{.*}} ins(%arg0 : tensor<?x32x16x16xf32>) outs(%{{.+}} : tensor<?x16x16x32xf32>)
// CHECK:         linalg.generic {{.*}} ins(%[[COPY]], %{{.+}} : tensor<?x16x16x32xf32>, tensor<3x3x32x32xf32>) {{.*}} {cnn_cpu.config = #cnn_cpu.config<kind = "lane_conv", registers = [1, 1, 6, 16, 1, 1, 1], algorithm = "winograd">}
// CHECK:         linalg.generic {{.*}} ins(%padded, %{{.+}} : tensor<?x16x16x32xf32>, tensor<3x3x32x32xf32>) {{.*}} {cnn_cpu.config = #cnn_cpu.config<kind = "lane_conv", registers = [1, 1, 6, 16, 1, 1, 1], algorithm = "winograd">}
// AVX-512 (32 registers of 16): steps of 7 tiles x 32 output channels.
// AVX512-LABEL: func.func @block
// AVX512-COUNT-2: registers = [1, 1, 7, 32, 1, 1, 1], algorithm = "winograd"

// Each filter's transform once, before the images' loop: 16 points of
// each channel pair, with G's halves.
// LOWERED-LABEL: func.func @block
// LOWERED-DAG:     %[[HALF:.+]] = arith.constant dense<5.000000e-01> : vector<8xf32>
// LOWERED:         %[[U0:.+]] = tensor.empty() : tensor<16x32x32xf32>
// LOWERED:         %[[U1:.+]] = scf.for {{.*}} iter_args(%{{.+}} = %[[U0]]) -> (tensor<16x32x32xf32>)
// LOWERED-COUNT-4:   arith.mulf %{{.+}}, %[[HALF]] : vector<8xf32>
// LOWERED:         %[[U2:.+]] = scf.for {{.*}} -> (tensor<16x32x32xf32>)
// LOWERED:         scf.forall
// The first conv's input, channels-last, image by image.
// LOWERED:           %[[COPY:.+]] = scf.for {{.*}} -> (tensor<1x16x16x32xf32>)
// Its 49 input tiles transformed, a register of channels at a time: 16
// reads of the image, 16 points written.
// LOWERED:           %[[V0:.+]] = tensor.empty() : tensor<16x49x32xf32>
// LOWERED:           scf.for %{{.+}} = %c0 to %c32 step %c8 iter_args(%{{.+}} = %[[V0]])
// LOWERED:             scf.for %{{.+}} = %c0 to %c7 step %c1
// LOWERED:               scf.for %{{.+}} = %c0 to %c7 step %c1
// LOWERED-COUNT-16:        vector.transfer_read %[[COPY]]{{.*}} : tensor<1x16x16x32xf32>, vector<8xf32>
// LOWERED-COUNT-16:        vector.transfer_write {{.*}} : vector<8xf32>, tensor<16x49x32xf32>
// The products: 8 steps of 6 tiles x 16 channels, then the 49th tile.
// LOWERED:           scf.for %{{.+}} = %c0 to %c16 step %c1
// LOWERED:             scf.for %{{.+}} = %c0 to %c32 step %c16
// LOWERED:               scf.for %{{.+}} = %c0 to %c48 step %c6
// LOWERED:                 scf.for %{{.+}} = %c0 to %c32 step %c1 iter_args
// LOWERED-COUNT-2:           vector.transfer_read %[[U1]]
// LOWERED-COUNT-12:          vector.fma
// LOWERED-NOT:               vector.fma
// LOWERED:                   scf.yield
// LOWERED:               scf.for %{{.+}} = %c0 to %c32 step %c1 iter_args
// LOWERED-COUNT-2:         vector.fma
// LOWERED-NOT:             vector.fma
// LOWERED:                 scf.yield
// Back to 2x2 outputs, written: the conv's initial values are zeros, not
// read (nor made).
// LOWERED:           scf.for %{{.+}} = %c0 to %c32 step %c8
// LOWERED:             scf.for %{{.+}} = %c0 to %c7 step %c1
// LOWERED:               scf.for %{{.+}} = %c0 to %c7 step %c1
// LOWERED-COUNT-16:        vector.transfer_read %{{.+}} : tensor<16x49x32xf32>, vector<8xf32>
// LOWERED-NOT:             vector.transfer_read
// LOWERED-COUNT-4:         vector.transfer_write {{.*}} : vector<8xf32>, tensor<1x14x14x32xf32>
// The second conv the same way, with the second filter's points, from the
// first's output itself: no padded copy is made. Its tiles at the border
// read zeros where the padding would be (which the transform's adds leave
// out): the corner tile (0, 0) reads rows and columns 0-2 (9 values; its
// first point, 0 - d[2], is row 1 negated), the first row's tiles between
// the corners 3 rows x 4 columns, in a loop of their own.
// LOWERED-NOT:       tensor.pad
// LOWERED:           scf.for %[[C:.+]] = %c0 to %c32 step %c8 iter_args(%{{.+}}) -> (tensor<16x49x32xf32>)
// LOWERED-NEXT:        vector.transfer_read %[[Y:[0-9a-z_#]+]][%c0, %c0, %c0, %[[C]]], %{{.+}} : tensor<1x14x14x32xf32>, vector<8xf32>
// LOWERED-NEXT:        %[[ROW1:.+]] = vector.transfer_read %[[Y]][%c0, %c1, %c0, %[[C]]]
// LOWERED-NEXT:        vector.transfer_read %[[Y]][%c0, %c2, %c0, %[[C]]]
// LOWERED-NEXT:        arith.negf %[[ROW1]]
// LOWERED-COUNT-6:     vector.transfer_read %[[Y]][%c0, %c{{[0-2]}}, %c{{[12]}}, %[[C]]]
// LOWERED-NOT:         vector.transfer_read %[[Y]]
// LOWERED:             scf.for %{{.+}} = %c1 to %c6 step %c1
// LOWERED-COUNT-12:      vector.transfer_read %[[Y]][%c0, %c{{[0-2]}}, %{{.+}}, %[[C]]]
// LOWERED-NOT:           vector.transfer_read %[[Y]]
// LOWERED:               scf.yield
// LOWERED:           vector.transfer_read %[[U2]]
// Its initial values are the function's: each output adds to its own.
// LOWERED:           scf.for %{{.+}} = %c0 to %c32 step %c8
// LOWERED:             scf.for %{{.+}} = %c0 to %c7 step %c1
// LOWERED:               scf.for %{{.+}} = %c0 to %c7 step %c1
// LOWERED-COUNT-16:        vector.transfer_read %{{.+}} : tensor<16x49x32xf32>, vector<8xf32>
// LOWERED:                 %[[INIT:.+]] = vector.transfer_read %{{.+}} : tensor<1x14x14x32xf32>, vector<8xf32>
// LOWERED-NEXT:            %[[SUM:.+]] = arith.addf %[[INIT]], %{{.+}} : vector<8xf32>
// LOWERED-NEXT:            vector.transfer_write %[[SUM]]
// LOWERED-NOT:     algorithm = "winograd"
func.func @block(%x: tensor<?x32x16x16xf32>, %w: tensor<32x32x3x3xf32>, %w2: tensor<32x32x3x3xf32>, %init2: tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32> {
  %c0 = arith.constant 0 : index
  %cst = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x16x16xf32>
  %e = tensor.empty(%n) : tensor<?x32x14x14xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x32x16x16xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %p = tensor.pad %y low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %cst : f32
  } : tensor<?x32x14x14xf32> to tensor<?x32x16x16xf32>
  %y2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w2 : tensor<?x32x16x16xf32>, tensor<32x32x3x3xf32>) outs(%init2 : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  return %y2 : tensor<?x32x14x14xf32>
}

// -----

// Odd output sides (7x7) have no whole 2x2 tiles: computed directly.
// CHECK-LABEL: func.func @odd
// CHECK-NOT:     algorithm = "winograd"
// CHECK:         return
func.func @odd(%x: tensor<?x32x9x9xf32>, %w: tensor<32x32x3x3xf32>, %w2: tensor<32x32x3x3xf32>) -> tensor<?x32x7x7xf32> {
  %c0 = arith.constant 0 : index
  %cst = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x9x9xf32>
  %e = tensor.empty(%n) : tensor<?x32x7x7xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x32x9x9xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %p = tensor.pad %y low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %cst : f32
  } : tensor<?x32x7x7xf32> to tensor<?x32x9x9xf32>
  %y2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w2 : tensor<?x32x9x9xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  return %y2 : tensor<?x32x7x7xf32>
}
