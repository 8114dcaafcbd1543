// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @wrong_yield(%x: tensor<?x4x6x6xf32>, %z: tensor<?x4x3x3xf32>) {
  // expected-error @+1 {{'cnn.repeat' op expects its body to end in cnn.yield of ('tensor<?x4x6x6xf32>')}}
  %y = cnn.repeat %x count 2 : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  ^bb0(%k: index, %in: tensor<?x4x6x6xf32>):
    cnn.yield %z : tensor<?x4x3x3xf32>
  }
  return
}

// -----

func.func @no_index(%x: tensor<?x4x6x6xf32>) {
  // expected-error @+1 {{'cnn.repeat' op expects a body with arguments ('index', 'tensor<?x4x6x6xf32>')}}
  %y = cnn.repeat %x count 2 : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  ^bb0(%in: tensor<?x4x6x6xf32>):
    cnn.yield %in : tensor<?x4x6x6xf32>
  }
  return
}

// -----

func.func @zero_count(%x: tensor<?x4x6x6xf32>) {
  // expected-error @+1 {{'cnn.repeat' op attribute 'count' failed to satisfy constraint}}
  %y = cnn.repeat %x count 0 : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  ^bb0(%k: index, %in: tensor<?x4x6x6xf32>):
    cnn.yield %in : tensor<?x4x6x6xf32>
  }
  return
}

// -----

func.func @nested(%x: tensor<?x4x6x6xf32>) {
  %y = cnn.repeat %x count 2 : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  ^bb0(%k: index, %in: tensor<?x4x6x6xf32>):
    // expected-error @+1 {{'cnn.repeat' op is nested in another cnn.repeat; unroll the inner one}}
    %z = cnn.repeat %in count 2 : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
    ^bb0(%j: index, %in2: tensor<?x4x6x6xf32>):
      cnn.yield %in2 : tensor<?x4x6x6xf32>
    }
    cnn.yield %z : tensor<?x4x6x6xf32>
  }
  return
}

// -----

func.func @not_a_stack(%x: tensor<?x4xf32>, %w: tensor<2x4xf32>) {
  // expected-error @+1 {{'cnn.repeat' op has a stacked operand of type 'tensor<2x4xf32>', not a stack of 3}}
  %y = cnn.repeat %x stacked %w count 3 : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x4xf32> {
  ^bb0(%k: index, %in: tensor<?x4xf32>, %wk: tensor<4xf32>):
    cnn.yield %in : tensor<?x4xf32>
  }
  return
}

// -----

func.func @stacked_result(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'cnn.repeat' op has a stacked result of type 'tensor<2x?x4xf32>', not a stack of 3}}
  %y:2 = cnn.repeat %x count 3 : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<2x?x4xf32>) {
  ^bb0(%k: index, %in: tensor<?x4xf32>):
    cnn.yield %in, %in : tensor<?x4xf32>, tensor<?x4xf32>
  }
  return
}

// -----

func.func @no_batch(%s: tensor<4xf32>, %x: tensor<3x?x4xf32>) {
  // expected-error @+1 {{'cnn.repeat' op has a stacked result of dynamic type 'tensor<3x?x4xf32>', but its first carried value has no dynamic batch}}
  %y:2 = cnn.repeat %s stacked %x count 3 : (tensor<4xf32>, tensor<3x?x4xf32>) -> (tensor<4xf32>, tensor<3x?x4xf32>) {
  ^bb0(%k: index, %in: tensor<4xf32>, %xk: tensor<?x4xf32>):
    cnn.yield %in, %xk : tensor<4xf32>, tensor<?x4xf32>
  }
  return
}

// -----

// expected-error @+1 {{'cnn.param' op has 2 slices, but its type 'tensor<3x4xf32>' stacks a different number}}
cnn.param @"b.*.w" : tensor<3x4xf32> parameter init #cnn.constant<value = 0.0>
    slices ["b.0.w", "b.1.w"]

// -----

// expected-error @+1 {{'cnn.param' op has an empty or repeated slice name 'b.0.w'}}
cnn.param @"b.*.w" : tensor<2x4xf32> parameter init #cnn.constant<value = 0.0>
    slices ["b.0.w", "b.0.w"]

// -----

cnn.param @"b.*.w" : tensor<2x4xf32> parameter init #cnn.constant<value = 0.0>
    slices ["b.0.w", "b.1.w"]
func.func @slice_type(%k: index) {
  // expected-error @+1 {{'cnn.read' op reads a slice of @"b.*.w" as 'tensor<2x4xf32>', but its slices are 'tensor<4xf32>'}}
  %w = cnn.read @"b.*.w"[%k] : tensor<2x4xf32>
  return
}

// -----

cnn.param @w : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
func.func @not_stacked(%k: index) {
  // expected-error @+1 {{'cnn.read' op reads a slice of @w, which is not stacked}}
  %w = cnn.read @w[%k] : tensor<4xf32>
  return
}
