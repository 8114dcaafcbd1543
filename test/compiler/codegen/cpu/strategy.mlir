// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v4 winograd=false" | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v3 winograd=false" | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v4 features=-avx512f winograd=false" | FileCheck %s --check-prefixes=CHECK,AVX2

// The CPU strategy's decisions for an AVX-512 machine (x86-64-v4: 16-float
// registers, 32 of them) and an AVX2 one (x86-64-v3, or AVX-512 turned off
// with -mattr: 8-float registers, 16 of them), recorded as
// #cnn_cpu.config on each op.

// A conv with 32 output channels is channels-last on both: the filter laid
// out [KH, KW, C, F], the bias broadcast along the channels-last result,
// the register tile k vector registers of output channels at rows x
// columns output positions: of the tiles that load at most 0.75 times per
// FMA, the most accumulators per step on average over the 14 x 14 image,
// the smaller steps at its edges counted (AVX-512: 1 x 7 columns x 32
// channels, 14 of 32 registers, 9 loads for 14 FMAs, 7 divides 14; for
// AVX2, 2 rows x 3 columns x 16 channels, 12 of 16 registers, the last 2
// columns in 2 x 2 steps, 11.2 on average, where 2 x 2 has 8 and 1 x 6
// (last step 1 x 2) 9.3), then the layout copy back to NCHW. A step's
// filter taps stay innermost where the inputs one output row's taps share
// fit the registers beside the accumulators (AVX-512: 14 + 2 + 7 + 2 of
// 32), else the input channel goes innermost (for AVX2, 12 + 2 + 3 + 2 > 16;
// @conv8 on AVX2).
// CHECK-LABEL: func.func @conv32
// CHECK:       linalg.transpose ins(%{{.+}} : tensor<32x16x3x3xf32>) outs(%{{.+}} : tensor<3x3x16x32xf32>) permutation = [2, 3, 1, 0]
// CHECK:       linalg.generic {{.*}} ins(%{{.+}} : tensor<32xf32>) outs(%{{.+}} : tensor<?x14x14x32xf32>)
// AVX512:      linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : tensor<?x16x16x16xf32>, tensor<3x3x16x32xf32>) outs(%{{.+}} : tensor<?x14x14x32xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "lane_conv", registers = [1, 1, 7, 32, 1, 1, 1]>}
// AVX2:        linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : tensor<?x16x16x16xf32>, tensor<3x3x16x32xf32>) outs(%{{.+}} : tensor<?x14x14x32xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "lane_conv", registers = [1, 2, 3, 16, 1, 1, 1], order = [0, 1, 2, 3, 5, 6, 4]>}
// AVX512:      linalg.generic {{.*}} ins(%{{.+}} : tensor<?x14x14x32xf32>) outs(%{{.+}} : tensor<?x32x14x14xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "elementwise", tiles = [0, 8, 1, 0]>}
// AVX2:        linalg.generic {{.*}} ins(%{{.+}} : tensor<?x14x14x32xf32>) outs(%{{.+}} : tensor<?x32x14x14xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "elementwise", tiles = [0, 4, 1, 0]>}
// CHECK-NOT:   linalg.conv_2d_nchw_fchw
func.func @conv32(%x: tensor<?x16x16x16xf32>, %w: tensor<32x16x3x3xf32>, %b: tensor<32xf32>) -> tensor<?x32x14x14xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x16x16x16xf32>
  %e = tensor.empty(%n) : tensor<?x32x14x14xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<32xf32>) outs(%e : tensor<?x32x14x14xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<?x32x14x14xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x16x16x16xf32>, tensor<32x16x3x3xf32>) outs(%init : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  return %y : tensor<?x32x14x14xf32>
}

