// RUN: cnnc-opt %s --split-input-file --verify-diagnostics

// #cnn_cpu.config is checked where it is written: a known kind, sizes for
// every loop of a linalg op.

func.func @unknown_kind(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unknown kind 'tile'}}
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], cnn_cpu.config = #cnn_cpu.config<kind = "tile">}
      ins(%a : tensor<4xf32>) outs(%a : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @wrong_rank(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{cnn_cpu.config has 2 sizes for an op of 1 loops}}
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], cnn_cpu.config = #cnn_cpu.config<kind = "elementwise", tiles = [1, 1]>}
      ins(%a : tensor<4xf32>) outs(%a : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @not_linalg(%a: f32) -> f32 {
  // expected-error @+1 {{cnn_cpu.config is for linalg ops}}
  %r = arith.addf %a, %a {cnn_cpu.config = #cnn_cpu.config<kind = "elementwise">} : f32
  return %r : f32
}

// -----

func.func @bad_order(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{order must be a permutation of the loops}}
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], cnn_cpu.config = #cnn_cpu.config<kind = "elementwise", order = [1]>}
      ins(%a : tensor<4xf32>) outs(%a : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @bad_algorithm(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{algorithm 'winograd' is for lane_conv and batch_contraction ops}}
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], cnn_cpu.config = #cnn_cpu.config<kind = "elementwise", algorithm = "winograd">}
      ins(%a : tensor<4xf32>) outs(%a : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @bad_winograd4x4(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{algorithm 'winograd4x4' is for lane_conv and batch_contraction ops}}
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], cnn_cpu.config = #cnn_cpu.config<kind = "pool", algorithm = "winograd4x4">}
      ins(%a : tensor<4xf32>) outs(%a : tensor<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
