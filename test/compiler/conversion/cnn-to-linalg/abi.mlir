// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg | FileCheck %s

// The arena layout is the runtime's (cnnrt::Layout): declaration order,
// each tensor at the next 64-byte boundary, 4 bytes per f32 and 8 per i64
// element. Each cnn.param records its offset; the module its total size.
// CHECK: module attributes {cnn.arena_size = 640 : i64, cnn.mode = "eval"}
// 4·3·3·3·4 = 432 bytes -> the next tensor at 448.
// CHECK-NEXT: cnn.param @conv.weight : tensor<4x3x3x3xf32> {{.*}} offset 0
// CHECK-NEXT: cnn.param @conv.bias : tensor<4xf32> {{.*}} offset 448
// CHECK-NEXT: cnn.param @bn.num_batches_tracked : tensor<i64> {{.*}} offset 512
// 64 bytes exactly: no padding after it.
// CHECK-NEXT: cnn.param @fc.weight : tensor<16xf32> {{.*}} offset 576
// CHECK-NEXT: cnn.param @fc.unused : tensor<0xf32> {{.*}} offset 640

// The entry ABI: the arena, the input, the output; nothing returned.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[ARENA:[^:]+]]: memref<?xi8>, %[[IN:[^:]+]]: memref<?x3x4x4xf32>, %[[OUT:[^:]+]]: memref<?x4x2x2xf32>) attributes {llvm.emit_c_interface} {
// The input, read-only, through a restrict tensor.
// CHECK-NEXT: %[[X:.+]] = bufferization.to_tensor %[[IN]] restrict : memref<?x3x4x4xf32> to tensor<?x3x4x4xf32>
// One view per parameter, at its offset, in order of first read, however
// often it is read.
// CHECK-NEXT: %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[WV:.+]] = memref.view %[[ARENA]][%[[C0]]][] : memref<?xi8> to memref<4x3x3x3xf32>
// CHECK-NEXT: %[[W:.+]] = bufferization.to_tensor %[[WV]] restrict : memref<4x3x3x3xf32> to tensor<4x3x3x3xf32>
// CHECK-NEXT: %[[C448:.+]] = arith.constant 448 : index
// CHECK-NEXT: %[[BV:.+]] = memref.view %[[ARENA]][%[[C448]]][] : memref<?xi8> to memref<4xf32>
// CHECK-NEXT: %[[B:.+]] = bufferization.to_tensor %[[BV]] restrict : memref<4xf32> to tensor<4xf32>
// CHECK-NOT: memref.view
// CHECK: %[[Y1:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.+}}, %[[W]] :
// CHECK: %[[Y2:.+]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.+}}, %[[W]] :
// The result, written into the caller's buffer.
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} ins(%[[Y1]], %[[Y2]] :
// CHECK: bufferization.materialize_in_destination %[[SUM]] in restrict writable %[[OUT]] : (tensor<?x4x2x2xf32>, memref<?x4x2x2xf32>) -> ()
// CHECK-NEXT: return{{$}}
module attributes {cnn.mode = "eval"} {
  cnn.param @"conv.weight" : tensor<4x3x3x3xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"conv.bias" : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"bn.num_batches_tracked" : tensor<i64> buffer init #cnn.constant<value = 0.0>
  cnn.param @"fc.weight" : tensor<16xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"fc.unused" : tensor<0xf32> parameter init #cnn.constant<value = 0.0>
  func.func @forward(%x: tensor<?x3x4x4xf32>) -> tensor<?x4x2x2xf32> {
    %w = cnn.read @"conv.weight" : tensor<4x3x3x3xf32>
    %b = cnn.read @"conv.bias" : tensor<4xf32>
    %0 = cnn.conv2d %x, %w, %b stride [1, 1] padding [0, 0] : (tensor<?x3x4x4xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x2x2xf32>
    %w2 = cnn.read @"conv.weight" : tensor<4x3x3x3xf32>
    %1 = cnn.conv2d %x, %w2 stride [1, 1] padding [0, 0] : (tensor<?x3x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x2x2xf32>
    %2 = cnn.add %0, %1 : (tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>) -> tensor<?x4x2x2xf32>
    return %2 : tensor<?x4x2x2xf32>
  }
}

// -----

// Several inputs and results: inputs in order, then one destination per
// result, in order.
// CHECK-LABEL: func.func @two_in_two_out
// CHECK-SAME: (%{{[^:]+}}: memref<?xi8>, %[[A:[^:]+]]: memref<2x4xf32>, %[[B:[^:]+]]: memref<2x4xf32>, %[[R0:[^:]+]]: memref<2x4xf32>, %[[R1:[^:]+]]: memref<2x4xf32>)
// CHECK-DAG: %[[TA:.+]] = bufferization.to_tensor %[[A]] restrict
// CHECK-DAG: %[[TB:.+]] = bufferization.to_tensor %[[B]] restrict
// CHECK: %[[RELU:.+]] = linalg.generic {{.*}} ins(%[[TA]] :
// CHECK: bufferization.materialize_in_destination %[[RELU]] in restrict writable %[[R0]]
// CHECK-NEXT: bufferization.materialize_in_destination %[[TB]] in restrict writable %[[R1]]
// CHECK-NEXT: return
module attributes {cnn.mode = "eval"} {
  func.func @two_in_two_out(%a: tensor<2x4xf32>, %b: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
    %0 = cnn.relu %a : tensor<2x4xf32>
    return %0, %b : tensor<2x4xf32>, tensor<2x4xf32>
  }
}

// -----

// Offsets already recorded (a second run) are kept when they agree.
// CHECK: cnn.param @a : tensor<2xf32> {{.*}} offset 0
// CHECK-NEXT: cnn.param @b : tensor<2xf32> {{.*}} offset 64
module attributes {cnn.mode = "eval"} {
  cnn.param @"a" : tensor<2xf32> parameter init #cnn.constant<value = 0.0> offset 0
  cnn.param @"b" : tensor<2xf32> parameter init #cnn.constant<value = 0.0>
}
