// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{#cnn.sgd expects lr > 0, got 0.000000e+00}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 0.0, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 10 batch_size = 64 seed = 0

// -----

// expected-error @+1 {{#cnn.sgd expects momentum >= 0, got -1.000000e-01}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = -0.1, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 10 batch_size = 64 seed = 0

// -----

// expected-error @+1 {{#cnn.sgd expects weight_decay >= 0, got -1.000000e+00}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = -1.0> penalty = #cnn.penalty<none> epochs = 10 batch_size = 64 seed = 0

// -----

// expected-error @+1 {{#cnn.sgd with nesterov expects momentum > 0 and dampening = 0, got momentum = 0.000000e+00, dampening = 0.000000e+00}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = true, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 10 batch_size = 64 seed = 0

// -----

// expected-error @+1 {{#cnn.sgd with nesterov expects momentum > 0 and dampening = 0, got momentum = 9.000000e-01, dampening = 1.000000e-01}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.9, dampening = 0.1, nesterov = true, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 10 batch_size = 64 seed = 0

// -----

// expected-error @+1 {{#cnn.penalty<none> takes no strength, got 1.000000e-03}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<none, 1.0e-03> epochs = 10 batch_size = 64 seed = 0

// -----

// expected-error @+1 {{#cnn.penalty expects a strength >= 0, got -1.000000e-03}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<l2, -1.0e-03> epochs = 10 batch_size = 64 seed = 0

// -----

// expected-error @+1 {{'cnn.train_config' op expects epochs > 0, got 0}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 0 batch_size = 64 seed = 0

// -----

// expected-error @+1 {{'cnn.train_config' op expects batch_size > 0, got -64}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 10 batch_size = -64 seed = 0

// -----

// expected-error @+1 {{'cnn.train_config' op expects seed >= 0, got -1}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 10 batch_size = 64 seed = -1

// -----

// expected-note @+1 {{the first one is here}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 10 batch_size = 64 seed = 0
// expected-error @+1 {{'cnn.train_config' op expects at most one cnn.train_config per module}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 10 batch_size = 64 seed = 0

// -----

// expected-error @+2 {{expected ::cnn::LossKind to be one of: cross_entropy}}
// expected-error @+1 {{failed to parse Cnn_LossKindAttr parameter 'value'}}
cnn.train_config loss = mse optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 10 batch_size = 64 seed = 0

// -----

// expected-error @+2 {{expected ::cnn::PenaltyKind to be one of: none, l1, l2}}
// expected-error @+1 {{failed to parse Cnn_PenaltyAttr parameter 'kind'}}
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<l3, 1.0> epochs = 10 batch_size = 64 seed = 0

// -----

func.func @f() {
  // expected-error @+1 {{'cnn.train_config' op expects parent op 'builtin.module'}}
  "cnn.train_config"() <{batch_size = 64 : i64, epochs = 10 : i64, loss = #cnn<loss cross_entropy>, optimizer = #cnn.sgd<lr = 1.000000e-02, momentum = 0.000000e+00, dampening = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, penalty = #cnn.penalty<none>, seed = 0 : i64}> : () -> ()
  return
}
