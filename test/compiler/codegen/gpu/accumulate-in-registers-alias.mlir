// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-gpu-accumulate-in-registers))' | FileCheck %s

// Once a bug: the pass looks for other uses of the
// accumulator's buffer by SSA value only, so a view of the same buffer made
// outside the loop (here %v, a subview of %buf) is not seen. The loop reads
// %v[%k], which is %buf[%i] itself when %k == %i: in the original code that
// read sees the partial sum, once the sum is carried in a register it sees
// the stale value. cnn-gpu-map-to-threads had the same bug (underlyingBuffer);
// the fix is the same: compare the buffers a view comes from. Now: the
// loop is left alone.

// CHECK-LABEL: func.func @read_through_view
// CHECK-NOT: iter_args
// CHECK: scf.for
// CHECK-NEXT: memref.load %[[BUF:.+]][%{{.+}}] : memref<8xf32>
// CHECK: memref.store %{{.+}}, %[[BUF]][%{{.+}}] : memref<8xf32>
func.func @read_through_view(%buf: memref<8xf32>, %i: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %v = memref.subview %buf[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  scf.for %k = %c0 to %c4 step %c1 {
    %acc = memref.load %buf[%i] : memref<8xf32>
    %x = memref.load %v[%k] : memref<4xf32, strided<[1]>>
    %s = arith.addf %acc, %x : f32
    memref.store %s, %buf[%i] : memref<8xf32>
  }
  return
}
