// RUN: cnnc-opt %s --split-input-file --cnn-cpu-read-slices-in-place | FileCheck %s

// A repeated block's loop: slot k of the stack copied into a fresh buffer,
// read (by a subview per image, and whole; a prefetch reads it too), while
// the block's output goes into slot k + 1. The readers read slot k itself;
// the copy, the buffer and its free go.
// CHECK-LABEL: func.func @stack_slot
// CHECK:         scf.for %[[K:.+]] = %c0 to %c10 step %c1
// CHECK:           %[[IN:.+]] = memref.subview %[[S:.+]][%[[K]], 0, 0, 0] [1, %{{.+}}, 4, 8]
// CHECK-NOT:       memref.alloc
// CHECK-NOT:       memref.copy
// CHECK:           %[[NEXT:.+]] = arith.addi %[[K]], %c1
// CHECK:           %[[OUT:.+]] = memref.subview %[[S]][%[[NEXT]], 0, 0, 0]
// CHECK:           scf.forall (%[[N:.+]]) in
// CHECK:             %[[IMAGE:.+]] = memref.subview %[[IN]][%[[N]], 0, 0] [1, 4, 8] [1, 1, 1] : memref<?x4x8xf32, strided<[32, 8, 1], offset: ?>> to memref<4x8xf32, strided<[8, 1], offset: ?>>
// CHECK:             memref.prefetch %[[IMAGE]][%c1, %c0], read, locality<2>, data
// CHECK:           linalg.generic {{.*}} ins(%[[IN]] : memref<?x4x8xf32, strided<[32, 8, 1], offset: ?>>)
// CHECK-NOT:       memref.dealloc {{.*}} : memref<?x4x8xf32>
func.func @stack_slot(%n: index) -> memref<11x?x4x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c10 = arith.constant 10 : index
  %stack = memref.alloc(%n) : memref<11x?x4x8xf32>
  %sums = memref.alloc() : memref<8xf32>
  scf.for %k = %c0 to %c10 step %c1 {
    %in = memref.subview %stack[%k, 0, 0, 0] [1, %n, 4, 8] [1, 1, 1, 1]
        : memref<11x?x4x8xf32> to memref<?x4x8xf32, strided<[32, 8, 1], offset: ?>>
    %copy = memref.alloc(%n) : memref<?x4x8xf32>
    memref.copy %in, %copy : memref<?x4x8xf32, strided<[32, 8, 1], offset: ?>> to memref<?x4x8xf32>
    %next = arith.addi %k, %c1 : index
    %out = memref.subview %stack[%next, 0, 0, 0] [1, %n, 4, 8] [1, 1, 1, 1]
        : memref<11x?x4x8xf32> to memref<?x4x8xf32, strided<[32, 8, 1], offset: ?>>
    scf.forall (%i) in (%n) {
      %image = memref.subview %copy[%i, 0, 0] [1, 4, 8] [1, 1, 1]
          : memref<?x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
      memref.prefetch %image[%c1, %c0], read, locality<2>, data
          : memref<4x8xf32, strided<[8, 1], offset: ?>>
      %dst = memref.subview %out[%i, 0, 0] [1, 4, 8] [1, 1, 1]
          : memref<?x4x8xf32, strided<[32, 8, 1], offset: ?>> to memref<4x8xf32, strided<[8, 1], offset: ?>>
      memref.copy %image, %dst : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<4x8xf32, strided<[8, 1], offset: ?>>
    }
    linalg.generic {indexing_maps = [affine_map<(n, h, c) -> (n, h, c)>, affine_map<(n, h, c) -> (c)>],
                    iterator_types = ["reduction", "reduction", "parallel"]}
        ins(%copy : memref<?x4x8xf32>) outs(%sums : memref<8xf32>) {
    ^bb0(%x: f32, %acc: f32):
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
    memref.dealloc %copy : memref<?x4x8xf32>
  }
  memref.dealloc %sums : memref<8xf32>
  return %stack : memref<11x?x4x8xf32>
}

// -----

// The slot itself is written before the copy's last read: the copy stays.
// CHECK-LABEL: func.func @slot_overwritten
// CHECK:         memref.copy %{{.+}}, %[[COPY:.+]] : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<4x8xf32>
// CHECK:         vector.transfer_read %[[COPY]]
func.func @slot_overwritten(%k: index, %v: vector<8xf32>) -> vector<8xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %stack = memref.alloc() : memref<11x4x8xf32>
  %in = memref.subview %stack[%k, 0, 0] [1, 4, 8] [1, 1, 1]
      : memref<11x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
  %copy = memref.alloc() : memref<4x8xf32>
  memref.copy %in, %copy : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<4x8xf32>
  vector.transfer_write %v, %in[%c0, %c0] : vector<8xf32>, memref<4x8xf32, strided<[8, 1], offset: ?>>
  %r = vector.transfer_read %copy[%c0, %c0], %zero : memref<4x8xf32>, vector<8xf32>
  memref.dealloc %copy : memref<4x8xf32>
  return %r : vector<8xf32>
}

