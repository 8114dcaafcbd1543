// RUN: cnnc-opt %s --cnn-unroll-repeats | FileCheck %s

// The stack becomes its slices where it stood (the arena layout is the same:
// slices follow one another, each aligned as a tensor of its own); each
// iteration reads its slice; iteration k's dropout site is site + k * 1.

cnn.param @first : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
cnn.param @"b.*.w" : tensor<2x4x4x3x3xf32> parameter init #cnn.constant<value = 0.0>
    slices ["b.0.w", "b.1.w"]
cnn.param @last : tensor<4xf32> parameter init #cnn.constant<value = 0.0>

// CHECK:      cnn.param @first
// CHECK-NEXT: cnn.param @b.0.w : tensor<4x4x3x3xf32> parameter init #cnn.constant<value = 0.000000e+00>{{$}}
// CHECK-NEXT: cnn.param @b.1.w : tensor<4x4x3x3xf32> parameter init #cnn.constant<value = 0.000000e+00>{{$}}
// CHECK-NEXT: cnn.param @last

// CHECK-LABEL: func.func @forward
// CHECK-SAME:    (%[[X:.+]]: tensor<?x4x6x6xf32>)
// CHECK-NOT:   cnn.repeat
// CHECK:       %[[W0:.+]] = cnn.read @b.0.w : tensor<4x4x3x3xf32>
// CHECK-NEXT:  %[[C0:.+]] = cnn.conv2d %[[X]], %[[W0]]
// CHECK-NEXT:  %[[D0:.+]] = cnn.dropout2d %[[C0]] p 5.000000e-01 site 3
// CHECK-NEXT:  %[[W1:.+]] = cnn.read @b.1.w : tensor<4x4x3x3xf32>
// CHECK-NEXT:  %[[C1:.+]] = cnn.conv2d %[[D0]], %[[W1]]
// CHECK-NEXT:  %[[D1:.+]] = cnn.dropout2d %[[C1]] p 5.000000e-01 site 4
// CHECK-NEXT:  return %[[D1]]
func.func @forward(%x: tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  %y = cnn.repeat %x count 2 : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  ^bb0(%k: index, %in: tensor<?x4x6x6xf32>):
    %w = cnn.read @"b.*.w"[%k] : tensor<4x4x3x3xf32>
    %c = cnn.conv2d %in, %w stride [1, 1] padding [1, 1]
        : (tensor<?x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x6x6xf32>
    %d = cnn.dropout2d %c p 0.5 site 3 : tensor<?x4x6x6xf32>
    cnn.yield %d : tensor<?x4x6x6xf32>
  }
  return %y : tensor<?x4x6x6xf32>
}
