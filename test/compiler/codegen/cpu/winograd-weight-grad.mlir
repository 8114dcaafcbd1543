// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v4" | FileCheck %s --check-prefix=AVX512
// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v3" | FileCheck %s --check-prefix=AVX2
// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v4 winograd-tile=2" --cnn-cpu-tile-and-fuse --canonicalize --cse --cnn-cpu-winograd-conv="cpu=x86-64-v4" --canonicalize --cse | FileCheck %s --check-prefix=LOWERED
// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v4" --cnn-cpu-tile-and-fuse --canonicalize --cse --cnn-cpu-winograd-conv="cpu=x86-64-v4" --canonicalize --cse | FileCheck %s --check-prefix=DEFAULT
// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v4 winograd-tile=2" | FileCheck %s --check-prefix=FORCED2
// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v4 winograd-tile=4" --cnn-cpu-tile-and-fuse --canonicalize --cse --cnn-cpu-winograd-conv="cpu=x86-64-v4" --canonicalize --cse | FileCheck %s --check-prefix=FORCED4

// The weight gradient of a 3x3, stride-1 conv over 14x14 images, 32
// channels in and out: Winograd over channels-last x (padded) and dy, the
// same loops (o, c, i, j | n, h, w). F(3x3, 4x4), whose 4x4 tiles of dy
// (the last ones reaching past it) multiply 576 times a channel pair,
// against F(3x3, 2x2)'s 7x7 tiles of 2x2, 784. Its step of the
// transformed products: 8 output channels (broadcasts) x 32 input channels
// (2 loads) on AVX-512, 4 x 16 with AVX2 (half the registers as
// accumulators).
// AVX512-DAG:   #[[X:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d2 + d5, d3 + d6, d1)>
// AVX512-DAG:   #[[DY:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d0)>
// AVX512-DAG:   #[[DW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// AVX512-LABEL: func.func @block
// AVX512:         %[[PAD:.+]] = tensor.pad
// AVX512:         } : tensor<?x32x14x14xf32> to tensor<?x32x16x16xf32>
// AVX512:         %[[XT:.+]] = linalg.generic {{.*}} ins(%[[PAD]] : tensor<?x32x16x16xf32>) outs(%{{.+}} : tensor<?x16x16x32xf32>)
// AVX512:         %[[DYT:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<?x32x14x14xf32>) outs(%{{.+}} : tensor<?x14x14x32xf32>)
// AVX512:         linalg.generic {indexing_maps = [#[[X]], #[[DY]], #[[DW]]], {{.*}} ins(%[[XT]], %[[DYT]] : tensor<?x16x16x32xf32>, tensor<?x14x14x32xf32>) outs(%{{.+}} : tensor<32x32x3x3xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "batch_contraction", registers = [8, 32, 1, 1, 1, 1, 1], algorithm = "winograd4x4">}
// AVX512-NOT:     linalg.transpose
// AVX2-LABEL:   func.func @block
// AVX2:           registers = [4, 16, 1, 1, 1, 1, 1], algorithm = "winograd4x4"
// DEFAULT-LABEL: func.func @block
// DEFAULT:         scf.forall (%{{.+}}) in (4) shared_outs(%{{.+}}) -> (tensor<4x36x32x32xf32>)
// DEFAULT:           tensor<36x17x32xf32>
// DEFAULT-NOT:       tensor<16x49x32xf32>