// 8 output channels fill an AVX2 register but not an AVX-512 one: NCHW on
// AVX-512, tiled 8 channels x 1 row inside an image, one output row, input
// channel and filter tap per step; channels-last on AVX2 (8 channels by 14
// columns: with one register of channels, no tile of 8 or more
// accumulators loads less, and one row is preferred; 14 + 1 + 14 + 2
// registers for the taps innermost do not fit 16).
// CHECK-LABEL:  func.func @conv8
// AVX512:       linalg.conv_2d_nchw_fchw {{.*}}cnn_cpu.config = #cnn_cpu.config<kind = "conv", tiles = [0, 8, 1, 0, 0, 0, 0], registers = [0, 0, 1, 0, 1, 1, 1]>
// AVX2:         linalg.fill {{.*}} -> tensor<?x28x28x8xf32>
// AVX2:         linalg.generic {{.*}}cnn_cpu.config = #cnn_cpu.config<kind = "lane_conv", registers = [1, 1, 14, 8, 1, 1, 1], order = [0, 1, 2, 3, 5, 6, 4]>
func.func @conv8(%x: tensor<?x3x30x30xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x8x28x28xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x3x30x30xf32>
  %e = tensor.empty(%n) : tensor<?x8x28x28xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8x28x28xf32>) -> tensor<?x8x28x28xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x3x30x30xf32>, tensor<8x3x3x3xf32>) outs(%init : tensor<?x8x28x28xf32>) -> tensor<?x8x28x28xf32>
  return %y : tensor<?x8x28x28xf32>
}

// A max pooling left NCHW (its windows do not overlap): a reduction over
// the windows of the image viewed [N, C, OH, KH, OW, KW], whose rows are
// contiguous (PoolWindows.h); a channel tile by one row inside an image,
// one output row and one window row per step. A fill gets no config (it
// is fused where read).
// CHECK-LABEL:  func.func @pool
// CHECK:        %[[INIT:.+]] = linalg.fill
// CHECK-NOT:    cnn_cpu.config
// CHECK:        %[[WINDOWS:.+]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2, 3], [4, 5]] output_shape [%{{.*}}, 32, 14, 2, 14, 2] : tensor<?x32x28x28xf32> into tensor<?x32x14x2x14x2xf32>
// CHECK:        linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[WINDOWS]] : {{.*}}) outs(%[[INIT]] :
// AVX512-SAME:  cnn_cpu.config = #cnn_cpu.config<kind = "pool", tiles = [0, 8, 1, 0, 0, 0], registers = [0, 0, 1, 0, 1, 0]>
// AVX2-SAME:    cnn_cpu.config = #cnn_cpu.config<kind = "pool", tiles = [0, 4, 1, 0, 0, 0], registers = [0, 0, 1, 0, 1, 0]>
// CHECK:          arith.maximumf
// CHECK-NOT:    linalg.pooling_nchw_max
func.func @pool(%x: tensor<?x32x28x28xf32>) -> tensor<?x32x14x14xf32> {
  %c0 = arith.constant 0 : index
  %ninf = arith.constant 0xFF800000 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x28x28xf32>
  %e = tensor.empty(%n) : tensor<?x32x14x14xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  %y = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %k : tensor<?x32x28x28xf32>, tensor<2x2xf32>) outs(%init : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  return %y : tensor<?x32x14x14xf32>
}

// A sum over the batch (a weight gradient's or a batchnorm's): the sample
// outermost, the register tile the last two parallel dimensions (AVX-512,
// 8 rows x 32 lanes, 16 of 32 registers; AVX2, 4 x 16, 8 of 16).
// CHECK-LABEL:  func.func @batch_sum
// AVX512:       cnn_cpu.config = #cnn_cpu.config<kind = "batch_contraction", registers = [1, 8, 32, 1], order = [3, 0, 1, 2]>
// AVX2:         cnn_cpu.config = #cnn_cpu.config<kind = "batch_contraction", registers = [1, 4, 16, 1], order = [3, 0, 1, 2]>
func.func @batch_sum(%x: tensor<?x4x16x32xf32>) -> tensor<4x16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16x32xf32>) -> tensor<4x16x32xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3, d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x : tensor<?x4x16x32xf32>) outs(%init : tensor<4x16x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %in, %out : f32
    linalg.yield %a : f32
  } -> tensor<4x16x32xf32>
  return %s : tensor<4x16x32xf32>
}

