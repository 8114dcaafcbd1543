// RUN: cnnc-opt %s -split-input-file -canonicalize | FileCheck %s

// An activation that never decreases, read by a max pooling alone, runs
// after it: on a quarter of the values for 2x2 windows.
// CHECK-LABEL: func.func @tanh_then_pool
// CHECK-SAME: (%[[X:.+]]: tensor<?x4x8x8xf32>)
// CHECK: %[[P:.+]] = cnn.max_pool2d %[[X]] kernel [2, 2] stride [2, 2] : tensor<?x4x8x8xf32> -> tensor<?x4x4x4xf32>
// CHECK: %[[Y:.+]] = cnn.tanh %[[P]] : tensor<?x4x4x4xf32>
// CHECK: return %[[Y]]
func.func @tanh_then_pool(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32> {
  %t = cnn.tanh %x : tensor<?x4x8x8xf32>
  %p = cnn.max_pool2d %t kernel [2, 2] stride [2, 2] : tensor<?x4x8x8xf32> -> tensor<?x4x4x4xf32>
  return %p : tensor<?x4x4x4xf32>
}

// -----

// relu and sigmoid too, any windows.
// CHECK-LABEL: func.func @relu_sigmoid
// CHECK: %[[P:.+]] = cnn.max_pool2d %arg0 kernel [3, 3] stride [2, 2]
// CHECK: cnn.relu %[[P]] : tensor<?x4x4x4xf32>
// CHECK: %[[Q:.+]] = cnn.max_pool2d %arg0 kernel [2, 2] stride [2, 2]
// CHECK: cnn.sigmoid %[[Q]] : tensor<?x4x4x4xf32>
func.func @relu_sigmoid(%x: tensor<?x4x9x9xf32>) -> (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) {
  %r = cnn.relu %x : tensor<?x4x9x9xf32>
  %p = cnn.max_pool2d %r kernel [3, 3] stride [2, 2] : tensor<?x4x9x9xf32> -> tensor<?x4x4x4xf32>
  %s = cnn.sigmoid %x : tensor<?x4x9x9xf32>
  %q = cnn.max_pool2d %s kernel [2, 2] stride [2, 2] : tensor<?x4x9x9xf32> -> tensor<?x4x4x4xf32>
  return %p, %q : tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>
}

// -----

// Left alone: an activation read elsewhere too (it would run twice), and an
// average pooling (the mean of tanh is not tanh of the mean).
// CHECK-LABEL: func.func @kept
// CHECK: %[[T:.+]] = cnn.tanh %arg0
// CHECK: cnn.max_pool2d %[[T]]
// CHECK: %[[U:.+]] = cnn.tanh %arg1
// CHECK: cnn.avg_pool2d %[[U]]
func.func @kept(%x: tensor<?x4x8x8xf32>, %z: tensor<?x4x8x8xf32>) -> (tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>) {
  %t = cnn.tanh %x : tensor<?x4x8x8xf32>
  %p = cnn.max_pool2d %t kernel [2, 2] stride [2, 2] : tensor<?x4x8x8xf32> -> tensor<?x4x4x4xf32>
  %u = cnn.tanh %z : tensor<?x4x8x8xf32>
  %a = cnn.avg_pool2d %u kernel [2, 2] stride [2, 2] : tensor<?x4x8x8xf32> -> tensor<?x4x4x4xf32>
  return %p, %t, %a : tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>
}
