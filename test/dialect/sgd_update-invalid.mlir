// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @types(%p: tensor<16xf32>, %g: tensor<8xf32>, %lr: f32, %n: i32) {
  // expected-error @+1 {{'cnn.sgd_update' op failed to verify that all of {param, grad, buffer, new_param, new_buffer} have same type}}
  %p1, %b1 = "cnn.sgd_update"(%p, %g, %p, %lr, %lr, %lr, %lr, %lr, %lr, %n, %n) : (tensor<16xf32>, tensor<8xf32>, tensor<16xf32>, f32, f32, f32, f32, f32, f32, i32, i32) -> (tensor<16xf32>, tensor<16xf32>)
  return
}

// -----

func.func @flag(%p: tensor<16xf32>, %lr: f32, %n: i64) {
  // expected-error @+1 {{'cnn.sgd_update' op operand #9 must be 32-bit signless integer, but got 'i64'}}
  %p1, %b1 = "cnn.sgd_update"(%p, %p, %p, %lr, %lr, %lr, %lr, %lr, %lr, %n, %n) : (tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, f32, f32, f32, f32, f32, f32, i64, i64) -> (tensor<16xf32>, tensor<16xf32>)
  return
}
