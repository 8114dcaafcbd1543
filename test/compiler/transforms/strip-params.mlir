// RUN: cnnc-opt %s -split-input-file -cnn-strip-params -verify-diagnostics | FileCheck %s

// After lowering, the layout record goes; the module's attributes and code stay.
// CHECK: module attributes {cnn.arena_size = 64 : i64, cnn.mode = "eval"}
// CHECK-NOT: cnn.param
// CHECK-NOT: cnn.train_config
// CHECK: func.func @forward
module attributes {cnn.arena_size = 64 : i64, cnn.mode = "eval"} {
  cnn.param @"fc.bias" : tensor<2xf32> parameter init #cnn.constant<value = 0.0> offset 0
  cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 1 batch_size = 64 seed = 0
  func.func @forward(%arena: memref<?xi8>) attributes {llvm.emit_c_interface} {
    return
  }
}

// -----

// Graph ops left mean the lowering has not run.
module {
  cnn.param @"fc.bias" : tensor<2xf32> parameter init #cnn.constant<value = 0.0>
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    // expected-error @+1 {{'cnn.relu' op is left after lowering; run convert-cnn-to-linalg before cnn-strip-params}}
    %0 = cnn.relu %x : tensor<?x4xf32>
    return %0 : tensor<?x4xf32>
  }
}
