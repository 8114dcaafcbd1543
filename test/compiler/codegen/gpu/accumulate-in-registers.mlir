// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-gpu-accumulate-in-registers))' | FileCheck %s

// Linalg's loops load and store the output element at every step of a
// reduction. When a scf.for loads then stores one element at indices defined
// outside it, and touches the buffer nowhere else, the element is carried as
// an iter_arg: one load before, one store after. Innermost first, so a nest
// carries it through every loop. Anything else must stay as it is: carrying
// an element another access in the loop sees would change the results.

// Both loops carry the element: one load before the nest, one store after,
// nothing of %out inside.
// CHECK-LABEL: func.func @reduction_nest
// CHECK-SAME: (%[[IN:.+]]: memref<4x8xf32>, %[[OUT:.+]]: memref<4xf32>, %[[I:.+]]: index)
// CHECK: %[[INIT:.+]] = memref.load %[[OUT]][%[[I]]] : memref<4xf32>
// CHECK-NEXT: %[[R:.+]] = scf.for %[[A:.+]] = {{.+}} iter_args(%[[ACC0:.+]] = %[[INIT]]) -> (f32) {
// CHECK-NEXT:   %[[RI:.+]] = scf.for %[[B:.+]] = {{.+}} iter_args(%[[ACC1:.+]] = %[[ACC0]]) -> (f32) {
// CHECK-NEXT:     %[[X:.+]] = memref.load %[[IN]][%[[A]], %[[B]]]
// CHECK-NEXT:     %[[S:.+]] = arith.addf %[[ACC1]], %[[X]] : f32
// CHECK-NEXT:     scf.yield %[[S]] : f32
// CHECK-NEXT:   }
// CHECK-NEXT:   scf.yield %[[RI]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: memref.store %[[R]], %[[OUT]][%[[I]]] : memref<4xf32>
// CHECK-NEXT: return
func.func @reduction_nest(%in: memref<4x8xf32>, %out: memref<4xf32>, %i: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.for %a = %c0 to %c4 step %c1 {
    scf.for %b = %c0 to %c8 step %c1 {
      %x = memref.load %in[%a, %b] : memref<4x8xf32>
      %acc = memref.load %out[%i] : memref<4xf32>
      %s = arith.addf %acc, %x : f32
      memref.store %s, %out[%i] : memref<4xf32>
    }
  }
  return
}

// The element depends on the loop variable: a different element each step.
// CHECK-LABEL: func.func @index_depends_on_loop
// CHECK-NOT: iter_args
// CHECK: scf.for %[[K:.+]] = {{.+}} {
// CHECK-NEXT: memref.load %{{.+}}[%[[K]]]
// CHECK: memref.store %{{.+}}, %{{.+}}[%[[K]]]
// CHECK-NOT: iter_args
func.func @index_depends_on_loop(%in: memref<8xf32>, %out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %k = %c0 to %c8 step %c1 {
    %acc = memref.load %out[%k] : memref<8xf32>
    %x = memref.load %in[%k] : memref<8xf32>
    %s = arith.addf %acc, %x : f32
    memref.store %s, %out[%k] : memref<8xf32>
  }
  return
}

// The buffer is read elsewhere in the loop (another element of it): that
// read must see the memory, so the element stays in memory.
// CHECK-LABEL: func.func @buffer_read_elsewhere
// CHECK-NOT: iter_args
// CHECK: scf.for
// CHECK: memref.load %[[OUT:.+]][%{{.+}}]
// CHECK: memref.load %[[OUT]][%{{.+}}]
// CHECK: memref.store
// CHECK-NOT: iter_args
func.func @buffer_read_elsewhere(%out: memref<8xf32>, %i: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %k = %c0 to %c8 step %c1 {
    %acc = memref.load %out[%i] : memref<8xf32>
    %x = memref.load %out[%k] : memref<8xf32>
    %s = arith.addf %acc, %x : f32
    memref.store %s, %out[%i] : memref<8xf32>
  }
  return
}

// The store comes before the load: the loop overwrites the element, then
// reads it; no value flows from one step to the next as an accumulator.
// CHECK-LABEL: func.func @store_before_load
// CHECK-NOT: iter_args
// CHECK: scf.for
// CHECK-NEXT: memref.store
// CHECK-NEXT: memref.load
// CHECK-NOT: iter_args
func.func @store_before_load(%out: memref<8xf32>, %dst: memref<8xf32>, %i: index, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %k = %c0 to %c8 step %c1 {
    memref.store %v, %out[%i] : memref<8xf32>
    %x = memref.load %out[%i] : memref<8xf32>
    memref.store %x, %dst[%k] : memref<8xf32>
  }
  return
}
