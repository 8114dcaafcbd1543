// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// Parameters and buffers with their state_dict names, every initializer,
// and their reads.

// CHECK: cnn.param @conv1.weight : tensor<16x3x3x3xf32> parameter init #cnn.uniform<low = -0.19245008972987526, high = 0.19245008972987526>
// GENERIC: "cnn.param"() <{init = #cnn.uniform<low = -0.19245008972987526, high = 0.19245008972987526>, role = #cnn<role parameter>, sym_name = "conv1.weight", type = tensor<16x3x3x3xf32>}>
cnn.param @"conv1.weight" : tensor<16x3x3x3xf32> parameter init #cnn.uniform<low = -0.19245008972987526, high = 0.19245008972987526>
// CHECK: cnn.param @resblocks.0.conv.weight : tensor<32x32x3x3xf32> parameter init #cnn.normal<mean = 0.000000e+00, std = 0.15713484026367719>
cnn.param @"resblocks.0.conv.weight" : tensor<32x32x3x3xf32> parameter init #cnn.normal<mean = 0.0, std = 0.15713484026367719>
// CHECK: cnn.param @resblocks.0.batch_norm.weight : tensor<32xf32> parameter init #cnn.constant<value = 5.000000e-01>
cnn.param @"resblocks.0.batch_norm.weight" : tensor<32xf32> parameter init #cnn.constant<value = 0.5>
// CHECK: cnn.param @resblocks.0.batch_norm.running_var : tensor<32xf32> buffer init #cnn.constant<value = 1.000000e+00>
// GENERIC: role = #cnn<role buffer>, sym_name = "resblocks.0.batch_norm.running_var"
cnn.param @"resblocks.0.batch_norm.running_var" : tensor<32xf32> buffer init #cnn.constant<value = 1.0>
// CHECK: cnn.param @resblocks.0.batch_norm.num_batches_tracked : tensor<i64> buffer init #cnn.constant<value = 0.000000e+00>
cnn.param @"resblocks.0.batch_norm.num_batches_tracked" : tensor<i64> buffer init #cnn.constant<value = 0.0>
// A zero-dimensional f32 parameter is a parameter like any other.
// CHECK: cnn.param @scale : tensor<f32> parameter init #cnn.normal<mean = 1.000000e+00, std = 0.000000e+00>
cnn.param @scale : tensor<f32> parameter init #cnn.normal<mean = 1.0, std = 0.0>

// CHECK-LABEL: func @reads
// CHECK: cnn.read @conv1.weight : tensor<16x3x3x3xf32>
// CHECK: cnn.read @resblocks.0.batch_norm.num_batches_tracked : tensor<i64>
// GENERIC: "cnn.read"() <{param = @conv1.weight}> : () -> tensor<16x3x3x3xf32>
func.func @reads() -> (tensor<16x3x3x3xf32>, tensor<i64>) {
  %w = cnn.read @"conv1.weight" : tensor<16x3x3x3xf32>
  %n = cnn.read @"resblocks.0.batch_norm.num_batches_tracked" : tensor<i64>
  return %w, %n : tensor<16x3x3x3xf32>, tensor<i64>
}

// The lowering records each tensor's byte offset in the arena.
// CHECK: cnn.param @fc1.bias : tensor<32xf32> parameter init #cnn.constant<value = 0.000000e+00> offset 1024
// GENERIC: "cnn.param"() <{init = #cnn.constant<value = 0.000000e+00>, offset = 1024 : i64, role = #cnn<role parameter>, sym_name = "fc1.bias", type = tensor<32xf32>}>
cnn.param @"fc1.bias" : tensor<32xf32> parameter init #cnn.constant<value = 0.0> offset 1024

// A shared block's tensor, declared once, with its other state_dict names.
// CHECK: cnn.param @resblocks.0.conv.bias : tensor<4xf32> parameter init #cnn.constant<value = 0.000000e+00> offset 1088 aliases ["resblocks.1.conv.bias", "resblocks.2.conv.bias"]
// GENERIC: "cnn.param"() <{aliases = ["resblocks.1.conv.bias", "resblocks.2.conv.bias"], init = #cnn.constant<value = 0.000000e+00>, offset = 1088 : i64, role = #cnn<role parameter>, sym_name = "resblocks.0.conv.bias", type = tensor<4xf32>}>
cnn.param @"resblocks.0.conv.bias" : tensor<4xf32> parameter init #cnn.constant<value = 0.0> offset 1088 aliases ["resblocks.1.conv.bias", "resblocks.2.conv.bias"]
// Without an offset.
// CHECK: cnn.param @resblocks.0.bn.num_batches_tracked : tensor<i64> buffer init #cnn.constant<value = 0.000000e+00> aliases ["resblocks.1.bn.num_batches_tracked"]
cnn.param @"resblocks.0.bn.num_batches_tracked" : tensor<i64> buffer init #cnn.constant<value = 0.0> aliases ["resblocks.1.bn.num_batches_tracked"]