// F(3x3, 2x2) (winograd-tile=2 in these LOWERED lines): the batch in 4
// parts the threads share, each part's products summed
// into its own partial [16, F, C], image by image: x's 49 tiles
// transformed (16 reads, 16 points) and dy's (4 reads, 16 points), then
// 16 products in register tiles, 2 loads of V and 8 broadcasts of D for 16
// FMAs a tile of dy.
// LOWERED-LABEL: func.func @block
// LOWERED:         %[[PARTS:.+]] = scf.forall (%[[P:.+]]) in (4) shared_outs(%[[ALL:.+]] = %{{.+}}) -> (tensor<4x16x32x32xf32>)
// LOWERED:           %[[MINE:.+]] = tensor.extract_slice %[[ALL]][%[[P]], 0, 0, 0] [1, 16, 32, 32] [1, 1, 1, 1] : tensor<4x16x32x32xf32> to tensor<16x32x32xf32>
// LOWERED:           %[[ZEROS:.+]] = scf.for {{.*}} iter_args(%{{.+}} = %[[MINE]])
// LOWERED:           scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c1 iter_args(%{{.+}} = %[[ZEROS]]) -> (tensor<16x32x32xf32>)
// LOWERED:             scf.for %{{.+}} = %c0 to %c32 step %c16 iter_args(%{{.+}} = %{{.+}}) -> (tensor<16x49x32xf32>)
// LOWERED-COUNT-16:      vector.transfer_read %{{.+}} : tensor<?x16x16x32xf32>, vector<16xf32>
// LOWERED-COUNT-16:      vector.transfer_write {{.*}} : vector<16xf32>, tensor<16x49x32xf32>
// LOWERED:             scf.for %{{.+}} = %c0 to %c32 step %c16 iter_args(%{{.+}} = %{{.+}}) -> (tensor<16x49x32xf32>)
// LOWERED-COUNT-4:       vector.transfer_read %{{.+}} : tensor<?x14x14x32xf32>, vector<16xf32>
// LOWERED-COUNT-16:      vector.transfer_write {{.*}} : vector<16xf32>, tensor<16x49x32xf32>
// Each point also asks the second-level cache for its share of the next
// image's rows (min(n + 1, N - 1)) of x and dy, 2 of their 30 rows a
// point, every line of a row (16 columns x 2 lines of 16 channels; dy
// 14 x 2), through a read-only view of the tensor: x's first, then dy's.
// LOWERED:             %[[NEXT:.+]] = arith.minsi %{{.+}}, %{{.+}} : index
// LOWERED:             scf.for %[[K:.+]] = %c0 to %c16 step %c1
// LOWERED:               %[[ROW:.+]] = arith.muli %[[K]], %c2 : index
// LOWERED:               %[[XB:.+]] = bufferization.to_buffer %{{.+}} read_only : tensor<?x16x16x32xf32> to memref<?x16x16x32xf32, strided<[?, ?, ?, ?], offset: ?>>
// LOWERED:               scf.if
// LOWERED-COUNT-32:        memref.prefetch %[[XB]][%[[NEXT]], %[[ROW]], %c{{[0-9]+}}, %c{{0|16}}], read, locality<2>, data
// LOWERED:               scf.if
// LOWERED:               %[[DB:.+]] = bufferization.to_buffer %{{.+}} read_only : tensor<?x14x14x32xf32>
// LOWERED:               scf.if
// LOWERED-COUNT-28:        memref.prefetch %[[DB]][%[[NEXT]], %{{.+}}, %c{{[0-9]+}}, %c{{0|16}}], read, locality<2>, data
// LOWERED:               scf.for %{{.+}} = %c0 to %c32 step %c8
// LOWERED-COUNT-16:        vector.transfer_read %{{.+}} : tensor<16x32x32xf32>, vector<16xf32>
// LOWERED:                 scf.for %{{.+}} = %c0 to %c49 step %c1 iter_args
// LOWERED-COUNT-2:           vector.transfer_read %{{.+}} : tensor<16x49x32xf32>, vector<16xf32>
// LOWERED:                   %[[D:.+]] = tensor.extract %{{.+}} : tensor<16x49x32xf32>
// LOWERED-NEXT:              %[[B:.+]] = vector.broadcast %[[D]] : f32 to vector<16xf32>
// LOWERED-NEXT:              vector.fma %[[B]]
// LOWERED-NEXT:              vector.fma %[[B]]
// LOWERED-COUNT-14:          vector.fma
// LOWERED-NOT:               vector.fma
// LOWERED:                   scf.yield {{(%[0-9]+, ){15}%[0-9]+}} :
// LOWERED-COUNT-16:        vector.transfer_write {{.*}} : vector<16xf32>, tensor<16x32x32xf32>
// LOWERED:           scf.forall.in_parallel
// LOWERED-NEXT:        tensor.parallel_insert_slice %{{.+}} into %[[ALL]][%[[P]], 0, 0, 0] [1, 16, 32, 32] [1, 1, 1, 1]
// The 4 partials summed (3 adds a point) and A's transform (with its
// halves) to the 9 taps, the output channels in 4 parts of 8 the threads
// share: per output channel and register of 16 input channels, the taps'
// nine registers go transposed into dw's 16 x 9 values there (a row of
// [8, 32 x 9] per part), each register added to dw's initial values there
// (zeros here).
// LOWERED:         scf.forall (%[[Q:.+]]) in (4) shared_outs(%[[DW:.+]] = %{{.+}}) -> (tensor<32x32x3x3xf32>)
// LOWERED:           %[[F0:.+]] = arith.muli %[[Q]], %c8
// LOWERED:           %[[SLICE:.+]] = tensor.extract_slice %[[DW]][%[[F0]], 0, 0, 0] [8, 32, 3, 3] [1, 1, 1, 1]
// LOWERED:           tensor.collapse_shape %[[SLICE]] {{\[}}[0], [1, 2, 3]] : tensor<8x32x3x3xf32> into tensor<8x288xf32>
// LOWERED:           scf.for %{{.+}} = %c0 to %c8 step %c1
// LOWERED:             scf.for %{{.+}} = %c0 to %c32 step %c16
// LOWERED-COUNT-64:      vector.transfer_read %[[PARTS]]
// LOWERED-COUNT-9:       vector.from_elements
// LOWERED-NOT:           vector.transfer_read %[[PARTS]]
// LOWERED:           tensor.expand_shape
// LOWERED:           scf.forall.in_parallel
// LOWERED-NEXT:        tensor.parallel_insert_slice %{{.+}} into %[[DW]][%[[F0]], 0, 0, 0] [8, 32, 3, 3] [1, 1, 1, 1]
// LOWERED-NOT:     linalg.generic
// LOWERED:         return
// LOWERED-NOT:     algorithm = "winograd"
// Forced to F(3x3, 4x4), whose 4x4 tiles reach past 14 x 14: dy's tiles in
// runs by rows and columns inside it (4 or 2 each way), the rows and
// columns past it zeros, not reads: 16 + 8 + 8 + 4 reads of dy.
// FORCED4-LABEL: func.func @block
// FORCED4:         scf.forall (%{{.+}}) in (4) shared_outs(%{{.+}}) -> (tensor<4x36x32x32xf32>)
// FORCED4-COUNT-36:  vector.transfer_read %{{.+}} : tensor<?x14x14x32xf32>, vector<16xf32>
// FORCED4-NOT:       vector.transfer_read %{{.+}} : tensor<?x14x14x32xf32>, vector<16xf32>
// FORCED4:         scf.for %{{.+}} = %c0 to %c16 step %c1 iter_args
module attributes {cnn.mode = "train"} {
func.func @block(%x: tensor<?x32x14x14xf32>, %dy: tensor<?x32x14x14xf32>) -> tensor<32x32x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<32x32x3x3xf32>
  return %0 : tensor<32x32x3x3xf32>
}
}