// -----

// A slot whose index is not k plus a constant may be slot k: the copy stays.
// CHECK-LABEL: func.func @other_slot_unknown
// CHECK:         memref.copy %{{.+}}, %[[COPY:.+]] : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<4x8xf32>
// CHECK:         vector.transfer_read %[[COPY]]
func.func @other_slot_unknown(%k: index, %j: index, %v: vector<8xf32>) -> vector<8xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %stack = memref.alloc() : memref<11x4x8xf32>
  %in = memref.subview %stack[%k, 0, 0] [1, 4, 8] [1, 1, 1]
      : memref<11x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
  %copy = memref.alloc() : memref<4x8xf32>
  memref.copy %in, %copy : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<4x8xf32>
  %other = memref.subview %stack[%j, 0, 0] [1, 4, 8] [1, 1, 1]
      : memref<11x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
  vector.transfer_write %v, %other[%c0, %c0] : vector<8xf32>, memref<4x8xf32, strided<[8, 1], offset: ?>>
  %r = vector.transfer_read %copy[%c0, %c0], %zero : memref<4x8xf32>, vector<8xf32>
  memref.dealloc %copy : memref<4x8xf32>
  return %r : vector<8xf32>
}

// -----

// A call that is given a view of the stack may write anywhere in it: the
// copy stays.
// CHECK-LABEL: func.func @stack_escapes
// CHECK:         memref.copy %{{.+}}, %[[COPY:.+]] : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<4x8xf32>
// CHECK:         vector.transfer_read %[[COPY]]
func.func private @writes(memref<11x4x8xf32>)
func.func @stack_escapes(%k: index) -> vector<8xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %stack = memref.alloc() : memref<11x4x8xf32>
  %in = memref.subview %stack[%k, 0, 0] [1, 4, 8] [1, 1, 1]
      : memref<11x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
  %copy = memref.alloc() : memref<4x8xf32>
  memref.copy %in, %copy : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<4x8xf32>
  func.call @writes(%stack) : (memref<11x4x8xf32>) -> ()
  %r = vector.transfer_read %copy[%c0, %c0], %zero : memref<4x8xf32>, vector<8xf32>
  memref.dealloc %copy : memref<4x8xf32>
  return %r : vector<8xf32>
}

// -----

// The copy is written after it is made (a buffer of its own): it stays.
// CHECK-LABEL: func.func @copy_written
// CHECK:         memref.copy %{{.+}}, %[[COPY:.+]] : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<4x8xf32>
// CHECK:         vector.transfer_write %{{.+}}, %[[COPY]]
func.func @copy_written(%k: index, %v: vector<8xf32>) -> vector<8xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %stack = memref.alloc() : memref<11x4x8xf32>
  %in = memref.subview %stack[%k, 0, 0] [1, 4, 8] [1, 1, 1]
      : memref<11x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
  %copy = memref.alloc() : memref<4x8xf32>
  memref.copy %in, %copy : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<4x8xf32>
  vector.transfer_write %v, %copy[%c0, %c0] : vector<8xf32>, memref<4x8xf32>
  %r = vector.transfer_read %copy[%c0, %c0], %zero : memref<4x8xf32>, vector<8xf32>
  memref.dealloc %copy : memref<4x8xf32>
  return %r : vector<8xf32>
}

// -----

// A strided write that starts two slots before slot k and steps by two
// reaches slot k: the copy stays.
// CHECK-LABEL: func.func @strided_write_reaches_slot
// CHECK:         memref.copy %{{.+}}, %[[COPY:.+]] : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<4x8xf32>
// CHECK:         vector.transfer_read %[[COPY]]
func.func @strided_write_reaches_slot(%k: index, %v: vector<8xf32>) -> vector<8xf32> {
  %c0 = arith.constant 0 : index
  %cm2 = arith.constant -2 : index
  %zero = arith.constant 0.0 : f32
  %stack = memref.alloc() : memref<11x4x8xf32>
  %in = memref.subview %stack[%k, 0, 0] [1, 4, 8] [1, 1, 1]
      : memref<11x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
  %copy = memref.alloc() : memref<4x8xf32>
  memref.copy %in, %copy : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<4x8xf32>
  %start = arith.addi %k, %cm2 : index
  %two = memref.subview %stack[%start, 0, 0] [2, 4, 8] [2, 1, 1]
      : memref<11x4x8xf32> to memref<2x4x8xf32, strided<[64, 8, 1], offset: ?>>
  vector.transfer_write %v, %two[%c0, %c0, %c0] : vector<8xf32>, memref<2x4x8xf32, strided<[64, 8, 1], offset: ?>>
  %r = vector.transfer_read %copy[%c0, %c0], %zero : memref<4x8xf32>, vector<8xf32>
  memref.dealloc %copy : memref<4x8xf32>
  return %r : vector<8xf32>
}
