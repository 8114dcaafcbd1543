// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s -cse -canonicalize | FileCheck %s --check-prefix=OPT

// A small NetResDeep: one ResBlock shared by its two uses, as the lecture's
// `n_blocks * [ResBlock(...)]` writes it; parameters keep state_dict names.
module attributes {cnn.model = "NetResDeep"} {
  cnn.param @"conv1.weight" : tensor<4x3x3x3xf32> parameter init #cnn.uniform<low = -0.19245008972987526, high = 0.19245008972987526>
  cnn.param @"conv1.bias" : tensor<4xf32> parameter init #cnn.uniform<low = -0.19245008972987526, high = 0.19245008972987526>
  cnn.param @"resblocks.0.conv.weight" : tensor<4x4x3x3xf32> parameter init #cnn.normal<mean = 0.0, std = 0.23570226039551584>
  cnn.param @"resblocks.0.batch_norm.weight" : tensor<4xf32> parameter init #cnn.constant<value = 0.5>
  cnn.param @"resblocks.0.batch_norm.bias" : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"resblocks.0.batch_norm.running_mean" : tensor<4xf32> buffer init #cnn.constant<value = 0.0>
  cnn.param @"resblocks.0.batch_norm.running_var" : tensor<4xf32> buffer init #cnn.constant<value = 1.0>
  cnn.param @"resblocks.0.batch_norm.num_batches_tracked" : tensor<i64> buffer init #cnn.constant<value = 0.0>
  cnn.param @"fc1.weight" : tensor<2x16xf32> parameter init #cnn.uniform<low = -0.25, high = 0.25>
  cnn.param @"fc1.bias" : tensor<2xf32> parameter init #cnn.uniform<low = -0.25, high = 0.25>
  cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 3.0e-03, momentum = 0.0, dampening = 0.0, nesterov = false, weight_decay = 0.0> penalty = #cnn.penalty<none> epochs = 100 batch_size = 64 seed = 0

  func.func @forward(%x: tensor<?x3x8x8xf32>) -> tensor<?x2xf32> {
    %w1 = cnn.read @"conv1.weight" : tensor<4x3x3x3xf32>
    %b1 = cnn.read @"conv1.bias" : tensor<4xf32>
    %0 = cnn.conv2d %x, %w1, %b1 stride [1, 1] padding [1, 1] : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
    %1 = cnn.relu %0 : tensor<?x4x8x8xf32>
    %2 = cnn.max_pool2d %1 kernel [2, 2] stride [2, 2] : tensor<?x4x8x8xf32> -> tensor<?x4x4x4xf32>
    // Block use 1.
    %cw = cnn.read @"resblocks.0.conv.weight" : tensor<4x4x3x3xf32>
    %g = cnn.read @"resblocks.0.batch_norm.weight" : tensor<4xf32>
    %b = cnn.read @"resblocks.0.batch_norm.bias" : tensor<4xf32>
    %m = cnn.read @"resblocks.0.batch_norm.running_mean" : tensor<4xf32>
    %v = cnn.read @"resblocks.0.batch_norm.running_var" : tensor<4xf32>
    %3 = cnn.conv2d %2, %cw stride [1, 1] padding [1, 1] : (tensor<?x4x4x4xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x4x4xf32>
    %4 = cnn.batch_norm %3, %m, %v scale %g shift %b eps 1.0e-05 momentum 0.1 : (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
    %5 = cnn.relu %4 : tensor<?x4x4x4xf32>
    %6 = cnn.add %5, %2 : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
    // Block use 2: the same parameters, read again.
    %cw2 = cnn.read @"resblocks.0.conv.weight" : tensor<4x4x3x3xf32>
    %7 = cnn.conv2d %6, %cw2 stride [1, 1] padding [1, 1] : (tensor<?x4x4x4xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x4x4xf32>
    %8 = cnn.batch_norm %7, %m, %v scale %g shift %b eps 1.0e-05 momentum 0.1 : (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
    %9 = cnn.relu %8 : tensor<?x4x4x4xf32>
    %10 = cnn.add %9, %6 : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
    %11 = cnn.max_pool2d %10 kernel [2, 2] stride [2, 2] : tensor<?x4x4x4xf32> -> tensor<?x4x2x2xf32>
    %12 = cnn.dropout2d %11 p 0.4 site 0 : tensor<?x4x2x2xf32>
    %13 = cnn.flatten %12 : tensor<?x4x2x2xf32> -> tensor<?x16xf32>
    %fw = cnn.read @"fc1.weight" : tensor<2x16xf32>
    %fb = cnn.read @"fc1.bias" : tensor<2xf32>
    %14 = cnn.linear %13, %fw, %fb : (tensor<?x16xf32>, tensor<2x16xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    %15 = cnn.sigmoid %14 : tensor<?x2xf32>
    return %15 : tensor<?x2xf32>
  }
}

// CHECK: module attributes {cnn.model = "NetResDeep"}
// CHECK: cnn.param @resblocks.0.batch_norm.num_batches_tracked : tensor<i64> buffer init #cnn.constant<value = 0.000000e+00>
// CHECK: cnn.train_config loss = cross_entropy
// CHECK-LABEL: func.func @forward
// CHECK-SAME: -> tensor<?x2xf32>
// CHECK: %[[CW:.+]] = cnn.read @resblocks.0.conv.weight
// CHECK: cnn.conv2d %{{.*}}, %[[CW]] stride [1, 1] padding [1, 1]
// CHECK: cnn.batch_norm
// CHECK: cnn.add
// CHECK: %[[CW2:.+]] = cnn.read @resblocks.0.conv.weight
// CHECK: cnn.conv2d %{{.*}}, %[[CW2]] stride [1, 1] padding [1, 1]
// CHECK: cnn.dropout2d
// CHECK: cnn.flatten
// CHECK: cnn.linear
// CHECK: cnn.sigmoid

// Canonicalization keeps every parameter, used or not, and the graph.
// OPT-COUNT-10: cnn.param
// OPT: cnn.train_config
// OPT-LABEL: func.func @forward
// OPT-COUNT-2: cnn.batch_norm
// OPT: return
