// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// A sequential repetition: three blocks' weights in one stack, slice k read
// in iteration k; the slices keep their state_dict names.
cnn.param @"blocks.*.conv.weight" : tensor<3x4x4x3x3xf32> parameter
    init #cnn.constant<value = 0.0>
    slices ["blocks.0.conv.weight", "blocks.1.conv.weight", "blocks.2.conv.weight"]
cnn.param @"blocks.*.bn.num_batches_tracked" : tensor<3xi64> buffer
    init #cnn.constant<value = 0.0>
    slices ["blocks.0.bn.num_batches_tracked", "blocks.1.bn.num_batches_tracked",
            "blocks.2.bn.num_batches_tracked"]

// CHECK-LABEL: func.func @forward
// CHECK-SAME:    (%[[X:.+]]: tensor<?x4x6x6xf32>)
// CHECK:         %[[Y:.+]] = cnn.repeat %[[X]] count 3 : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
// CHECK-NEXT:    ^bb0(%[[K:.+]]: index, %[[IN:.+]]: tensor<?x4x6x6xf32>):
// CHECK-NEXT:      %[[W:.+]] = cnn.read @"blocks.*.conv.weight"[%[[K]]] : tensor<4x4x3x3xf32>
// CHECK-NEXT:      %[[C:.+]] = cnn.conv2d %[[IN]], %[[W]]
// CHECK-NEXT:      cnn.yield %[[C]] : tensor<?x4x6x6xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[Y]]
func.func @forward(%x: tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  %y = cnn.repeat %x count 3 : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  ^bb0(%k: index, %in: tensor<?x4x6x6xf32>):
    %w = cnn.read @"blocks.*.conv.weight"[%k] : tensor<4x4x3x3xf32>
    %c = cnn.conv2d %in, %w stride [1, 1] padding [1, 1]
        : (tensor<?x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x6x6xf32>
    cnn.yield %c : tensor<?x4x6x6xf32>
  }
  return %y : tensor<?x4x6x6xf32>
}

// The training step's forms: carried values besides the activation, stacked
// operands sliced per iteration, stacked results, and a reverse iteration.
// CHECK-LABEL: func.func @scan
// CHECK:         %{{.+}}:3 = cnn.repeat %{{.+}}, %{{.+}} stacked %{{.+}} count 3 reverse : (tensor<?x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> (tensor<?x4xf32>, tensor<4xf32>, tensor<3x?x4xf32>) {
// CHECK-NEXT:    ^bb0(%{{.+}}: index, %{{.+}}: tensor<?x4xf32>, %{{.+}}: tensor<4xf32>, %{{.+}}: tensor<4xf32>):
// CHECK:           cnn.yield %{{.+}}, %{{.+}}, %{{.+}} : tensor<?x4xf32>, tensor<4xf32>, tensor<?x4xf32>
func.func @scan(%x: tensor<?x4xf32>, %s: tensor<4xf32>, %w: tensor<3x4xf32>)
    -> (tensor<?x4xf32>, tensor<4xf32>, tensor<3x?x4xf32>) {
  %y:3 = cnn.repeat %x, %s stacked %w count 3 reverse
      : (tensor<?x4xf32>, tensor<4xf32>, tensor<3x4xf32>)
      -> (tensor<?x4xf32>, tensor<4xf32>, tensor<3x?x4xf32>) {
  ^bb0(%k: index, %in: tensor<?x4xf32>, %sum: tensor<4xf32>, %wk: tensor<4xf32>):
    %next = cnn.add %sum, %wk : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    cnn.yield %in, %next, %in : tensor<?x4xf32>, tensor<4xf32>, tensor<?x4xf32>
  }
  return %y#0, %y#1, %y#2 : tensor<?x4xf32>, tensor<4xf32>, tensor<3x?x4xf32>
}
