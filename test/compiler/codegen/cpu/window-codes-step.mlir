// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v4" | FileCheck %s

// max_pool2d_grad's first-maximum codes over the windows of a lane conv's
// 32 x 32 x 32 result, channels-last (channels-last-activations.mlir): a
// step keeps the codes, the maxima beside them and the window elements it
// loads in registers, so it takes 4 windows of the row (8 + 8 + 8 of
// AVX-512's 32 registers; 8 windows, as the maxima alone take, spilled).
// Where 4 does not divide the row, the step is as the maxima's.
// CHECK-LABEL: func.func @codes_step
// CHECK:       linalg.pooling_nhwc_max {cnn_cpu.config = #cnn_cpu.config<kind = "pool", tiles = [0, 1, 8, 0, 0, 0]
// CHECK:       linalg.generic {{.*}} outs(%{{.+}} : tensor<?x16x16x32xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "pool", tiles = [0, 1, 4, 0, 0, 0], registers = [0, 1, 0, 0, 1, 1]>}
func.func @codes_step(%x: tensor<?x32x34x34xf32>, %w: tensor<32x32x3x3xf32>)
    -> tensor<?x32x16x16xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x34x34xf32>
  %e = tensor.empty(%n) : tensor<?x32x32x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32x32x32xf32>) -> tensor<?x32x32x32xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x32x34x34xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x32x32xf32>) -> tensor<?x32x32x32xf32>
  %windows = tensor.expand_shape %y [[0], [1], [2, 3], [4, 5]] output_shape [%n, 32, 16, 2, 16, 2] : tensor<?x32x32x32xf32> into tensor<?x32x16x2x16x2xf32>
  %e2 = tensor.empty(%n) : tensor<?x32x16x16xf32>
  %i2 = linalg.fill ins(%ninf : f32) outs(%e2 : tensor<?x32x16x16xf32>) -> tensor<?x32x16x16xf32>
  %max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%windows : tensor<?x32x16x2x16x2xf32>) outs(%i2 : tensor<?x32x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<?x32x16x16xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x32x16x16xf32>) -> tensor<?x32x16x16xf32>
  %codes = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%windows, %max : tensor<?x32x16x2x16x2xf32>, tensor<?x32x16x16xf32>) outs(%z2 : tensor<?x32x16x16xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %j = linalg.index 5 : index
    %j32 = arith.index_cast %j : index to i32
    %bit = arith.sitofp %j32 : i32 to f32
    %hit = arith.cmpf oeq, %in, %m : f32
    %term = arith.select %hit, %bit, %zero : f32
    %s = arith.addf %out, %term : f32
    linalg.yield %s : f32
  } -> tensor<?x32x16x16xf32>
  return %codes : tensor<?x32x16x16xf32>
}
