// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{'cnn.param' op expects a statically shaped type, got 'tensor<?x3xf32>'}}
cnn.param @w : tensor<?x3xf32> parameter init #cnn.constant<value = 0.0>

// -----

// expected-error @+1 {{'cnn.param' op of type 'tensor<i64>' must be a buffer: the optimizer updates f32 only}}
cnn.param @n : tensor<i64> parameter init #cnn.constant<value = 0.0>

// -----

// expected-error @+1 {{'cnn.param' op expects f32 elements or a scalar tensor<i64>, got 'tensor<2xi64>'}}
cnn.param @n : tensor<2xi64> buffer init #cnn.constant<value = 0.0>

// -----

// expected-error @+1 {{'cnn.param' op expects f32 elements or a scalar tensor<i64>, got 'tensor<4xf16>'}}
cnn.param @w : tensor<4xf16> parameter init #cnn.constant<value = 0.0>

// -----

// expected-error @+1 {{'cnn.param' op expects an integral #cnn.constant init for 'tensor<i64>', got #cnn.uniform<low = 0.000000e+00, high = 1.000000e+00>}}
cnn.param @n : tensor<i64> buffer init #cnn.uniform<low = 0.0, high = 1.0>

// -----

// expected-error @+1 {{'cnn.param' op expects an integral #cnn.constant init for 'tensor<i64>', got #cnn.constant<value = 5.000000e-01>}}
cnn.param @n : tensor<i64> buffer init #cnn.constant<value = 0.5>

// -----

// expected-error @+1 {{#cnn.uniform expects low < high, got low = 1.000000e+00, high = 1.000000e+00}}
cnn.param @w : tensor<4xf32> parameter init #cnn.uniform<low = 1.0, high = 1.0>

// -----

// expected-error @+1 {{#cnn.normal expects std >= 0, got -1.000000e+00}}
cnn.param @w : tensor<4xf32> parameter init #cnn.normal<mean = 0.0, std = -1.0>

// -----

// expected-error @+1 {{'cnn.param' op attribute 'init' failed to satisfy constraint}}
cnn.param @w : tensor<4xf32> parameter init 1.0 : f32

// -----

// expected-error @+2 {{expected ::cnn::ParamRole to be one of: parameter, buffer}}
// expected-error @+1 {{failed to parse Cnn_ParamRoleAttr parameter 'value'}}
cnn.param @w : tensor<4xf32> weight init #cnn.constant<value = 0.0>

// -----

func.func @f() {
  // expected-error @+1 {{'cnn.param' op expects parent op 'builtin.module'}}
  "cnn.param"() <{init = #cnn.constant<value = 0.0>, role = #cnn<role parameter>, sym_name = "w", type = tensor<4xf32>}> : () -> ()
  return
}

// -----

// expected-error @+1 {{'cnn.param' op expects an offset aligned to 64 bytes, got 100}}
cnn.param @"fc1.bias" : tensor<32xf32> parameter init #cnn.constant<value = 0.0> offset 100

// -----

// expected-error @+1 {{'cnn.param' op attribute 'offset' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
cnn.param @"fc1.bias" : tensor<32xf32> parameter init #cnn.constant<value = 0.0> offset -64

// -----

// expected-error @+1 {{'cnn.param' op lists the alias 'b.1.w' twice}}
cnn.param @"b.0.w" : tensor<2xf32> parameter init #cnn.constant<value = 0.0> aliases ["b.1.w", "b.2.w", "b.1.w"]

// -----

// expected-error @+1 {{'cnn.param' op lists its own name 'b.0.w' as an alias}}
cnn.param @"b.0.w" : tensor<2xf32> parameter init #cnn.constant<value = 0.0> aliases ["b.1.w", "b.0.w"]

// -----

// expected-error @+1 {{'cnn.param' op has an empty alias}}
cnn.param @"b.0.w" : tensor<2xf32> parameter init #cnn.constant<value = 0.0> aliases [""]

// -----

// expected-error @+1 {{'aliases' failed to satisfy constraint: string array attribute}}
cnn.param @"b.0.w" : tensor<2xf32> parameter init #cnn.constant<value = 0.0> aliases [1, 2]
