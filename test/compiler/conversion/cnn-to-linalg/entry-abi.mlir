// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi | FileCheck %s

// cnn-lower-entry-abi alone: the functions become entry points and the
// parameter reads views of the arena; the graph ops stay cnn ops for
// convert-cnn-to-linalg.

// CHECK: module attributes {cnn.arena_size = 256 : i64, cnn.mode = "eval"}
// CHECK-NEXT: cnn.param @first : tensor<4xf32> {{.*}} offset 0
// CHECK-NEXT: cnn.param @"b.*.w" : tensor<3x4x2x2xf32> {{.*}} offset 64 slices
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[ARENA:[^:]+]]: memref<?xi8>, %[[IN:[^:]+]]: memref<?x4x2x2xf32>, %[[OUT:[^:]+]]: memref<?x4x2x2xf32>) attributes {llvm.emit_c_interface} {
// CHECK-NEXT: %[[X:.+]] = bufferization.to_tensor %[[IN]] restrict
// A shared tensor: one view at the entry.
// CHECK-NEXT: %[[C0:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[FV:.+]] = memref.view %[[ARENA]][%[[C0]]][] : memref<?xi8> to memref<4xf32>
// CHECK-NEXT: bufferization.to_tensor %[[FV]] restrict
// The ops stay; a stack's slice is a view in the body, at 64 + k·64.
// CHECK-NEXT: %[[Y:.+]] = cnn.repeat %[[X]] count 3
// CHECK-NEXT: ^bb0(%[[K:[^:]+]]: index,
// CHECK-NEXT: %[[STRIDE:.+]] = arith.constant 64 : index
// CHECK-NEXT: %[[SHIFT:.+]] = arith.muli %[[K]], %[[STRIDE]] : index
// CHECK-NEXT: %[[BASE:.+]] = arith.constant 64 : index
// CHECK-NEXT: %[[AT:.+]] = arith.addi %[[BASE]], %[[SHIFT]] : index
// CHECK-NEXT: %[[WV:.+]] = memref.view %[[ARENA]][%[[AT]]][] : memref<?xi8> to memref<4x2x2xf32>
// CHECK-NEXT: bufferization.to_tensor %[[WV]] restrict
// CHECK-NEXT: cnn.add
// CHECK-NEXT: cnn.yield
// CHECK: %[[R:.+]] = cnn.relu %[[Y]]
// CHECK-NEXT: bufferization.materialize_in_destination %[[R]] in restrict writable %[[OUT]]
// CHECK-NEXT: return{{$}}
module attributes {cnn.mode = "eval"} {
  cnn.param @first : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"b.*.w" : tensor<3x4x2x2xf32> parameter init #cnn.constant<value = 0.0>
      slices ["b.0.w", "b.1.w", "b.2.w"]
  func.func @forward(%x: tensor<?x4x2x2xf32>) -> tensor<?x4x2x2xf32> {
    %s = cnn.read @first : tensor<4xf32>
    %y = cnn.repeat %x count 3 : (tensor<?x4x2x2xf32>) -> tensor<?x4x2x2xf32> {
    ^bb0(%k: index, %in: tensor<?x4x2x2xf32>):
      %w = cnn.read @"b.*.w"[%k] : tensor<4x2x2xf32>
      %a = cnn.add %in, %in : (tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>) -> tensor<?x4x2x2xf32>
      cnn.yield %a : tensor<?x4x2x2xf32>
    }
    %r = cnn.relu %y : tensor<?x4x2x2xf32>
    return %r : tensor<?x4x2x2xf32>
  }
}

// -----

// A training step: (arena, input, labels, logits, loss, mask buffer, 11
// scalars) -> (); the mask a slice of the mask buffer, read and written;
// cnn.write stores into the parameter's view where it stands.
// CHECK: module attributes {cnn.arena_size = 128 : i64, cnn.mode = "train"}
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[ARENA:[^:]+]]: memref<?xi8>, %[[IN:[^:]+]]: memref<?x4xf32>, %[[LABELS:[^:]+]]: memref<?xi32>, %[[LOGITS:[^:]+]]: memref<?x4xf32>, %[[LOSS:[^:]+]]: memref<2xf32>, %[[MASKS:[^:]+]]: memref<?xf32>, %{{[^:]+}}: f32, %{{[^:]+}}: f32, %{{[^:]+}}: f32, %{{[^:]+}}: f32, %{{[^:]+}}: f32, %{{[^:]+}}: f32, %{{[^:]+}}: i32, %{{[^:]+}}: i32, %{{[^:]+}}: i32, %{{[^:]+}}: i64, %{{[^:]+}}: i64) attributes {llvm.emit_c_interface} {
// CHECK-NEXT: %[[X:.+]] = bufferization.to_tensor %[[IN]] restrict
// CHECK-NEXT: bufferization.to_tensor %[[LABELS]] restrict
// CHECK: %[[N:.+]] = memref.dim %[[IN]]
// CHECK: %[[MV:.+]] = memref.reinterpret_cast %[[MASKS]] to offset: [%{{.+}}], sizes: [%[[N]], 4], strides: [4, 1]
// CHECK-NEXT: %[[MASK:.+]] = bufferization.to_tensor %[[MV]] restrict
// CHECK: %[[WV:.+]] = memref.view %[[ARENA]][%{{.+}}][] : memref<?xi8> to memref<4xf32>
// CHECK-NEXT: %[[W:.+]] = bufferization.to_tensor %[[WV]] restrict
// CHECK: %[[SV:.+]] = memref.view %[[ARENA]][%{{.+}}][] : memref<?xi8> to memref<2xf32>
// CHECK-NEXT: %[[S:.+]] = bufferization.to_tensor %[[SV]] restrict
// CHECK-NEXT: bufferization.materialize_in_destination %[[W]] in restrict writable %[[WV]]
// CHECK-NEXT: bufferization.materialize_in_destination %[[X]] in restrict writable %[[LOGITS]]
// CHECK-NEXT: bufferization.materialize_in_destination %[[S]] in restrict writable %[[LOSS]]
// CHECK-NEXT: bufferization.materialize_in_destination %[[MASK]] in restrict writable %[[MV]]
// CHECK-NEXT: return{{$}}
module attributes {cnn.mode = "train"} {
  cnn.param @w : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @stat : tensor<2xf32> buffer init #cnn.constant<value = 0.0>
  func.func @train_step(%x: tensor<?x4xf32>, %labels: tensor<?xi32>, %mask: tensor<?x4xf32>, %lr: f32, %mu: f32, %damp: f32, %wd: f32, %l2: f32, %l1: f32, %nest: i32, %first: i32, %i2: i32, %s0: i64, %s1: i64) -> (tensor<?x4xf32>, tensor<2xf32>, tensor<?x4xf32>) {
    %w = cnn.read @w : tensor<4xf32>
    %loss = cnn.read @stat : tensor<2xf32>
    cnn.write @w, %w : tensor<4xf32>
    return %x, %loss, %mask : tensor<?x4xf32>, tensor<2xf32>, tensor<?x4xf32>
  }
}
