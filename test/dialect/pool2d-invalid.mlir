// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @window(%x: tensor<?x8x1x1xf32>) {
  // expected-error @+1 {{'cnn.max_pool2d' op window 2x2 is larger than its input 1x1}}
  %0 = cnn.max_pool2d %x kernel [2, 2] stride [2, 2] : tensor<?x8x1x1xf32> -> tensor<?x8x1x1xf32>
  return
}

// -----

func.func @kernel_zero(%x: tensor<?x8x4x4xf32>) {
  // expected-error @+1 {{'cnn.avg_pool2d' op needs a positive kernel and stride}}
  %0 = cnn.avg_pool2d %x kernel [0, 2] stride [2, 2] : tensor<?x8x4x4xf32> -> tensor<?x8x2x2xf32>
  return
}

// -----

func.func @kernel_arity(%x: tensor<?x8x4x4xf32>) {
  // expected-error @+1 {{'cnn.max_pool2d' op expects kernel to have 2 values, got 1}}
  %0 = cnn.max_pool2d %x kernel [2] stride [2, 2] : tensor<?x8x4x4xf32> -> tensor<?x8x2x2xf32>
  return
}

// -----

func.func @rank(%x: tensor<?x8x4xf32>) {
  // expected-error @+1 {{'cnn.max_pool2d' op expects a [N, C, H, W] input, got 'tensor<?x8x4xf32>'}}
  %0 = cnn.max_pool2d %x kernel [2, 2] stride [2, 2] : tensor<?x8x4xf32> -> tensor<?x8x2xf32>
  return
}

// -----

func.func @result(%x: tensor<?x8x4x4xf32>) {
  // expected-error @+1 {{'cnn.avg_pool2d' op result type 'tensor<?x8x4x4xf32>' does not match the inferred 'tensor<?x8x2x2xf32>'}}
  %0 = cnn.avg_pool2d %x kernel [2, 2] stride [2, 2] : tensor<?x8x4x4xf32> -> tensor<?x8x4x4xf32>
  return
}
