// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @scalar(%x: tensor<f32>) {
  // expected-error @+1 {{'cnn.relu' op expects a [N, ...] input, got 'tensor<f32>'}}
  %0 = cnn.relu %x : tensor<f32>
  return
}

// -----

func.func @dynamic(%x: tensor<?x?xf32>) {
  // expected-error @+1 {{'cnn.tanh' op expects static non-batch dimensions, got 'tensor<?x?xf32>'}}
  %0 = cnn.tanh %x : tensor<?x?xf32>
  return
}

// -----

func.func @f64(%x: tensor<?x4xf64>) {
  // expected-error @+1 {{'cnn.sigmoid' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<?x4xf64>'}}
  %0 = cnn.sigmoid %x : tensor<?x4xf64>
  return
}

// -----

func.func @unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{'cnn.relu' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<*xf32>'}}
  %0 = "cnn.relu"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return
}