// -----

// Odd sides of dy (7x7), a stride of 2, or output channels that fill no
// vector register (AVX-512, 8): computed directly.
// AVX512-LABEL: func.func @odd
// AVX512-NOT:     algorithm = "winograd"
// AVX512-LABEL: func.func @strided
// AVX512-NOT:     algorithm = "winograd"
// AVX512-LABEL: func.func @narrow
// AVX512-NOT:     algorithm = "winograd"
// AVX512:         return
module attributes {cnn.mode = "train"} {
func.func @odd(%x: tensor<?x32x7x7xf32>, %dy: tensor<?x32x7x7xf32>) -> tensor<32x32x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x32x7x7xf32>, tensor<?x32x7x7xf32>) -> tensor<32x32x3x3xf32>
  return %0 : tensor<32x32x3x3xf32>
}
func.func @strided(%x: tensor<?x32x14x14xf32>, %dy: tensor<?x32x7x7xf32>) -> tensor<32x32x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [2, 2] padding [1, 1] : (tensor<?x32x14x14xf32>, tensor<?x32x7x7xf32>) -> tensor<32x32x3x3xf32>
  return %0 : tensor<32x32x3x3xf32>
}
func.func @narrow(%x: tensor<?x32x14x14xf32>, %dy: tensor<?x8x14x14xf32>) -> tensor<8x32x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x32x14x14xf32>, tensor<?x8x14x14xf32>) -> tensor<8x32x3x3xf32>
  return %0 : tensor<8x32x3x3xf32>
}
}

