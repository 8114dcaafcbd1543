// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @mixed(%a: tensor<4xf32>, %b: tensor<4xf64>) {
  // expected-error @+1 {{'cnn.replica_sum' op expects tensors of one element type (one exchange over one buffer), got 'f32' and 'f64'}}
  %s:2 = cnn.replica_sum %a, %b : tensor<4xf32>, tensor<4xf64>
  return
}

// -----

func.func @none() {
  // expected-error @+1 {{'cnn.replica_sum' op expects at least one tensor to sum}}
  "cnn.replica_sum"() : () -> ()
  return
}

// -----

func.func @dynamic(%a: tensor<?x4xf32>) {
  // expected-error @+1 {{'cnn.replica_sum' op operand #0 must be variadic of statically shaped tensor of 32-bit float or 64-bit float values, but got 'tensor<?x4xf32>'}}
  %s = cnn.replica_sum %a : tensor<?x4xf32>
  return
}

// -----

func.func @integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'cnn.replica_sum' op operand #0 must be variadic of statically shaped tensor of 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %s = cnn.replica_sum %a : tensor<4xi32>
  return
}

// -----

func.func @result(%a: tensor<4xf32>) {
  // expected-error @+2 {{'cnn.replica_sum' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<8xf32>'}}
  // expected-error @+1 {{'cnn.replica_sum' op failed to infer returned types}}
  %s = "cnn.replica_sum"(%a) : (tensor<4xf32>) -> tensor<8xf32>
  return
}
