// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @mask_p(%g: tensor<?x4xf32>, %f: i32, %s: i64) {
  // expected-error @+1 {{'cnn.dropout_mask' op expects p in [0, 1), got 1.000000e+00}}
  %m = cnn.dropout_mask p 1.0 site 0 key %s, %s given %g if %f : tensor<?x4xf32>
  return
}

// -----

func.func @mask_site(%g: tensor<?x4xf32>, %f: i32, %s: i64) {
  // expected-error @+1 {{'cnn.dropout_mask' op attribute 'site' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %m = cnn.dropout_mask p 0.5 site -1 key %s, %s given %g if %f : tensor<?x4xf32>
  return
}

// -----

func.func @mask_dynamic(%g: tensor<?x?xf32>, %f: i32, %s: i64) {
  // expected-error @+1 {{'cnn.dropout_mask' op expects static non-batch dimensions, got 'tensor<?x?xf32>'}}
  %m = cnn.dropout_mask p 0.5 site 0 key %s, %s given %g if %f : tensor<?x?xf32>
  return
}

// -----

func.func @mask_rank(%g: tensor<?x4x1xf32>, %f: i32, %s: i64) {
  // expected-error @+1 {{'cnn.dropout_mask' op operand #0 must be 2D tensor of 32-bit float values}}
  %m = cnn.dropout_mask p 0.5 site 0 key %s, %s given %g if %f : tensor<?x4x1xf32>
  return
}

// -----

func.func @apply_width(%x: tensor<?x16x8x8xf32>, %m: tensor<?x8xf32>) {
  // expected-error @+1 {{'cnn.apply_mask' op expects a mask of 16 (per channel) or 1024 (per element) values per sample, got 8}}
  %y = cnn.apply_mask %x, %m : tensor<?x16x8x8xf32>, tensor<?x8xf32>
  return
}

// -----

func.func @apply_batch(%x: tensor<4x32xf32>, %m: tensor<8x32xf32>) {
  // expected-error @+1 {{'cnn.apply_mask' op expects equal batch sizes, got 4 and 8}}
  %y = cnn.apply_mask %x, %m : tensor<4x32xf32>, tensor<8x32xf32>
  return
}

// -----

func.func @bn_channels(%x: tensor<?x8x4x4xf32>, %m: tensor<16xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_train' op expects 16 channels, got 8}}
  %y:5 = cnn.batch_norm_train %x, %m, %m eps 1.0e-05 momentum 0.1 : (tensor<?x8x4x4xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<?x8x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>)
  return
}

// -----

func.func @bn_momentum(%x: tensor<?x4x4x4xf32>, %m: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_train' op expects momentum in [0, 1], got 2.000000e+00}}
  %y:5 = cnn.batch_norm_train %x, %m, %m eps 1.0e-05 momentum 2.0 : (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @bn_result(%x: tensor<?x4x4x4xf32>, %m: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_train' op result type 'tensor<8xf32>' does not match the inferred 'tensor<4xf32>'}}
  %y:5 = cnn.batch_norm_train %x, %m, %m eps 1.0e-05 momentum 0.1 : (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8xf32>, tensor<4xf32>)
  return
}

// -----

func.func @increment(%n: tensor<i32>) {
  // expected-error @+1 {{'cnn.increment' op operand #0 must be 0D tensor of 64-bit signless integer values}}
  %n1 = cnn.increment %n : tensor<i32>
  return
}

// -----

cnn.param @w : tensor<4xf32> parameter init #cnn.constant<value = 1.0>
func.func @write_type(%v: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.write' op writes 'tensor<8xf32>' to @w, which is declared 'tensor<4xf32>'}}
  cnn.write @w, %v : tensor<8xf32>
  return
}

// -----

func.func @write_unknown(%v: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.write' op writes @nothing, which is not a cnn.param}}
  cnn.write @nothing, %v : tensor<8xf32>
  return
}

// -----

// expected-error @+1 {{'cnn.param' op of type 'tensor<i64>' must be a buffer: the optimizer updates f32 only}}
cnn.param @"grad.n" : tensor<i64> gradient init #cnn.constant<value = 0.0>
