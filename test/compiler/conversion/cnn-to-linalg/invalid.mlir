// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg -verify-diagnostics

// Only eval-specialised models lower.
// expected-error @+1 {{cnn-lower-entry-abi expects a module specialised for eval or training (cnn.mode = "eval" or "train"); run cnn-specialize-eval or cnn-train first}}
module {
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %0 = cnn.relu %x : tensor<?x4xf32>
    return %0 : tensor<?x4xf32>
  }
}

// -----

// A mode-agnostic op in a module marked eval has no lowering.
module attributes {cnn.mode = "eval"} {
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    // expected-error @+1 {{failed to legalize operation 'cnn.dropout'}}
    %0 = cnn.dropout %x p 0.5 site 0 : tensor<?x4xf32>
    return %0 : tensor<?x4xf32>
  }
}

// -----

// A recorded offset that disagrees with the layout rule.
module attributes {cnn.mode = "eval"} {
  cnn.param @"a" : tensor<20xf32> parameter init #cnn.constant<value = 0.0>
  // expected-error @+1 {{'cnn.param' op has offset 64, but the arena layout places it at 128}}
  cnn.param @"b" : tensor<2xf32> parameter init #cnn.constant<value = 0.0> offset 64
}

// -----

// Calls must be inlined first: the ABI is for entry points.
module attributes {cnn.mode = "eval"} {
  func.func private @block(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %0 = cnn.relu %x : tensor<?x4xf32>
    return %0 : tensor<?x4xf32>
  }
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    // expected-error @+1 {{'func.call' op is not supported by cnn-lower-entry-abi; run -inline first}}
    %0 = func.call @block(%x) : (tensor<?x4xf32>) -> tensor<?x4xf32>
    return %0 : tensor<?x4xf32>
  }
}
