// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v3" | FileCheck %s

// Between channel-lane convs the activations stay channels-last: the
// relu, the pooling, the repeated block's loop (what it carries), its pad,
// its residual add and the next conv's input all run on [N, H, W, C], and
// one transpose back to NCHW is left, before the flatten. Tiles of the
// ops that moved: one row, as many columns as 16 registers of 32 channels
// hold (4; 2 of 14).
// CHECK-DAG:   #[[IN_NHWC:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d5, d2 + d6, d4)>
// CHECK-DAG:   #[[TO_NCHW:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
// (@gradient_windows' maps:)
// CHECK-DAG:   #[[WINDOW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d2, d5, d3)>
// CHECK-DAG:   #[[PIXEL:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @residual_trunk
// CHECK:       %[[C1:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : tensor<?x1x30x30xf32>, tensor<3x3x1x32xf32>) outs(%{{.+}} : tensor<?x28x28x32xf32>) {{.*}}kind = "lane_conv"
// CHECK:       %[[RELU:.+]] = linalg.generic {{.*}} ins(%[[C1]] : tensor<?x28x28x32xf32>) outs(%{{.+}} : tensor<?x28x28x32xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "elementwise", tiles = [0, 1, 4, 0]>}
// CHECK:       %[[P1:.+]] = linalg.pooling_nhwc_max {{.*}}#cnn_cpu.config<kind = "pool", tiles = [0, 1, 2, 0, 0, 0], registers = [0, 1, 0, 0, 1, 0]>{{.*}} ins(%[[RELU]], %{{.+}} : tensor<?x28x28x32xf32>, tensor<2x2xf32>) outs(%{{.+}} : tensor<?x14x14x32xf32>)
// CHECK:       %[[LOOP:.+]] = scf.for {{.*}} iter_args(%[[X:.+]] = %[[P1]]) -> (tensor<?x14x14x32xf32>)
// CHECK:         %[[PAD:.+]] = tensor.pad %[[X]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK:         %[[C2:.+]] = linalg.generic {indexing_maps = [#[[IN_NHWC]], {{.*}} ins(%[[PAD]], %{{.+}} : tensor<?x16x16x32xf32>, tensor<3x3x32x32xf32>) {{.*}}kind = "lane_conv"
// CHECK:         %[[SUM:.+]] = linalg.generic {{.*}} ins(%[[C2]], %[[X]] : tensor<?x14x14x32xf32>, tensor<?x14x14x32xf32>) {{.*}}kind = "elementwise", tiles = [0, 1, 2, 0]
// CHECK:         scf.yield %[[SUM]] : tensor<?x14x14x32xf32>
// CHECK:       %[[P2:.+]] = linalg.pooling_nhwc_max {{.*}} ins(%[[LOOP]], %{{.+}} : tensor<?x14x14x32xf32>, tensor<2x2xf32>) outs(%{{.+}} : tensor<?x7x7x32xf32>)
// CHECK:       %[[BACK:.+]] = linalg.generic {indexing_maps = [#[[TO_NCHW]], {{.*}} ins(%[[P2]] : tensor<?x7x7x32xf32>) outs(%{{.+}} : tensor<?x32x7x7xf32>)
// CHECK:       tensor.collapse_shape %[[BACK]]
func.func @residual_trunk(%x: tensor<?x1x28x28xf32>, %w1: tensor<32x1x3x3xf32>,
                          %w2: tensor<32x32x3x3xf32>) -> tensor<?x1568xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %n = tensor.dim %x, %c0 : tensor<?x1x28x28xf32>
  %xp = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<?x1x28x28xf32> to tensor<?x1x30x30xf32>
  %e1 = tensor.empty(%n) : tensor<?x32x28x28xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?x32x28x28xf32>) -> tensor<?x32x28x28xf32>
  %y1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%xp, %w1 : tensor<?x1x30x30xf32>, tensor<32x1x3x3xf32>) outs(%z1 : tensor<?x32x28x28xf32>) -> tensor<?x32x28x28xf32>
  %r1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y1 : tensor<?x32x28x28xf32>) outs(%e1 : tensor<?x32x28x28xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x32x28x28xf32>
  %e2 = tensor.empty(%n) : tensor<?x32x14x14xf32>
  %i2 = linalg.fill ins(%ninf : f32) outs(%e2 : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  %p1 = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%r1, %k : tensor<?x32x28x28xf32>, tensor<2x2xf32>) outs(%i2 : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %trunk = scf.for %i = %c0 to %c3 step %c1 iter_args(%a = %p1) -> (tensor<?x32x14x14xf32>) {
    %ap = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%q: index, %r: index, %s: index, %t: index):
      tensor.yield %zero : f32
    } : tensor<?x32x14x14xf32> to tensor<?x32x16x16xf32>
    %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
    %y2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
        ins(%ap, %w2 : tensor<?x32x16x16xf32>, tensor<32x32x3x3xf32>) outs(%z2 : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
    %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%y2, %a : tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) outs(%e2 : tensor<?x32x14x14xf32>) {
    ^bb0(%in: f32, %in2: f32, %out: f32):
      %m = arith.maximumf %in, %zero : f32
      %s2 = arith.addf %m, %in2 : f32
      linalg.yield %s2 : f32
    } -> tensor<?x32x14x14xf32>
    scf.yield %sum : tensor<?x32x14x14xf32>
  }
  %e3 = tensor.empty(%n) : tensor<?x32x7x7xf32>
  %i3 = linalg.fill ins(%ninf : f32) outs(%e3 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %p2 = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%trunk, %k : tensor<?x32x14x14xf32>, tensor<2x2xf32>) outs(%i3 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %flat = tensor.collapse_shape %p2 [[0], [1, 2, 3]] : tensor<?x32x7x7xf32> into tensor<?x1568xf32>
  return %flat : tensor<?x1568xf32>
}

