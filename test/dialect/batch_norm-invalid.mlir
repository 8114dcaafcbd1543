// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @channels(%x: tensor<?x8x4x4xf32>, %m: tensor<16xf32>, %v: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op expects 16 channels, got 8}}
  %0 = cnn.batch_norm %x, %m, %v eps 1.0e-05 momentum 0.1 : (tensor<?x8x4x4xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x8x4x4xf32>
  return
}

// -----

func.func @var_shape(%x: tensor<?x16x4x4xf32>, %m: tensor<16xf32>, %v: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op expects running_var of shape [16], got 'tensor<8xf32>'}}
  %0 = cnn.batch_norm %x, %m, %v eps 1.0e-05 momentum 0.1 : (tensor<?x16x4x4xf32>, tensor<16xf32>, tensor<8xf32>) -> tensor<?x16x4x4xf32>
  return
}

// -----

func.func @mean_rank(%x: tensor<?x16x4x4xf32>, %m: tensor<1x16xf32>, %v: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op expects a [C] running_mean, got 'tensor<1x16xf32>'}}
  %0 = cnn.batch_norm %x, %m, %v eps 1.0e-05 momentum 0.1 : (tensor<?x16x4x4xf32>, tensor<1x16xf32>, tensor<16xf32>) -> tensor<?x16x4x4xf32>
  return
}

// -----

func.func @scale_shape(%x: tensor<?x16x4x4xf32>, %m: tensor<16xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op expects scale of shape [16], got 'tensor<4xf32>'}}
  %0 = cnn.batch_norm %x, %m, %m scale %g shift %m eps 1.0e-05 momentum 0.1 : (tensor<?x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<4xf32>, tensor<16xf32>) -> tensor<?x16x4x4xf32>
  return
}

// -----

func.func @shift_shape(%x: tensor<?x16x4x4xf32>, %m: tensor<16xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op expects shift of shape [16], got 'tensor<4xf32>'}}
  %0 = cnn.batch_norm %x, %m, %m scale %m shift %b eps 1.0e-05 momentum 0.1 : (tensor<?x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<4xf32>) -> tensor<?x16x4x4xf32>
  return
}

// -----

func.func @scale_only(%x: tensor<?x16x4x4xf32>, %m: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op expects scale and shift together (affine) or neither}}
  %0 = cnn.batch_norm %x, %m, %m scale %m eps 1.0e-05 momentum 0.1 : (tensor<?x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x4x4xf32>
  return
}

// -----

func.func @eps(%x: tensor<?x16x4x4xf32>, %m: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op expects eps > 0, got 0.000000e+00}}
  %0 = cnn.batch_norm %x, %m, %m eps 0.0 momentum 0.1 : (tensor<?x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x4x4xf32>
  return
}

// -----

func.func @momentum(%x: tensor<?x16x4x4xf32>, %m: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op expects momentum in [0, 1], got 1.500000e+00}}
  %0 = cnn.batch_norm %x, %m, %m eps 1.0e-05 momentum 1.5 : (tensor<?x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x4x4xf32>
  return
}

// -----

func.func @rank(%x: tensor<?x16xf32>, %m: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op expects a [N, C, H, W] input, got 'tensor<?x16xf32>'}}
  %0 = cnn.batch_norm %x, %m, %m eps 1.0e-05 momentum 0.1 : (tensor<?x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return
}
