// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

// Each gradient op is checked against its forward op's shape rule.

func.func @conv_input(%dy: tensor<?x16x16x16xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d_input_grad' op expects an output gradient of sample shape [16, 32, 32], got [16, 16, 16]}}
  %dx = cnn.conv2d_input_grad %dy, %w stride [1, 1] padding [1, 1] : (tensor<?x16x16x16xf32>, tensor<16x3x3x3xf32>) -> tensor<?x3x32x32xf32>
  return
}

// -----

func.func @conv_input_channels(%dy: tensor<?x16x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.conv2d_input_grad' op expects 3 input channels, got 4}}
  %dx = cnn.conv2d_input_grad %dy, %w stride [1, 1] padding [1, 1] : (tensor<?x16x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<?x4x32x32xf32>
  return
}

// -----

func.func @conv_weight(%x: tensor<?x3x32x32xf32>, %dy: tensor<?x16x32x32xf32>) {
  // expected-error @+1 {{'cnn.conv2d_weight_grad' op expects an output gradient of sample shape [16, 30, 30], got [16, 32, 32]}}
  %dw = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [0, 0] : (tensor<?x3x32x32xf32>, tensor<?x16x32x32xf32>) -> tensor<16x3x3x3xf32>
  return
}

// -----

func.func @conv_weight_batch(%x: tensor<2x3x32x32xf32>, %dy: tensor<4x16x32x32xf32>) {
  // expected-error @+1 {{'cnn.conv2d_weight_grad' op expects equal batch sizes, got 2 and 4}}
  %dw = cnn.conv2d_weight_grad %x, %dy stride [1, 1] padding [1, 1] : (tensor<2x3x32x32xf32>, tensor<4x16x32x32xf32>) -> tensor<16x3x3x3xf32>
  return
}

// -----

func.func @conv_stride(%x: tensor<?x3x32x32xf32>, %dy: tensor<?x16x32x32xf32>) {
  // expected-error @+1 {{'cnn.conv2d_weight_grad' op expects stride to have 2 values, got 1}}
  %dw = cnn.conv2d_weight_grad %x, %dy stride [1] padding [1, 1] : (tensor<?x3x32x32xf32>, tensor<?x16x32x32xf32>) -> tensor<16x3x3x3xf32>
  return
}

// -----

func.func @bias_rank(%dy: tensor<?x16x32xf32>) {
  // expected-error @+1 {{'cnn.bias_grad' op expects a [N, O, OH, OW] or [N, O] output gradient, got rank 3}}
  %db = cnn.bias_grad %dy : tensor<?x16x32xf32> -> tensor<16xf32>
  return
}

// -----

func.func @bias_result(%dy: tensor<?x16x4x4xf32>) {
  // expected-error @+1 {{'cnn.bias_grad' op result type 'tensor<4xf32>' does not match the inferred 'tensor<16xf32>'}}
  %db = cnn.bias_grad %dy : tensor<?x16x4x4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @linear_input(%dy: tensor<?x32xf32>, %w: tensor<16x512xf32>) {
  // expected-error @+1 {{'cnn.linear_input_grad' op expects an output gradient of 16 features, got 32}}
  %dx = cnn.linear_input_grad %dy, %w : (tensor<?x32xf32>, tensor<16x512xf32>) -> tensor<?x512xf32>
  return
}

// -----

func.func @linear_weight(%x: tensor<?x512xf32>, %dy: tensor<?x32xf32>) {
  // expected-error @+1 {{'cnn.linear_weight_grad' op result type 'tensor<512x32xf32>' does not match the inferred 'tensor<32x512xf32>'}}
  %dw = cnn.linear_weight_grad %x, %dy : (tensor<?x512xf32>, tensor<?x32xf32>) -> tensor<512x32xf32>
  return
}

// -----

func.func @max_pool(%x: tensor<?x4x8x8xf32>, %dy: tensor<?x4x3x3xf32>) {
  // expected-error @+1 {{'cnn.max_pool2d_grad' op expects an output gradient of sample shape [4, 4, 4], got [4, 3, 3]}}
  %dx = cnn.max_pool2d_grad %x, %dy kernel [2, 2] stride [2, 2] : tensor<?x4x8x8xf32>, tensor<?x4x3x3xf32>
  return
}

// -----

func.func @avg_pool(%dy: tensor<?x4x4x4xf32>) {
  // expected-error @+1 {{'cnn.avg_pool2d_grad' op window 2x2 is larger than its input 1x1}}
  %dx = cnn.avg_pool2d_grad %dy kernel [2, 2] stride [2, 2] : tensor<?x4x4x4xf32> -> tensor<?x4x1x1xf32>
  return
}

// -----

func.func @relu(%y: tensor<?x32xf32>, %dy: tensor<?x16xf32>) {
  // expected-error @+1 {{'cnn.relu_grad' op requires the same type for all operands and results}}
  %dx = "cnn.relu_grad"(%y, %dy) : (tensor<?x32xf32>, tensor<?x16xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @tanh(%y: tensor<f32>) {
  // expected-error @+1 {{'cnn.tanh_grad' op expects a [N, ...] input, got 'tensor<f32>'}}
  %dx = cnn.tanh_grad %y, %y : tensor<f32>
  return
}

// -----

func.func @bn_scale(%x: tensor<?x4x8x8xf32>, %m: tensor<4xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_train_grad' op expects scale of shape [4], got 'tensor<8xf32>'}}
  %r:3 = cnn.batch_norm_train_grad %x, %x, %m, %m scale %g : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @bn_apply_stats(%x: tensor<?x4x8x8xf32>, %m: tensor<4xf32>, %s: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_apply' op expects batch_invstd of shape [4], got 'tensor<8xf32>'}}
  %z = cnn.batch_norm_apply %x, %m, %s : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @bn_apply_affine(%x: tensor<?x4x8x8xf32>, %m: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_apply' op expects scale and shift together (affine) or neither}}
  %z = cnn.batch_norm_apply %x, %m, %m scale %m : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @bn_dy(%x: tensor<?x4x8x8xf32>, %dy: tensor<?x4x4x4xf32>, %m: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_train_grad' op expects an output gradient of sample shape [4, 8, 8], got [4, 4, 4]}}
  %r:3 = cnn.batch_norm_train_grad %x, %dy, %m, %m : (tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @unflatten(%x: tensor<?x512xf32>) {
  // expected-error @+1 {{'cnn.unflatten' op cannot unflatten [512] into [8, 8, 4]}}
  %y = cnn.unflatten %x : tensor<?x512xf32> -> tensor<?x8x8x4xf32>
  return
}