// -----

// x a conv's output, channels-last: the weight gradient reads it through
// its padding, no padded copy made; the tiles at the border read zeros
// there (the corner tile (0, 0) 3 x 3 values of x, the first row's tiles
// between the corners 3 x 4).
// (The conv pads its NCHW input, image by image, and reads a channels-last
// copy of it.)
// LOWERED-LABEL: func.func @after_conv
// LOWERED:           tensor.pad
// LOWERED:           } : tensor<1x32x14x14xf32> to tensor<1x32x16x16xf32>
// LOWERED-NOT:     tensor.pad
// LOWERED:         scf.forall (%{{.+}}) in (4)
// LOWERED:           scf.for %[[N:.+]] = %{{.+}} to %{{.+}} step %c1 iter_args
// LOWERED:             scf.for %[[C:.+]] = %c0 to %c32 step %c16 iter_args(%{{.+}}) -> (tensor<16x49x32xf32>)
// LOWERED-NEXT:          vector.transfer_read %[[X:[0-9a-z_#]+]][%[[N]], %c0, %c0, %[[C]]], %{{.+}} : tensor<?x14x14x32xf32>, vector<16xf32>
// LOWERED-COUNT-8:       vector.transfer_read %[[X]][%[[N]], %c{{[0-2]}}, %c{{[0-2]}}, %[[C]]]
// LOWERED-NOT:           vector.transfer_read %[[X]]
// LOWERED:               scf.for %{{.+}} = %c1 to %c6 step %c1
// LOWERED-COUNT-12:        vector.transfer_read %[[X]][%[[N]], %c{{[0-2]}}, %{{.+}}, %[[C]]]
// LOWERED-NOT:             vector.transfer_read %[[X]]
// LOWERED:                 scf.yield
// LOWERED-NOT:     tensor.pad
// LOWERED:         return
module attributes {cnn.mode = "train"} {
func.func @after_conv(%x: tensor<?x32x14x14xf32>, %w: tensor<32x32x3x3xf32>, %dy: tensor<?x32x14x14xf32>) -> tensor<32x32x3x3xf32> {
  %y = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x32x14x14xf32>, tensor<32x32x3x3xf32>) -> tensor<?x32x14x14xf32>
  %0 = cnn.conv2d_weight_grad %y, %dy stride [1, 1] padding [1, 1] : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<32x32x3x3xf32>
  return %0 : tensor<32x32x3x3xf32>
}
}

// -----

