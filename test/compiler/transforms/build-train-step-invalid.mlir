// RUN: cnnc-opt %s -split-input-file -cnn-build-train-step -verify-diagnostics

// expected-error @+1 {{cnn-build-train-step expects a module specialised for training (run cnn-specialize-train first)}}
module {
  func.func @forward(%x: tensor<?x4x1x1xf32>) -> tensor<?x4xf32> {
    %f = cnn.flatten %x : tensor<?x4x1x1xf32> -> tensor<?x4xf32>
    return %f : tensor<?x4xf32>
  }
}

// -----

// expected-error @+1 {{cnn-build-train-step expects a function @forward}}
module attributes {cnn.mode = "train"} {
}

// -----

module attributes {cnn.mode = "train"} {
  // expected-error @+1 {{'func.func' op expects the train-specialised signature (x, masks..., masks_given, seed, step) -> (logits, masks...), got '(tensor<?x4xf32>) -> tensor<?x4xf32>'}}
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    return %x : tensor<?x4xf32>
  }
}

// -----

module attributes {cnn.mode = "train"} {
  cnn.param @w : tensor<4x4xf32> parameter init #cnn.constant<value = 0.1>
  // expected-error @+1 {{'cnn.param' op takes the name 'grad.w', which the training state of "w" needs}}
  cnn.param @"grad.w" : tensor<4x4xf32> buffer init #cnn.constant<value = 0.0>
  func.func @forward(%x: tensor<?x4x1x1xf32>) -> tensor<?x4xf32> {
    %f = cnn.flatten %x : tensor<?x4x1x1xf32> -> tensor<?x4xf32>
    return %f : tensor<?x4xf32>
  }
}

// -----

// A mode-agnostic op left on the gradient's path.
module attributes {cnn.mode = "train"} {
  cnn.param @w : tensor<4x4xf32> parameter init #cnn.constant<value = 0.1>
  func.func @forward(%x: tensor<?x4x1x1xf32>) -> tensor<?x4xf32> {
    %f = cnn.flatten %x : tensor<?x4x1x1xf32> -> tensor<?x4xf32>
    %w = cnn.read @w : tensor<4x4xf32>
    %h = cnn.linear %f, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    // expected-error @+1 {{'cnn.dropout' op cannot be differentiated: it has no gradient}}
    %d = cnn.dropout %h p 0.5 site 0 : tensor<?x4xf32>
    return %d : tensor<?x4xf32>
  }
}
