// RUN: cnnc-opt %s -split-input-file -convert-cnn-to-linalg | FileCheck %s

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

// -----

// A forward repeat that stacks each iteration's carried input (the training
// step saves every block's input for the backward pass): the input lives in
// a stack of count + 1 slices instead of an iteration argument. Iteration k
// reads slice k and writes its result at slice k + 1; the loop's last
// carried value is slice count, the stacked result the first count slices.
// CHECK-LABEL: func.func @saved_inputs
// CHECK-SAME:    (%[[X:.+]]: tensor<?x4xf32>)
// CHECK:         %[[N:.+]] = tensor.dim %[[X]], %c0
// CHECK:         %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<4x?x4xf32>
// CHECK:         %[[FIRST:.+]] = tensor.insert_slice %[[X]] into %[[EMPTY]][0, 0, 0] [1, %{{.+}}, 4] [1, 1, 1] : tensor<?x4xf32> into tensor<4x?x4xf32>
// CHECK:         %[[LOOP:.+]] = scf.for %[[K:.+]] = %c0{{.*}} to %c3{{.*}} step %c1{{.*}} iter_args(%[[STACK:.+]] = %[[FIRST]]) -> (tensor<4x?x4xf32>) {
// CHECK:           %[[IN:.+]] = tensor.extract_slice %[[STACK]][%[[K]], 0, 0] [1, %{{.+}}, 4] [1, 1, 1] : tensor<4x?x4xf32> to tensor<?x4xf32>
// CHECK:           %[[OUT:.+]] = linalg.generic {{.*}} ins(%[[IN]], %[[IN]] : tensor<?x4xf32>, tensor<?x4xf32>)
// CHECK:           %[[NEXT:.+]] = arith.addi %[[K]], %c1{{.*}} : index
// CHECK:           %[[FILLED:.+]] = tensor.insert_slice %[[OUT]] into %[[STACK]][%[[NEXT]], 0, 0] [1, %{{.+}}, 4] [1, 1, 1] : tensor<?x4xf32> into tensor<4x?x4xf32>
// CHECK:           scf.yield %[[FILLED]] : tensor<4x?x4xf32>
// CHECK:         }
// CHECK:         %[[LAST:.+]] = tensor.extract_slice %[[LOOP]][3, 0, 0] [1, %{{.+}}, 4] [1, 1, 1] : tensor<4x?x4xf32> to tensor<?x4xf32>
// CHECK:         %[[SAVED:.+]] = tensor.extract_slice %[[LOOP]][0, 0, 0] [3, %{{.+}}, 4] [1, 1, 1] : tensor<4x?x4xf32> to tensor<3x?x4xf32>
// CHECK:         return %[[LAST]], %[[SAVED]]
module attributes {cnn.mode = "train"} {
  func.func @saved_inputs(%x: tensor<?x4xf32>)
      -> (tensor<?x4xf32>, tensor<3x?x4xf32>) {
    %y:2 = cnn.repeat %x count 3
        : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<3x?x4xf32>) {
    ^bb0(%k: index, %in: tensor<?x4xf32>):
      %next = cnn.add %in, %in : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
      cnn.yield %next, %in : tensor<?x4xf32>, tensor<?x4xf32>
    }
    return %y#0, %y#1 : tensor<?x4xf32>, tensor<3x?x4xf32>
  }
}
