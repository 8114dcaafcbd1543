// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v3" | FileCheck %s --check-prefix=AVX2
// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v4" | FileCheck %s --check-prefix=AVX512
// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v3" -cnn-cpu-tile-and-fuse -canonicalize | FileCheck %s --check-prefix=TILED
// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -cnn-cpu-strategy="cpu=x86-64-v4" -cnn-cpu-tile-and-fuse -canonicalize | FileCheck %s --check-prefix=TILED512

// An RGB input's weight gradient: three input channels are no lane, so it
// is a column-lane sum (o, i, j, c, w | n, h). Its register tile takes all
// three input channels and several output channels: each x vector then
// serves every output channel of the tile and each dy vector every input
// channel, 7 loads for 12 FMAs on AVX2 (4 x 3 x 8 lanes) and 11 for 24 on
// AVX-512 (8 x 3 x 16), where one output channel's 3 x 1 tile would load
// 4 vectors for 3 FMAs.
// AVX2-LABEL: func.func @rgb_weight_grad
// AVX2: kind = "batch_contraction", registers = [4, 1, 1, 3, 8, 1, 1]
// AVX512-LABEL: func.func @rgb_weight_grad
// AVX512: kind = "batch_contraction", registers = [8, 1, 1, 3, 16, 1, 1]

// The threads step the output channels by the tile's 4, in the partial
// sums and in the sum of their columns, into which they are fused. The
// padded input, the same for every step, is padded once before the loop,
// not again in each step.
// TILED-LABEL: func.func @rgb_weight_grad
// TILED: tensor.pad
// TILED: scf.forall (%[[O:.+]]) = (0) to (32) step (4)
// TILED-NOT: tensor.pad
// TILED: tensor.extract_slice %{{.+}}[0, %[[O]], 0, 0] [%{{.+}}, 4, 16, 16]
// TILED: linalg.generic
// TILED: } -> tensor<4x1x1x3x8xf32>
// TILED: tensor.parallel_insert_slice %{{.+}} into %{{.+}}[%[[O]], 0, 0, 0] [4, 3, 3, 3]
module attributes {cnn.mode = "train"} {
func.func @rgb_weight_grad(%x: tensor<?x3x16x16xf32>, %dy: tensor<?x32x16x16xf32>) -> tensor<32x3x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x3x16x16xf32>, tensor<?x32x16x16xf32>) -> tensor<32x3x3x3xf32>
  return %0 : tensor<32x3x3x3xf32>
}
}

// -----

// Where the input is also read image by image (the forward conv of a
// training step), its weight gradient's padded copy is padded image by
// image in that loop too, and the weight gradient reads it whole.
// TILED-LABEL: func.func @stage_pads
// TILED: %[[IMAGES:.+]]:2 = scf.forall (%[[I:.+]]) in (%{{.+}}) shared_outs({{.*}}) -> (tensor<?x32x16x16xf32>, tensor<?x3x18x18xf32>)
// TILED:   tensor.pad
// TILED:   %[[PAD:.+]] = tensor.pad
// TILED:   tensor.parallel_insert_slice %[[PAD]] into %{{.+}}[%[[I]], 0, 0, 0] [1, 3, 18, 18]
// TILED: scf.forall (%{{.+}}) = (0) to (32) step (4)
// TILED-NOT: tensor.pad
// TILED:   tensor.extract_slice %[[IMAGES]]#1[0, 0, 0, 0]
// TILED: return
module attributes {cnn.mode = "train"} {
func.func @stage_pads(%x: tensor<?x3x16x16xf32>, %w: tensor<32x3x3x3xf32>, %b: tensor<32xf32>, %dy: tensor<?x32x16x16xf32>) -> (tensor<?x32x16x16xf32>, tensor<32x3x3x3xf32>) {
  %y = cnn.conv2d %x, %w, %b stride [1, 1] padding [1, 1] : (tensor<?x3x16x16xf32>, tensor<32x3x3x3xf32>, tensor<32xf32>) -> tensor<?x32x16x16xf32>
  %gw = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x3x16x16xf32>, tensor<?x32x16x16xf32>) -> tensor<32x3x3x3xf32>
  return %y, %gw : tensor<?x32x16x16xf32>, tensor<32x3x3x3xf32>
}
}

// -----

// A grey input (Fashion-MNIST's first conv): one input channel, 28
// columns. Each output channel needs dy vectors of its own, so the tile
// takes 8 output channels (AVX-512: 16) and one vector of columns, 9 loads
// for 8 FMAs; the 8 columns do not divide 28, and the last step of 4 is
// peeled off. (Before: 1 x 14 columns, 2 loads an FMA.)
// AVX2-LABEL: func.func @grey_weight_grad
// AVX2: kind = "batch_contraction", registers = [8, 1, 1, 1, 8, 1, 1]
// AVX512-LABEL: func.func @grey_weight_grad
// AVX512: kind = "batch_contraction", registers = [16, 1, 1, 1, 16, 1, 1]
// TILED-LABEL: func.func @grey_weight_grad
// TILED: scf.forall (%{{.+}}) = (0) to (32) step (8)
// TILED:   scf.for %{{.+}} = %c0 to %c24 step %c8
// TILED:     } -> tensor<8x1x1x1x8xf32>
// TILED:   } -> tensor<8x1x1x1x4xf32>
module attributes {cnn.mode = "train"} {
func.func @grey_weight_grad(%x: tensor<?x1x28x28xf32>, %dy: tensor<?x32x28x28xf32>) -> tensor<32x1x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x1x28x28xf32>, tensor<?x32x28x28xf32>) -> tensor<32x1x3x3xf32>
  return %0 : tensor<32x1x3x3xf32>
}
}

// -----

// Net's first conv on Fashion-MNIST: one input channel, 16 output channels.
// All 16 would fit AVX-512's tile (16 accumulators, 17 loads for 16 FMAs),
// but then the threads' loop over the output channels has one step and the
// whole gradient runs on one thread; the tile takes 8, two steps.
// AVX2-LABEL: func.func @grey_weight_grad_16
// AVX2: kind = "batch_contraction", registers = [8, 1, 1, 1, 8, 1, 1]
// AVX512-LABEL: func.func @grey_weight_grad_16
// AVX512: kind = "batch_contraction", registers = [8, 1, 1, 1, 16, 1, 1]
// TILED512-LABEL: func.func @grey_weight_grad_16
// TILED512: scf.forall (%{{.+}}) = (0) to (16) step (8)
module attributes {cnn.mode = "train"} {
func.func @grey_weight_grad_16(%x: tensor<?x1x28x28xf32>, %dy: tensor<?x16x28x28xf32>) -> tensor<16x1x3x3xf32> {
  %0 = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<?x1x28x28xf32>, tensor<?x16x28x28xf32>) -> tensor<16x1x3x3xf32>
  return %0 : tensor<16x1x3x3xf32>
}
}
