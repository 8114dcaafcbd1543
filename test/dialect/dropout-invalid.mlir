// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @p_one(%x: tensor<?x32xf32>) {
  // expected-error @+1 {{'cnn.dropout' op expects p in [0, 1), got 1.000000e+00}}
  %0 = cnn.dropout %x p 1.0 site 0 : tensor<?x32xf32>
  return
}

// -----

func.func @p_negative(%x: tensor<?x4x2x2xf32>) {
  // expected-error @+1 {{'cnn.dropout2d' op expects p in [0, 1), got -1.000000e-01}}
  %0 = cnn.dropout2d %x p -0.1 site 0 : tensor<?x4x2x2xf32>
  return
}

// -----

func.func @dropout2d_rank(%x: tensor<?x32xf32>) {
  // expected-error @+1 {{'cnn.dropout2d' op expects a [N, C, H, W] input, got 'tensor<?x32xf32>'}}
  %0 = cnn.dropout2d %x p 0.4 site 0 : tensor<?x32xf32>
  return
}

// -----

func.func @site(%x: tensor<?x32xf32>) {
  // expected-error @+1 {{'cnn.dropout' op attribute 'site' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %0 = cnn.dropout %x p 0.4 site -1 : tensor<?x32xf32>
  return
}

// -----

func.func @scalar(%x: tensor<f32>) {
  // expected-error @+1 {{'cnn.dropout' op expects a [N, ...] input, got 'tensor<f32>'}}
  %0 = cnn.dropout %x p 0.4 site 0 : tensor<f32>
  return
}