// An elementwise op that also reads an NCHW tensor of the same size (here
// an argument) stays NCHW: moving it would add a transpose, not remove one.
// CHECK-LABEL: func.func @mixed_operands
// CHECK:       %[[C:.+]] = linalg.generic {{.*}}kind = "lane_conv"
// CHECK:       %[[T:.+]] = linalg.generic {{.*}} ins(%[[C]] : tensor<?x14x14x32xf32>) outs(%{{.+}} : tensor<?x32x14x14xf32>)
// CHECK:       linalg.generic {{.*}} ins(%[[T]], %{{.+}} : tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) outs(%{{.+}} : tensor<?x32x14x14xf32>)
func.func @mixed_operands(%x: tensor<?x32x16x16xf32>, %w: tensor<32x32x3x3xf32>,
                          %skip: tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x16x16xf32>
  %e = tensor.empty(%n) : tensor<?x32x14x14xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x32x16x16xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y, %skip : tensor<?x32x14x14xf32>, tensor<?x32x14x14xf32>) outs(%e : tensor<?x32x14x14xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    linalg.yield %s : f32
  } -> tensor<?x32x14x14xf32>
  return %sum : tensor<?x32x14x14xf32>
}

// An activation that something NCHW also reads (in the training step, the
// backward pass) keeps its NCHW op: moved below it, the transpose would be
// one more copy of the activation instead of fusing into the relu. (The
// NCHW pooling is then a reduction over its windows: PoolWindows.h.)
// CHECK-LABEL: func.func @read_twice
// CHECK:       %[[C:.+]] = linalg.generic {{.*}}kind = "lane_conv"
// CHECK:       %[[T:.+]] = linalg.generic {{.*}} ins(%[[C]] : tensor<?x14x14x32xf32>) outs(%{{.+}} : tensor<?x32x14x14xf32>)
// CHECK:       %[[RELU:.+]] = linalg.generic {{.*}} ins(%[[T]] : tensor<?x32x14x14xf32>) outs(%{{.+}} : tensor<?x32x14x14xf32>)
// CHECK:       %[[WINDOWS:.+]] = tensor.expand_shape %[[RELU]] {{\[}}[0], [1], [2, 3], [4, 5]]
// CHECK:       linalg.generic {{.*}} ins(%[[WINDOWS]] : tensor<?x32x7x2x7x2xf32>)
// CHECK-NOT:   linalg.pooling_nchw_max
func.func @read_twice(%x: tensor<?x32x16x16xf32>, %w: tensor<32x32x3x3xf32>)
    -> (tensor<?x32x14x14xf32>, tensor<?x32x7x7xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x16x16xf32>
  %e = tensor.empty(%n) : tensor<?x32x14x14xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x32x16x16xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<?x32x14x14xf32>) outs(%e : tensor<?x32x14x14xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x32x14x14xf32>
  %e2 = tensor.empty(%n) : tensor<?x32x7x7xf32>
  %i2 = linalg.fill ins(%ninf : f32) outs(%e2 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%r, %k : tensor<?x32x14x14xf32>, tensor<2x2xf32>) outs(%i2 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  return %r, %p : tensor<?x32x14x14xf32>, tensor<?x32x7x7xf32>
}

// max_pool2d_grad's reductions over the windows of a channels-last conv's
// result (here 15 x 15, the pooling's floor cutting a row and a column
// off) run channels-last too, the channels as the lane: the maxima as the
// pooling (CSE merges it with the forward pass's), the first-maximum codes
// stepping one window element at a time (the body's channel index, loop 1
// in NCHW, is loop 3), and only the codes go back to NCHW, for the
// gradient's scatter. No NCHW copy of the image is left.
// CHECK-LABEL: func.func @gradient_windows
// CHECK:       %[[C:.+]] = linalg.generic {{.*}}kind = "lane_conv"
// CHECK-NOT:   tensor<?x32x15x15xf32>
// CHECK:       %[[MAX:.+]] = linalg.pooling_nhwc_max {{.*}} ins(%[[C]], %{{.+}} : tensor<?x15x15x32xf32>, tensor<2x2xf32>) outs(%{{.+}} : tensor<?x7x7x32xf32>)
// CHECK:       %[[COVERED:.+]] = tensor.extract_slice %[[C]][0, 0, 0, 0] [%{{.+}}, 14, 14, 32] [1, 1, 1, 1] : tensor<?x15x15x32xf32> to tensor<?x14x14x32xf32>
// CHECK:       %[[WINDOWS:.+]] = tensor.expand_shape %[[COVERED]] {{\[}}[0], [1, 2], [3, 4], [5]] output_shape [%{{.+}}, 7, 2, 7, 2, 32]
// CHECK:       %[[CODES:.+]] = linalg.generic {indexing_maps = [#[[WINDOW]], #[[PIXEL]], #[[PIXEL]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[WINDOWS]], %[[MAX]] : tensor<?x7x2x7x2x32xf32>, tensor<?x7x7x32xf32>) outs(%{{.+}} : tensor<?x7x7x32xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "pool", tiles = [0, 1, 1, 0, 0, 0], registers = [0, 1, 0, 0, 1, 1]>}
// CHECK:         linalg.index 5
// CHECK:         linalg.index 4
// CHECK:         linalg.index 3
// CHECK:       %[[NCHW:.+]] = linalg.generic {{.*}} ins(%[[CODES]] : tensor<?x7x7x32xf32>) outs(%{{.+}} : tensor<?x32x7x7xf32>)
// CHECK:       return %[[NCHW]]
func.func @gradient_windows(%x: tensor<?x32x17x17xf32>, %w: tensor<32x32x3x3xf32>)
    -> tensor<?x32x7x7xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x17x17xf32>
  %e = tensor.empty(%n) : tensor<?x32x15x15xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32x15x15xf32>) -> tensor<?x32x15x15xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x32x17x17xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x15x15xf32>) -> tensor<?x32x15x15xf32>
  %covered = tensor.extract_slice %y[0, 0, 0, 0] [%n, 32, 14, 14] [1, 1, 1, 1] : tensor<?x32x15x15xf32> to tensor<?x32x14x14xf32>
  %windows = tensor.expand_shape %covered [[0], [1], [2, 3], [4, 5]] output_shape [%n, 32, 7, 2, 7, 2] : tensor<?x32x14x14xf32> into tensor<?x32x7x2x7x2xf32>
  %e2 = tensor.empty(%n) : tensor<?x32x7x7xf32>
  %i2 = linalg.fill ins(%ninf : f32) outs(%e2 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%windows : tensor<?x32x7x2x7x2xf32>) outs(%i2 : tensor<?x32x7x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<?x32x7x7xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %codes = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%windows, %max : tensor<?x32x7x2x7x2xf32>, tensor<?x32x7x7xf32>) outs(%z2 : tensor<?x32x7x7xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %j = linalg.index 5 : index
    %i = linalg.index 4 : index
    %ch = linalg.index 1 : index
    %ij = arith.addi %i, %j : index
    %p = arith.addi %ij, %ch : index
    %p32 = arith.index_cast %p : index to i32
    %bit = arith.sitofp %p32 : i32 to f32
    %hit = arith.cmpf oeq, %in, %m : f32
    %term = arith.select %hit, %bit, %zero : f32
    %s = arith.addf %out, %term : f32
    linalg.yield %s : f32
  } -> tensor<?x32x7x7xf32>
  return %codes : tensor<?x32x7x7xf32>
}

