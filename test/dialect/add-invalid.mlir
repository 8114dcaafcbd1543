// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @shapes(%a: tensor<?x32x16x16xf32>, %b: tensor<?x32x8x8xf32>) {
  // expected-error @+1 {{'cnn.add' op cannot add tensors of shapes [32, 16, 16] and [32, 8, 8]}}
  %0 = cnn.add %a, %b : (tensor<?x32x16x16xf32>, tensor<?x32x8x8xf32>) -> tensor<?x32x16x16xf32>
  return
}

// -----

func.func @batch(%a: tensor<4x8xf32>, %b: tensor<8x8xf32>) {
  // expected-error @+1 {{'cnn.add' op expects equal batch sizes, got 4 and 8}}
  %0 = cnn.add %a, %b : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @rank(%a: tensor<?x8xf32>, %b: tensor<?x2x4xf32>) {
  // expected-error @+1 {{'cnn.add' op cannot add tensors of shapes [8] and [2, 4]}}
  %0 = cnn.add %a, %b : (tensor<?x8xf32>, tensor<?x2x4xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @result(%a: tensor<?x8xf32>, %b: tensor<8x8xf32>) {
  // expected-error @+1 {{'cnn.add' op result type 'tensor<?x8xf32>' does not match the inferred 'tensor<8x8xf32>'}}
  %0 = cnn.add %a, %b : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
  return
}
