// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @weight_rank(%w: tensor<16x3xf32>, %v: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.fold_bn_weight' op expects a [O, C, KH, KW] weight, got 'tensor<16x3xf32>'}}
  %0 = cnn.fold_bn_weight %w, %v eps 1.0e-05 : (tensor<16x3xf32>, tensor<16xf32>) -> tensor<16x3xf32>
  return
}

// -----

func.func @weight_channels(%w: tensor<16x3x3x3xf32>, %v: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.fold_bn_weight' op expects running_var of shape [16], got 'tensor<8xf32>'}}
  %0 = cnn.fold_bn_weight %w, %v eps 1.0e-05 : (tensor<16x3x3x3xf32>, tensor<8xf32>) -> tensor<16x3x3x3xf32>
  return
}

// -----

func.func @weight_result(%w: tensor<16x3x3x3xf32>, %v: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.fold_bn_weight' op failed to verify that all of {weight, result} have same type}}
  %0 = cnn.fold_bn_weight %w, %v eps 1.0e-05 : (tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<16x3x1x1xf32>
  return
}

// -----

func.func @weight_eps(%w: tensor<16x3x3x3xf32>, %v: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.fold_bn_weight' op expects eps > 0, got -1}}
  %0 = cnn.fold_bn_weight %w, %v eps -1.0 : (tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<16x3x3x3xf32>
  return
}

// -----

func.func @bias_channels(%m: tensor<16xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.fold_bn_bias' op expects bias of shape [16], got 'tensor<4xf32>'}}
  %0 = cnn.fold_bn_bias %m, %m bias %b eps 1.0e-05 : (tensor<16xf32>, tensor<16xf32>, tensor<4xf32>) -> tensor<16xf32>
  return
}

// -----

func.func @bias_affine(%m: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.fold_bn_bias' op expects scale and shift together (affine) or neither}}
  %0 = cnn.fold_bn_bias %m, %m shift %m eps 1.0e-05 : (tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  return
}

// -----

func.func @bias_rank(%m: tensor<1x16xf32>, %v: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.fold_bn_bias' op expects a [O] running_mean, got 'tensor<1x16xf32>'}}
  %0 = cnn.fold_bn_bias %m, %v eps 1.0e-05 : (tensor<1x16xf32>, tensor<16xf32>) -> tensor<1x16xf32>
  return
}
