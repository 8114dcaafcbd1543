// RUN: cnnc-opt %s -inline -symbol-dce | FileCheck %s

// A block emitted as a private function inlines into the forward pass and
// disappears; the parameters it reads stay.

cnn.param @"resblocks.0.conv.weight" : tensor<4x4x3x3xf32> parameter init #cnn.constant<value = 0.0>

// CHECK: cnn.param @resblocks.0.conv.weight
// CHECK-NOT: func.func private @res_block
// CHECK-LABEL: func.func @forward
// CHECK-NOT: func.call
// CHECK-COUNT-2: cnn.conv2d
// CHECK: return
func.func private @res_block(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %w = cnn.read @"resblocks.0.conv.weight" : tensor<4x4x3x3xf32>
  %0 = cnn.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<?x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  %1 = cnn.relu %0 : tensor<?x4x8x8xf32>
  %2 = cnn.add %1, %x : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  return %2 : tensor<?x4x8x8xf32>
}

func.func @forward(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %0 = func.call @res_block(%x) : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %1 = func.call @res_block(%0) : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  return %1 : tensor<?x4x8x8xf32>
}
