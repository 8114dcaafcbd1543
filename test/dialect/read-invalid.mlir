// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

cnn.param @"fc1.weight" : tensor<32x512xf32> parameter init #cnn.constant<value = 0.0>
func.func @wrong_type() {
  // expected-error @+1 {{'cnn.read' op reads @fc1.weight as 'tensor<512x32xf32>', but it is declared 'tensor<32x512xf32>'}}
  %0 = cnn.read @"fc1.weight" : tensor<512x32xf32>
  return
}

// -----

func.func @missing() {
  // expected-error @+1 {{'cnn.read' op reads unknown symbol @fc1.bias}}
  %0 = cnn.read @"fc1.bias" : tensor<32xf32>
  return
}

// -----

func.func @not_a_param() {
  // expected-error @+1 {{'cnn.read' op reads @not_a_param, which is not a cnn.param}}
  %0 = cnn.read @not_a_param : tensor<32xf32>
  return
}
