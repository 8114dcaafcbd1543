// RUN: cnnc-opt %s --split-input-file --cnn-cpu-strategy="cpu=x86-64-v4" | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-cpu-strategy="cpu=x86-64-v3" | FileCheck %s --check-prefix=AVX2
// RUN: cnnc-opt %s --split-input-file --cnn-cpu-strategy="cpu=x86-64-v3" --cnn-cpu-tile-and-fuse --canonicalize | FileCheck %s --check-prefix=TILED

// A sum over the batch and the image per channel (a bias gradient, as
// convert-cnn-to-linalg writes it: (n, c, h, w) with c parallel) is split
// by image column: a partial sum over (c, w | n, h) keeps the 6 columns
// apart, its register tile the channels x columns (AVX-512, 8 x 6; AVX2,
// 4 x 6), the sample outermost; then the columns are summed into the
// result.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d0, d3, d1)>
// CHECK-DAG: #[[KEEP:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func.func @bias_grad
// CHECK: %[[ZERO:.+]] = linalg.fill {{.*}} -> tensor<8x6xf32>
// CHECK: %[[PART:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[KEEP]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%{{.+}} : tensor<?x8x6x6xf32>) outs(%[[ZERO]] : tensor<8x6xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "batch_contraction", registers = [8, 6, 1, 1], order = [2, 0, 1, 3]>}
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[PART]] : tensor<8x6xf32>) outs(%{{.+}} : tensor<8xf32>)
// AVX2-LABEL: func.func @bias_grad
// AVX2: registers = [4, 6, 1, 1]
func.func @bias_grad(%dy: tensor<?x8x6x6xf32>) -> tensor<8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : tensor<?x8x6x6xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %out, %in : f32
    linalg.yield %a : f32
  } -> tensor<8xf32>
  return %s : tensor<8xf32>
}

// -----

// Two f64 sums in one op (batchnorm's statistics): one partial-sum op
// with both results, which reads the inputs once; its register tile has
// fewer channel rows (two f64 results take four times the registers of
// one f32 sum: AVX-512, 2 x 6; AVX2, 1 x 6); then each result's columns
// are summed.
// CHECK-LABEL: func.func @two_sums
// CHECK:     %[[PART:.+]]:2 = linalg.generic {{.*}} outs(%{{.+}}, %{{.+}} : tensor<8x6xf64>, tensor<8x6xf64>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "batch_contraction", registers = [2, 6, 1, 1], order = [2, 0, 1, 3]>}
// CHECK:       arith.extf
// CHECK:       arith.mulf
// CHECK:       linalg.yield
// CHECK:     linalg.generic {{.*}} ins(%[[PART]]#0 : tensor<8x6xf64>) outs(%{{.+}} : tensor<8xf64>)
// CHECK:     linalg.generic {{.*}} ins(%[[PART]]#1 : tensor<8x6xf64>) outs(%{{.+}} : tensor<8xf64>)
// AVX2-LABEL: func.func @two_sums
// AVX2: registers = [1, 6, 1, 1]
// Tiled as one op: the threads share the channels, each step reads a row
// of both inputs and adds to both register tiles.
// TILED-LABEL: func.func @two_sums
// TILED:       scf.forall (%{{.+}}) in (8) shared_outs(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (tensor<8x6xf64>, tensor<8x6xf64>)
// TILED:         scf.for
// TILED:           scf.for
// TILED:             linalg.generic {{.*}} outs(%{{.+}}, %{{.+}} : tensor<1x6xf64>, tensor<1x6xf64>)
// TILED:         scf.forall.in_parallel
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#chan = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @two_sums(%x: tensor<?x8x6x6xf32>, %y: tensor<?x8x6x6xf32>) -> (tensor<8xf64>, tensor<8xf64>) {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<8xf64>
  %init = linalg.fill ins(%zero : f64) outs(%e : tensor<8xf64>) -> tensor<8xf64>
  %s:2 = linalg.generic {indexing_maps = [#id, #id, #chan, #chan], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%x, %y : tensor<?x8x6x6xf32>, tensor<?x8x6x6xf32>) outs(%init, %init : tensor<8xf64>, tensor<8xf64>) {
  ^bb0(%a: f32, %b: f32, %o1: f64, %o2: f64):
    %ae = arith.extf %a : f32 to f64
    %p = arith.mulf %a, %b : f32
    %pe = arith.extf %p : f32 to f64
    %s1 = arith.addf %o1, %ae : f64
    %s2 = arith.addf %o2, %pe : f64
    linalg.yield %s1, %s2 : f64, f64
  } -> (tensor<8xf64>, tensor<8xf64>)
  return %s#0, %s#1 : tensor<8xf64>, tensor<8xf64>
}

// -----

// A sum per channel over a channels-last image ((c | n, h, w), the image
// read at (n, h, w, c): ChannelsLastActivations' form) has its lanes in
// the channels already: it keeps the images apart instead, a partial sum
// over (n, c | h, w) into [images, channels], the channels a whole vector
// step; then the images are summed into the result. Tiled, the partial
// sums run image by image in an scf.forall over the batch, as the ops
// that make such images do (a conv's loop, which they then fuse into).
// CHECK-DAG: #[[IMAGE_IN:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
// CHECK-LABEL: func.func @channels_last_sum
// CHECK: %[[N:.+]] = tensor.dim %{{.+}}, %c0 : tensor<?x6x6x32xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?x32xf32>
// CHECK: %[[ZEROS:.+]] = linalg.fill {{.*}} outs(%[[EMPTY]] : tensor<?x32xf32>)
// CHECK: %[[PART:.+]] = linalg.generic {indexing_maps = [#[[IMAGE_IN]], #{{.+}}], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%{{.+}} : tensor<?x6x6x32xf32>) outs(%[[ZEROS]] : tensor<?x32xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "contraction", registers = [1, 0, 1, 1]>}
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[PART]] : tensor<?x32xf32>) outs(%{{.+}} : tensor<32xf32>)
// AVX2-LABEL: func.func @channels_last_sum
// AVX2: kind = "contraction", registers = [1, 0, 1, 1]
// TILED-LABEL: func.func @channels_last_sum
// TILED:       scf.forall (%[[IMAGE:.+]]) in (%{{.+}}) shared_outs(%{{.+}} = %{{.+}}) -> (tensor<?x32xf32>)
// TILED:         tensor.extract_slice %{{.+}}[%[[IMAGE]], 0, 0, 0] [1, 6, 6, 32]
// TILED:         scf.for
// TILED:           scf.for
// TILED:             linalg.generic {{.*}} ins(%{{.+}} : tensor<1x1x1x32xf32>) outs(%{{.+}} : tensor<1x32xf32>)
// TILED:         tensor.parallel_insert_slice %{{.+}} into %{{.+}}[%[[IMAGE]], 0] [1, 32]
// TILED:       linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%{{.+}} : tensor<?x32xf32>) outs(%{{.+}} : tensor<32xf32>)
func.func @channels_last_sum(%dy: tensor<?x6x6x32xf32>) -> tensor<32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<32xf32>) -> tensor<32xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d2, d3, d0)>, affine_map<(d0, d1, d2, d3) -> (d0)>], iterator_types = ["parallel", "reduction", "reduction", "reduction"]}
      ins(%dy : tensor<?x6x6x32xf32>) outs(%init : tensor<32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %out, %in : f32
    linalg.yield %a : f32
  } -> tensor<32xf32>
  return %s : tensor<32xf32>
}
