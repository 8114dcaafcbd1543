// RUN: cnnc-opt %s -split-input-file | FileCheck %s
// RUN: cnnc-opt %s -split-input-file --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK: cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.000000e-02, momentum = 0.000000e+00, dampening = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00> penalty = #cnn.penalty<l2, 1.000000e-03> epochs = 10 batch_size = 64 seed = 0
// GENERIC: "cnn.train_config"() <{batch_size = 64 : i64, epochs = 10 : i64, loss = #cnn<loss cross_entropy>, optimizer = #cnn.sgd<lr = 1.000000e-02, momentum = 0.000000e+00, dampening = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00>, penalty = #cnn.penalty<l2, 1.000000e-03>, seed = 0 : i64}>
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<l2, 1.0e-03> epochs = 10 batch_size = 64 seed = 0

// -----

// Nesterov momentum with weight decay and an L1 penalty.
// CHECK: cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 3.000000e-03, momentum = 9.000000e-01, dampening = 0.000000e+00, nesterov = true, weight_decay = 5.000000e-04> penalty = #cnn.penalty<l1, 1.000000e-04> epochs = 100 batch_size = 32 seed = 42
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 3.0e-03, momentum = 0.9, dampening = 0.0, nesterov = true, weight_decay = 5.0e-04> penalty = #cnn.penalty<l1, 1.0e-04> epochs = 100 batch_size = 32 seed = 42

// -----

// No penalty: the strength is left out.
// CHECK: penalty = #cnn.penalty<none> epochs
cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.0e-02, momentum = 0.5, dampening = 0.1, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 1 batch_size = 1 seed = 7