// An activation read only by its pooling and by max_pool2d_grad's
// reductions over its windows (the training step's batchnorm apply before
// a pooling) runs channels-last: those reductions read a channels-last
// image as well, so the transpose moves below it, and no NCHW copy of the
// image is left.
// CHECK-LABEL: func.func @pooled_and_windows
// CHECK:       %[[C:.+]] = linalg.generic {{.*}}kind = "lane_conv"
// CHECK-NOT:   outs(%{{.+}} : tensor<?x32x14x14xf32>)
// CHECK:       %[[RELU:.+]] = linalg.generic {{.*}} ins(%[[C]] : tensor<?x14x14x32xf32>) outs(%{{.+}} : tensor<?x14x14x32xf32>)
// CHECK-NOT:   outs(%{{.+}} : tensor<?x32x14x14xf32>)
// CHECK:       linalg.pooling_nhwc_max {{.*}} ins(%[[RELU]], %{{.+}} : tensor<?x14x14x32xf32>, tensor<2x2xf32>)
// CHECK-NOT:   outs(%{{.+}} : tensor<?x32x14x14xf32>)
// CHECK:       %[[MAX:.+]] = linalg.pooling_nhwc_max {{.*}} ins(%[[RELU]], %{{.+}} : tensor<?x14x14x32xf32>, tensor<2x2xf32>)
// CHECK:       %[[WINDOWS:.+]] = tensor.expand_shape %[[RELU]] {{\[}}[0], [1, 2], [3, 4], [5]]
// CHECK:       linalg.generic {{.*}} ins(%[[WINDOWS]], %[[MAX]] : tensor<?x7x2x7x2x32xf32>, tensor<?x7x7x32xf32>)
// CHECK-NOT:   outs(%{{.+}} : tensor<?x32x14x14xf32>)
// CHECK:       return
func.func @pooled_and_windows(%x: tensor<?x32x16x16xf32>, %w: tensor<32x32x3x3xf32>)
    -> (tensor<?x32x7x7xf32>, tensor<?x32x7x7xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x16x16xf32>
  %e = tensor.empty(%n) : tensor<?x32x14x14xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x32x16x16xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<?x32x14x14xf32>) outs(%e : tensor<?x32x14x14xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x32x14x14xf32>
  %e2 = tensor.empty(%n) : tensor<?x32x7x7xf32>
  %i2 = linalg.fill ins(%ninf : f32) outs(%e2 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%r, %k : tensor<?x32x14x14xf32>, tensor<2x2xf32>) outs(%i2 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %windows = tensor.expand_shape %r [[0], [1], [2, 3], [4, 5]] output_shape [%n, 32, 7, 2, 7, 2] : tensor<?x32x14x14xf32> into tensor<?x32x7x2x7x2xf32>
  %max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%windows : tensor<?x32x7x2x7x2xf32>) outs(%i2 : tensor<?x32x7x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<?x32x7x7xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %codes = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%windows, %max : tensor<?x32x7x2x7x2xf32>, tensor<?x32x7x7xf32>) outs(%z2 : tensor<?x32x7x7xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %j = linalg.index 5 : index
    %i = linalg.index 4 : index
    %ij = arith.addi %i, %j : index
    %p32 = arith.index_cast %ij : index to i32
    %bit = arith.sitofp %p32 : i32 to f32
    %hit = arith.cmpf oeq, %in, %m : f32
    %term = arith.select %hit, %bit, %zero : f32
    %s = arith.addf %out, %term : f32
    linalg.yield %s : f32
  } -> tensor<?x32x7x7xf32>
  return %p, %codes : tensor<?x32x7x7xf32>, tensor<?x32x7x7xf32>
}

