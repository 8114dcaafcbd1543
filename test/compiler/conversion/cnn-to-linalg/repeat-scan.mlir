// RUN: cnnc-opt %s -convert-cnn-to-linalg | FileCheck %s

// The training step's repeats: a stacked result is an iteration argument of
// the loop, sized by the first carried value's batch, that iteration k
// fills at slice k; a stacked operand is sliced at k; reverse counts k down
// from count - 1.

// CHECK-LABEL: func.func @scan
// CHECK-SAME:    (%[[X:.+]]: tensor<?x4xf32>, %[[S:.+]]: tensor<4xf32>, %[[W:.+]]: tensor<3x4xf32>)
// CHECK:         %[[N:.+]] = tensor.dim %[[X]], %c0
// CHECK:         %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<3x?x4xf32>
// CHECK:         %[[LOOP:.+]]:3 = scf.for %[[I:.+]] = %c0{{.*}} to %c3{{.*}} step %c1{{.*}} iter_args(%[[IN:.+]] = %[[X]], %[[SUM:.+]] = %[[S]], %[[ACC:.+]] = %[[EMPTY]]) -> (tensor<?x4xf32>, tensor<4xf32>, tensor<3x?x4xf32>) {
// CHECK:           %[[LAST:.+]] = arith.constant 2 : index
// CHECK:           %[[K:.+]] = arith.subi %[[LAST]], %[[I]] : index
// CHECK:           %[[WK:.+]] = tensor.extract_slice %[[W]][%[[K]], 0] [1, 4] [1, 1] : tensor<3x4xf32> to tensor<4xf32>
// CHECK:           %[[NEXT:.+]] = linalg.generic {{.*}} ins(%[[SUM]], %[[WK]] : tensor<4xf32>, tensor<4xf32>)
// CHECK:           %[[ROWS:.+]] = tensor.dim %[[IN]], %c0
// CHECK:           %[[FILLED:.+]] = tensor.insert_slice %[[IN]] into %[[ACC]][%[[K]], 0, 0] [1, %[[ROWS]], 4] [1, 1, 1] : tensor<?x4xf32> into tensor<3x?x4xf32>
// CHECK:           scf.yield %[[IN]], %[[NEXT]], %[[FILLED]] : tensor<?x4xf32>, tensor<4xf32>, tensor<3x?x4xf32>
// CHECK:         }
// CHECK:         return %[[LOOP]]#0, %[[LOOP]]#1, %[[LOOP]]#2
module attributes {cnn.mode = "train"} {
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
}