// A linear layer's contractions: one step multiplies at most four vector
// registers of elements (64 with AVX-512, 32 with AVX2) and sums them into its
// outputs, whatever the layer's size. The forward (n, o | k) steps through
// k = 144 in 48 (AVX-512) or 24 (AVX2). The input gradient (n, k | o)
// reads w[o, k] along its output k, the reduction o strided: its step runs
// along k instead (48 or 24 outputs, each a vector of w times one
// broadcast dy), one o at a time; along o, every w element would be
// gathered.
// CHECK-LABEL:  func.func @linear_steps
// AVX512:       cnn_cpu.config = #cnn_cpu.config<kind = "contraction", registers = [1, 1, 48]>
// AVX512:       cnn_cpu.config = #cnn_cpu.config<kind = "contraction", registers = [1, 48, 1]>
// AVX2:         cnn_cpu.config = #cnn_cpu.config<kind = "contraction", registers = [1, 1, 24]>
// AVX2:         cnn_cpu.config = #cnn_cpu.config<kind = "contraction", registers = [1, 24, 1]>
func.func @linear_steps(%x: tensor<?x144xf32>, %w: tensor<32x144xf32>, %dy: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x144xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x144xf32>
  %e = tensor.empty(%n) : tensor<?x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(n, o, k) -> (n, k)>, affine_map<(n, o, k) -> (o, k)>, affine_map<(n, o, k) -> (n, o)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x144xf32>, tensor<32x144xf32>) outs(%init : tensor<?x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %ex = tensor.empty(%n) : tensor<?x144xf32>
  %initx = linalg.fill ins(%zero : f32) outs(%ex : tensor<?x144xf32>) -> tensor<?x144xf32>
  %dx = linalg.generic {indexing_maps = [affine_map<(n, k, o) -> (n, o)>, affine_map<(n, k, o) -> (o, k)>, affine_map<(n, k, o) -> (n, k)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%dy, %w : tensor<?x32xf32>, tensor<32x144xf32>) outs(%initx : tensor<?x144xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x144xf32>
  return %y, %dx : tensor<?x32xf32>, tensor<?x144xf32>
}

// A copy of a padded NCHW image into NHWC (a weight gradient's
// channels-last input): one row, a vector's worth of channels, the row's
// 18 columns whole (up to 4 vectors of them), so that each channel's
// columns are one contiguous read, transposed in registers. A wider row
// steps by its largest divisor up to that (34: 17 on AVX2, whole on
// AVX-512); fewer channels than a vector (an RGB image) go whole.
// CHECK-LABEL: func.func @channels_last_copy
// AVX512: linalg.generic {{.*}}cnn_cpu.config = #cnn_cpu.config<kind = "elementwise", tiles = [0, 1, 0, 16]>
// AVX2:   linalg.generic {{.*}}cnn_cpu.config = #cnn_cpu.config<kind = "elementwise", tiles = [0, 1, 0, 8]>
// AVX512: linalg.generic {{.*}}cnn_cpu.config = #cnn_cpu.config<kind = "elementwise", tiles = [0, 1, 0, 0]>
// AVX2:   linalg.generic {{.*}}cnn_cpu.config = #cnn_cpu.config<kind = "elementwise", tiles = [0, 1, 17, 0]>
func.func @channels_last_copy(%x: tensor<?x32x18x18xf32>, %image: tensor<?x3x34x34xf32>) -> (tensor<?x18x18x32xf32>, tensor<?x34x34x3xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x32x18x18xf32>
  %e = tensor.empty(%n) : tensor<?x18x18x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x32x18x18xf32>) outs(%e : tensor<?x18x18x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<?x18x18x32xf32>
  %f = tensor.empty(%n) : tensor<?x34x34x3xf32>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%image : tensor<?x3x34x34xf32>) outs(%f : tensor<?x34x34x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<?x34x34x3xf32>
  return %y, %z : tensor<?x18x18x32xf32>, tensor<?x34x34x3xf32>
}