// The same where something else reads the windows view too (here the
// return): the activation, read twice, keeps its NCHW op.
// CHECK-LABEL: func.func @windows_read_elsewhere
// CHECK:       %[[C:.+]] = linalg.generic {{.*}}kind = "lane_conv"
// CHECK:       %[[T:.+]] = linalg.generic {{.*}} ins(%[[C]] : tensor<?x14x14x32xf32>) outs(%{{.+}} : tensor<?x32x14x14xf32>)
// CHECK:       linalg.generic {{.*}} ins(%[[T]] : tensor<?x32x14x14xf32>) outs(%{{.+}} : tensor<?x32x14x14xf32>)
func.func @windows_read_elsewhere(%x: tensor<?x32x16x16xf32>, %w: tensor<32x32x3x3xf32>)
    -> (tensor<?x32x7x7xf32>, tensor<?x32x7x7xf32>, tensor<?x32x7x2x7x2xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x16x16xf32>
  %e = tensor.empty(%n) : tensor<?x32x14x14xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x32x16x16xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x14x14xf32>) -> tensor<?x32x14x14xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<?x32x14x14xf32>) outs(%e : tensor<?x32x14x14xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x32x14x14xf32>
  %e2 = tensor.empty(%n) : tensor<?x32x7x7xf32>
  %i2 = linalg.fill ins(%ninf : f32) outs(%e2 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%r, %k : tensor<?x32x14x14xf32>, tensor<2x2xf32>) outs(%i2 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %windows = tensor.expand_shape %r [[0], [1], [2, 3], [4, 5]] output_shape [%n, 32, 7, 2, 7, 2] : tensor<?x32x14x14xf32> into tensor<?x32x7x2x7x2xf32>
  %max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%windows : tensor<?x32x7x2x7x2xf32>) outs(%i2 : tensor<?x32x7x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<?x32x7x7xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %codes = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%windows, %max : tensor<?x32x7x2x7x2xf32>, tensor<?x32x7x7xf32>) outs(%z2 : tensor<?x32x7x7xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %j = linalg.index 5 : index
    %i = linalg.index 4 : index
    %ij = arith.addi %i, %j : index
    %p32 = arith.index_cast %ij : index to i32
    %bit = arith.sitofp %p32 : i32 to f32
    %hit = arith.cmpf oeq, %in, %m : f32
    %term = arith.select %hit, %bit, %zero : f32
    %s = arith.addf %out, %term : f32
    linalg.yield %s : f32
  } -> tensor<?x32x7x7xf32>
  return %p, %codes, %windows : tensor<?x32x7x7xf32>, tensor<?x32x7x7xf32>, tensor<?x32x7x2x7x2xf32>
}