// At 16 x 16 (CIFAR-2's blocks), F(3x3, 4x4): dy's 16 tiles of 4x4 meet
// x's 6x6 tiles (F(4x4, 3x3)'s input transform), 36 products a tile
// against F(3x3, 2x2)'s 64 tiles of 16 (the rounding is a gradient's, which
// decides nothing). Per image of a part: 36 reads of x and 16 of dy a tile,
// 36 points each, in rows with room for 17 tiles (an odd count); the
// products over 16 tiles; then the 4 partials summed
// and Gᵀ's transform to the 9 taps. Forced to F(3x3, 2x2) by
// winograd-tile=2.
// AVX512-LABEL: func.func @block16
// AVX512:         algorithm = "winograd4x4"
// FORCED2-LABEL: func.func @block16
// FORCED2:         algorithm = "winograd">
// DEFAULT-LABEL: func.func @block16
// DEFAULT:         %[[PARTS:.+]] = scf.forall (%{{.+}}) in (4) shared_outs(%{{.+}}) -> (tensor<4x36x32x32xf32>)
// DEFAULT:             scf.for %{{.+}} = %c0 to %c32 step %c16 iter_args(%{{.+}} = %{{.+}}) -> (tensor<36x17x32xf32>)
// DEFAULT-COUNT-36:      vector.transfer_read %{{.+}} : tensor<?x18x18x32xf32>, vector<16xf32>
// DEFAULT-COUNT-36:      vector.transfer_write {{.*}} : vector<16xf32>, tensor<36x17x32xf32>
// DEFAULT:             scf.for %{{.+}} = %c0 to %c32 step %c16 iter_args(%{{.+}} = %{{.+}}) -> (tensor<36x17x32xf32>)
// DEFAULT-COUNT-16:      vector.transfer_read %{{.+}} : tensor<?x16x16x32xf32>, vector<16xf32>
// DEFAULT-COUNT-36:      vector.transfer_write {{.*}} : vector<16xf32>, tensor<36x17x32xf32>
// DEFAULT:             scf.for %{{.+}} = %c0 to %c36 step %c1
// DEFAULT:               scf.for %{{.+}} = %c0 to %c32 step %c8
// DEFAULT:                 scf.for %{{.+}} = %c0 to %c16 step %c1 iter_args
// DEFAULT:         scf.forall (%{{.+}}) in (4) shared_outs(%{{.+}}) -> (tensor<32x32x3x3xf32>)
// DEFAULT:           scf.for %{{.+}} = %c0 to %c8 step %c1
// DEFAULT:             scf.for %{{.+}} = %c0 to %c32 step %c16
// DEFAULT-COUNT-144:     vector.transfer_read %[[PARTS]]
// DEFAULT-COUNT-9:       vector.from_elements
module attributes {cnn.mode = "train"} {
func.func @block16(%x: tensor<?x32x16x16xf32>, %dy: tensor<?x32x16x16xf32>) -> tensor<32x32x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x32x16x16xf32>, tensor<?x32x16x16xf32>) -> tensor<32x32x3x3xf32>
  return %0 : tensor<32x32x3x3xf32>
}
}

// -----

// A weight gradient added to a running total (a shared block's, summed
// over its uses) starts from that total instead of from zeros: its taps
// are added to the total's values where they go, and no add of its own
// follows. Of two gradients added together, the second starts from the
// first (the first cannot start from the second, made after it).
// AVX512-LABEL: func.func @into_total
// AVX512:         %[[TOTAL:.+]] = bufferization.to_tensor %arg3
// AVX512-NOT:     linalg.fill
// AVX512:         %[[G:.+]] = linalg.generic {{.*}} outs(%[[TOTAL]] : tensor<32x32x3x3xf32>) attrs = {{.*}}algorithm = "winograd4x4"
// AVX512-NOT:     linalg.generic
// AVX512:         bufferization.materialize_in_destination %[[G]]
// AVX512-LABEL: func.func @two_gradients
// AVX512:         %[[ZEROS:.+]] = linalg.fill
// AVX512:         %[[FIRST:.+]] = linalg.generic {{.*}} outs(%[[ZEROS]] : tensor<32x32x3x3xf32>) attrs = {{.*}}algorithm = "winograd4x4"
// AVX512:         %[[SECOND:.+]] = linalg.generic {{.*}} outs(%[[FIRST]] : tensor<32x32x3x3xf32>) attrs = {{.*}}algorithm = "winograd4x4"
// AVX512-NOT:     linalg.generic
// AVX512:         bufferization.materialize_in_destination %[[SECOND]]
// LOWERED-LABEL: func.func @into_total
// LOWERED:         %[[TOTAL:.+]] = bufferization.to_tensor %arg3
// LOWERED:         %[[DW:.+]] = scf.forall (%{{.+}}) in (4) shared_outs(%{{.+}} = %[[TOTAL]]) -> (tensor<32x32x3x3xf32>)
// LOWERED-NOT:     linalg.generic
// LOWERED:         bufferization.materialize_in_destination %[[DW]]
module attributes {cnn.mode = "train"} {
func.func @into_total(%x: tensor<?x32x14x14xf32>, %dy: tensor<?x32x14x14xf32>, %total: tensor<32x32x3x3xf32>) -> tensor<32x32x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<32x32x3x3xf32>
  %1 = cnn.add %total, %0 : (tensor<32x32x3x3xf32>, tensor<32x32x3x3xf32>) -> tensor<32x32x3x3xf32>
  return %1 : tensor<32x32x3x3xf32>
}
func.func @two_gradients(%x: tensor<?x32x14x14xf32>, %dy: tensor<?x32x14x14xf32>) -> tensor<32x32x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<32x32x3x3xf32>
  %1 = cnn.conv2d_weight_grad %dy, %x stride [1, 1] padding [1, 1] : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<32x32x3x3xf32>
  %2 = cnn.add %0, %1 : (tensor<32x32x3x3xf32>, tensor<32x32x3x3xf32>) -> tensor<32x32x3x3xf32>
  return %2 : tensor<32x32x3x3xf32>
}
}

