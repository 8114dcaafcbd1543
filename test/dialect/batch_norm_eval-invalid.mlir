// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @channels(%x: tensor<?x8x4x4xf32>, %m: tensor<16xf32>, %v: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_eval' op expects 16 channels, got 8}}
  %0 = cnn.batch_norm_eval %x, %m, %v eps 1.0e-05 : (tensor<?x8x4x4xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x8x4x4xf32>
  return
}

// -----

func.func @scale_without_shift(%x: tensor<?x16x4x4xf32>, %m: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_eval' op expects scale and shift together (affine) or neither}}
  %0 = cnn.batch_norm_eval %x, %m, %m scale %m eps 1.0e-05 : (tensor<?x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x4x4xf32>
  return
}

// -----

func.func @eps(%x: tensor<?x16x4x4xf32>, %m: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_eval' op expects eps > 0, got 0}}
  %0 = cnn.batch_norm_eval %x, %m, %m eps 0.0 : (tensor<?x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x4x4xf32>
  return
}

// -----

func.func @result(%x: tensor<?x16x4x4xf32>, %m: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_eval' op result type 'tensor<?x16x4x5xf32>' does not match the inferred 'tensor<?x16x4x4xf32>'}}
  %0 = cnn.batch_norm_eval %x, %m, %m eps 1.0e-05 : (tensor<?x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x4x5xf32>
  return
}