// The training step's repeated block saves what its backward pass reads,
// in a stack [S, N, C, H, W] its loop carries: the stack goes
// channels-last with the inserts that fill it and the slices that read
// it, and so does a sum per channel over the batch and the image (a
// batchnorm's statistics), which then keeps the images apart, the
// channels its lanes (partial sums image by image, as the conv runs). The backward loop's
// gradient starts NCHW: it is copied channels-last once, before the loop.
// Neither loop has a layout copy.
// CHECK-LABEL: func.func @saved_blocks
// CHECK-SAME:    (%{{.+}}: tensor<?x32x6x6xf32>, %{{.+}}: tensor<32x32x3x3xf32>, %[[DY:.+]]: tensor<?x32x6x6xf32>)
// CHECK:       %[[Y0:.+]] = linalg.generic {{.*}}kind = "lane_conv"
// CHECK:       %[[EMPTY:.+]] = tensor.empty(%{{.+}}) : tensor<3x?x6x6x32xf32>
// CHECK:       %[[FIRST:.+]] = tensor.insert_slice %[[Y0]] into %[[EMPTY]][0, 0, 0, 0, 0] [1, %{{.+}}, 6, 6, 32] [1, 1, 1, 1, 1] : tensor<?x6x6x32xf32> into tensor<3x?x6x6x32xf32>
// CHECK:       %[[SAVED:.+]] = scf.for %[[I:.+]] = {{.*}} iter_args(%[[S:.+]] = %[[FIRST]]) -> (tensor<3x?x6x6x32xf32>)
// CHECK-NOT:     tensor<?x32x6x6xf32>
// CHECK:         %[[A:.+]] = tensor.extract_slice %[[S]][%[[I]], 0, 0, 0, 0] [1, %{{.+}}, 6, 6, 32] [1, 1, 1, 1, 1] : tensor<3x?x6x6x32xf32> to tensor<?x6x6x32xf32>
// CHECK:         %[[Y:.+]] = linalg.generic {{.*}}kind = "lane_conv"
// (The sum reads the channels-last image over (n, c | h, w): TO_NCHW's
// map.)
// CHECK:         %[[PART:.+]] = linalg.generic {indexing_maps = [#[[TO_NCHW]], {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[Y]] : tensor<?x6x6x32xf32>) outs(%{{.+}} : tensor<?x32xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "contraction", registers = [1, 0, 1, 1]
// CHECK:         %[[SQ:.+]] = linalg.generic {{.*}} ins(%[[PART]] : tensor<?x32xf32>) outs(%{{.+}} : tensor<32xf32>)
// CHECK:         %[[OUT:.+]] = linalg.generic {{.*}} ins(%[[Y]], %[[SQ]], %[[A]] : tensor<?x6x6x32xf32>, tensor<32xf32>, tensor<?x6x6x32xf32>) outs(%{{.+}} : tensor<?x6x6x32xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "elementwise"
// CHECK:         %[[SAVE:.+]] = tensor.insert_slice %[[OUT]] into %[[S]][%{{.+}}, 0, 0, 0, 0] [1, %{{.+}}, 6, 6, 32] [1, 1, 1, 1, 1] : tensor<?x6x6x32xf32> into tensor<3x?x6x6x32xf32>
// CHECK:         scf.yield %[[SAVE]] : tensor<3x?x6x6x32xf32>
// CHECK:       %[[DY_LAST:.+]] = linalg.generic {{.*}} ins(%[[DY]] : tensor<?x32x6x6xf32>) outs(%{{.+}} : tensor<?x6x6x32xf32>)
// CHECK:       %[[GRAD:.+]] = scf.for {{.*}} iter_args(%[[G:.+]] = %[[DY_LAST]]) -> (tensor<?x6x6x32xf32>)
// CHECK-NOT:     tensor<?x32x6x6xf32>
// CHECK:         %[[SAVED_A:.+]] = tensor.extract_slice %[[SAVED]][%{{.+}}, 0, 0, 0, 0] [1, %{{.+}}, 6, 6, 32] [1, 1, 1, 1, 1] : tensor<3x?x6x6x32xf32> to tensor<?x6x6x32xf32>
// CHECK:         %[[MASKED:.+]] = linalg.generic {{.*}} ins(%[[SAVED_A]], %[[G]] : tensor<?x6x6x32xf32>, tensor<?x6x6x32xf32>)
// CHECK:         tensor.pad %[[MASKED]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK:         %[[GI:.+]] = linalg.generic {{.*}}kind = "lane_conv"
// CHECK:         %[[G2:.+]] = linalg.generic {{.*}} ins(%[[G]], %[[GI]] : tensor<?x6x6x32xf32>, tensor<?x6x6x32xf32>)
// CHECK:         scf.yield %[[G2]] : tensor<?x6x6x32xf32>
// CHECK:       %[[BACK:.+]] = linalg.generic {{.*}} ins(%[[GRAD]] : tensor<?x6x6x32xf32>) outs(%{{.+}} : tensor<?x32x6x6xf32>)
// CHECK:       return %[[BACK]]
#saved_id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#saved_chan = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @saved_blocks(%x: tensor<?x32x6x6xf32>, %w: tensor<32x32x3x3xf32>,
                        %dy: tensor<?x32x6x6xf32>) -> tensor<?x32x6x6xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x6x6xf32>
  %e = tensor.empty(%n) : tensor<?x32x6x6xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32x6x6xf32>) -> tensor<?x32x6x6xf32>
  %ec = tensor.empty() : tensor<32xf32>
  %zc = linalg.fill ins(%zero : f32) outs(%ec : tensor<32xf32>) -> tensor<32xf32>
  %xp = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<?x32x6x6xf32> to tensor<?x32x8x8xf32>
  %y0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%xp, %w : tensor<?x32x8x8xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x6x6xf32>) -> tensor<?x32x6x6xf32>
  %empty = tensor.empty(%n) : tensor<3x?x32x6x6xf32>
  %first = tensor.insert_slice %y0 into %empty[0, 0, 0, 0, 0] [1, %n, 32, 6, 6] [1, 1, 1, 1, 1] : tensor<?x32x6x6xf32> into tensor<3x?x32x6x6xf32>
  %saved = scf.for %i = %c0 to %c2 step %c1 iter_args(%s = %first) -> (tensor<3x?x32x6x6xf32>) {
    %a = tensor.extract_slice %s[%i, 0, 0, 0, 0] [1, %n, 32, 6, 6] [1, 1, 1, 1, 1] : tensor<3x?x32x6x6xf32> to tensor<?x32x6x6xf32>
    %ap = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%q: index, %r: index, %t: index, %u: index):
      tensor.yield %zero : f32
    } : tensor<?x32x6x6xf32> to tensor<?x32x8x8xf32>
    %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
        ins(%ap, %w : tensor<?x32x8x8xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x6x6xf32>) -> tensor<?x32x6x6xf32>
    %sq = linalg.generic {indexing_maps = [#saved_id, #saved_chan], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
        ins(%y : tensor<?x32x6x6xf32>) outs(%zc : tensor<32xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %p = arith.mulf %in, %in : f32
      %s2 = arith.addf %acc, %p : f32
      linalg.yield %s2 : f32
    } -> tensor<32xf32>
    %out = linalg.generic {indexing_maps = [#saved_id, #saved_chan, #saved_id, #saved_id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%y, %sq, %a : tensor<?x32x6x6xf32>, tensor<32xf32>, tensor<?x32x6x6xf32>) outs(%e : tensor<?x32x6x6xf32>) {
    ^bb0(%v: f32, %k: f32, %r: f32, %o: f32):
      %p = arith.mulf %v, %k : f32
      %m = arith.maximumf %p, %zero : f32
      %s2 = arith.addf %m, %r : f32
      linalg.yield %s2 : f32
    } -> tensor<?x32x6x6xf32>
    %next = arith.addi %i, %c1 : index
    %s3 = tensor.insert_slice %out into %s[%next, 0, 0, 0, 0] [1, %n, 32, 6, 6] [1, 1, 1, 1, 1] : tensor<?x32x6x6xf32> into tensor<3x?x32x6x6xf32>
    scf.yield %s3 : tensor<3x?x32x6x6xf32>
  }
  %grad = scf.for %j = %c0 to %c2 step %c1 iter_args(%g = %dy) -> (tensor<?x32x6x6xf32>) {
    %k = arith.subi %c2, %j : index
    %a = tensor.extract_slice %saved[%k, 0, 0, 0, 0] [1, %n, 32, 6, 6] [1, 1, 1, 1, 1] : tensor<3x?x32x6x6xf32> to tensor<?x32x6x6xf32>
    %m = linalg.generic {indexing_maps = [#saved_id, #saved_id, #saved_id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%a, %g : tensor<?x32x6x6xf32>, tensor<?x32x6x6xf32>) outs(%e : tensor<?x32x6x6xf32>) {
    ^bb0(%v: f32, %d: f32, %o: f32):
      %pos = arith.cmpf ogt, %v, %zero : f32
      %sel = arith.select %pos, %d, %zero : f32
      linalg.yield %sel : f32
    } -> tensor<?x32x6x6xf32>
    %mp = tensor.pad %m low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%q: index, %r: index, %t: index, %u: index):
      tensor.yield %zero : f32
    } : tensor<?x32x6x6xf32> to tensor<?x32x8x8xf32>
    %gi = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
        ins(%mp, %w : tensor<?x32x8x8xf32>, tensor<32x32x3x3xf32>) outs(%z : tensor<?x32x6x6xf32>) -> tensor<?x32x6x6xf32>
    %g2 = linalg.generic {indexing_maps = [#saved_id, #saved_id, #saved_id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%g, %gi : tensor<?x32x6x6xf32>, tensor<?x32x6x6xf32>) outs(%e : tensor<?x32x6x6xf32>) {
    ^bb0(%v: f32, %d: f32, %o: f32):
      %s2 = arith.addf %v, %d : f32
      linalg.yield %s2 : f32
    } -> tensor<?x32x6x6xf32>
    scf.yield %g2 : tensor<?x32x6x6xf32>
  }
  return %grad : tensor<?x32x6x6xf32>
}
