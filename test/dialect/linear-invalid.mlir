// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @features(%x: tensor<?x392xf32>, %w: tensor<32x512xf32>) {
  // expected-error @+1 {{'cnn.linear' op expects 512 input features, got 392}}
  %0 = cnn.linear %x, %w : (tensor<?x392xf32>, tensor<32x512xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @unflattened(%x: tensor<?x8x8x8xf32>, %w: tensor<32x512xf32>) {
  // expected-error @+1 {{'cnn.linear' op expects a [N, F] input, got 'tensor<?x8x8x8xf32>'}}
  %0 = cnn.linear %x, %w : (tensor<?x8x8x8xf32>, tensor<32x512xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @bias_shape(%x: tensor<?x512xf32>, %w: tensor<32x512xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{'cnn.linear' op expects a bias of shape [32], got 'tensor<2xf32>'}}
  %0 = cnn.linear %x, %w, %b : (tensor<?x512xf32>, tensor<32x512xf32>, tensor<2xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @bias_rank(%x: tensor<?x512xf32>, %w: tensor<32x512xf32>, %b: tensor<1x32xf32>) {
  // expected-error @+1 {{'cnn.linear' op expects a bias of shape [32], got 'tensor<1x32xf32>'}}
  %0 = cnn.linear %x, %w, %b : (tensor<?x512xf32>, tensor<32x512xf32>, tensor<1x32xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @weight_rank(%x: tensor<?x512xf32>, %w: tensor<512xf32>) {
  // expected-error @+1 {{'cnn.linear' op expects a [O, F] weight, got 'tensor<512xf32>'}}
  %0 = cnn.linear %x, %w : (tensor<?x512xf32>, tensor<512xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @result(%x: tensor<?x512xf32>, %w: tensor<32x512xf32>) {
  // expected-error @+1 {{'cnn.linear' op result type 'tensor<?x2xf32>' does not match the inferred 'tensor<?x32xf32>'}}
  %0 = cnn.linear %x, %w : (tensor<?x512xf32>, tensor<32x512xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @dynamic_features(%x: tensor<?x?xf32>, %w: tensor<32x512xf32>) {
  // expected-error @+1 {{'cnn.linear' op expects static non-batch dimensions, got 'tensor<?x?xf32>'}}
  %0 = cnn.linear %x, %w : (tensor<?x?xf32>, tensor<32x512xf32>) -> tensor<?x32xf32>
  return
}
