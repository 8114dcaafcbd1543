// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @channels(%x: tensor<?x3x32x32xf32>, %w: tensor<16x4x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op expects 4 input channels, got 3}}
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x3x32x32xf32>, tensor<16x4x3x3xf32>) -> tensor<?x16x32x32xf32>
  return
}

// -----

func.func @bias_shape(%x: tensor<?x3x32x32xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op expects a bias of shape [16], got 'tensor<8xf32>'}}
  %0 = cnn.conv2d %x, %w, %b stride [1, 1] padding [1, 1] : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<8xf32>) -> tensor<?x16x32x32xf32>
  return
}

// -----

func.func @kernel_zero(%x: tensor<?x3x32x32xf32>, %w: tensor<16x3x0x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op needs a positive kernel and stride and a non-negative padding}}
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x3x32x32xf32>, tensor<16x3x0x3xf32>) -> tensor<?x16x32x32xf32>
  return
}

// -----

func.func @stride_zero(%x: tensor<?x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op needs a positive kernel and stride and a non-negative padding}}
  %0 = cnn.conv2d %x, %w stride [0, 1] padding [1, 1] : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<?x16x32x32xf32>
  return
}

// -----

func.func @stride_arity(%x: tensor<?x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op expects stride to have 2 values, got 3}}
  %0 = cnn.conv2d %x, %w stride [1, 1, 1] padding [1, 1] : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<?x16x32x32xf32>
  return
}

// -----

func.func @kernel_too_large(%x: tensor<?x3x2x2xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op kernel 3x3 is larger than its padded input 2x2}}
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [0, 0] : (tensor<?x3x2x2xf32>, tensor<16x3x3x3xf32>) -> tensor<?x16x1x1xf32>
  return
}

// -----

func.func @input_rank(%x: tensor<?x3x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op expects a [N, C, H, W] input, got 'tensor<?x3x32xf32>'}}
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x3x32xf32>, tensor<16x3x3x3xf32>) -> tensor<?x16x32x32xf32>
  return
}

// -----

func.func @weight_rank(%x: tensor<?x3x32x32xf32>, %w: tensor<16x27xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op expects a [O, C, KH, KW] weight, got 'tensor<16x27xf32>'}}
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x3x32x32xf32>, tensor<16x27xf32>) -> tensor<?x16x32x32xf32>
  return
}

// -----

func.func @dynamic_channels(%x: tensor<?x?x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op expects static non-batch dimensions, got 'tensor<?x?x32x32xf32>'}}
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x?x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<?x16x32x32xf32>
  return
}

// -----

func.func @dynamic_weight(%x: tensor<?x3x32x32xf32>, %w: tensor<?x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op operand #1 must be statically shaped tensor of 32-bit float values}}
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x3x32x32xf32>, tensor<?x3x3x3xf32>) -> tensor<?x16x32x32xf32>
  return
}

// -----

func.func @wrong_result(%x: tensor<?x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op result type 'tensor<?x16x32x32xf32>' does not match the inferred 'tensor<?x16x30x30xf32>'}}
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [0, 0] : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<?x16x32x32xf32>
  return
}

// -----

// The batch passes through: a static input batch fixes the result's.
func.func @batch_mismatch(%x: tensor<4x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op result type 'tensor<8x16x32x32xf32>' does not match the inferred 'tensor<4x16x32x32xf32>'}}
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<4x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<8x16x32x32xf32>
  return
}

// -----

func.func @f64_input(%x: tensor<?x3x32x32xf64>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d' op operand #0 must be ranked tensor of 32-bit float values}}
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x3x32x32xf64>, tensor<16x3x3x3xf32>) -> tensor<?x16x32x32xf32>
  return
}