// -----

// A shared block's weight gradient in a loop over its uses, added to the
// total the loop carries: the loop carries the 4 partials instead, set to
// zeros once before it, each use adding its products to them (no zeros
// per use); their sum and the taps' transform run once, after the loop,
// added to the total as it came in.
// LOWERED-LABEL: func.func @uses
// LOWERED:         %[[TOTAL:.+]] = bufferization.to_tensor %arg3
// LOWERED:         %[[ZEROS:.+]] = scf.for %{{.+}} = %c0 to %c4 step %c1 iter_args(%{{.+}}) -> (tensor<4x16x32x32xf32>)
// LOWERED-COUNT-1:   vector.transfer_write %{{.+}} : vector<16xf32>, tensor<16x32x32xf32>
// LOWERED:         %[[SUMS:.+]] = scf.for %{{.+}} = %c0 to %c3 step %c1 iter_args(%[[P:.+]] = %[[ZEROS]]) -> (tensor<4x16x32x32xf32>)
// LOWERED-NEXT:      %[[ADDED:.+]] = scf.forall (%{{.+}}) in (4) shared_outs(%[[PART:.+]] = %[[P]]) -> (tensor<4x16x32x32xf32>)
// LOWERED:             %[[M:.+]] = tensor.extract_slice %[[PART]]
// LOWERED-NEXT:        scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c1 iter_args(%{{.+}} = %[[M]]) -> (tensor<16x32x32xf32>)
// LOWERED:           scf.yield %[[ADDED]] : tensor<4x16x32x32xf32>
// LOWERED:         %[[DW:.+]] = scf.forall (%{{.+}}) in (4) shared_outs(%{{.+}} = %[[TOTAL]]) -> (tensor<32x32x3x3xf32>)
// LOWERED:           vector.transfer_read %[[SUMS]]
// LOWERED:         bufferization.materialize_in_destination %[[DW]]
module attributes {cnn.mode = "train"} {
func.func @uses(%x: tensor<?x32x14x14xf32>, %dy: tensor<?x32x14x14xf32>, %total: tensor<32x32x3x3xf32>) -> tensor<32x32x3x3xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%t = %total) -> (tensor<32x32x3x3xf32>) {
    %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) -> tensor<32x32x3x3xf32>
    %1 = cnn.add %t, %0 : (tensor<32x32x3x3xf32>, tensor<32x32x3x3xf32>) -> tensor<32x32x3x3xf32>
    scf.yield %1 : tensor<32x32x3x3xf32>
  }
  return %r : tensor<32x32x3x3xf32>
}
}
