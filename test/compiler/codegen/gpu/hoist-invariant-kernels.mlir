// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-gpu-hoist-invariant-kernels))' | FileCheck %s

// A shared block's loop: the kernel that scales the shared weights (eval's
// batchnorm folded into the convolution) computes the same on every
// iteration, so it runs once, before the loop, with the buffer it fills.
// The convolution reads the loop's activation: it stays.
// CHECK-LABEL: func.func @shared_weights_scaled_once
// CHECK-SAME: (%[[W:.+]]: memref<4xf32>, %[[S:.+]]: memref<4xf32>,
// CHECK: %[[SCALED:.+]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT: scf.parallel
// CHECK: memref.load %[[W]]
// CHECK: memref.load %[[S]]
// CHECK: memref.store %{{.+}}, %[[SCALED]]
// CHECK: scf.for
// CHECK-NOT: memref.alloc() : memref<4xf32>
// CHECK: memref.alloc() : memref<8x4xf32>
// CHECK-NEXT: scf.parallel
// CHECK: memref.load %[[SCALED]]
// CHECK: scf.yield
func.func @shared_weights_scaled_once(%w: memref<4xf32>, %s: memref<4xf32>, %x: memref<8x4xf32>) -> memref<8x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c10 = arith.constant 10 : index
  %r = scf.for %i = %c0 to %c10 step %c1 iter_args(%act = %x) -> (memref<8x4xf32>) {
    %scaled = memref.alloc() : memref<4xf32>
    scf.parallel (%k) = (%c0) to (%c4) step (%c1) {
      %a = memref.load %w[%k] : memref<4xf32>
      %b = memref.load %s[%k] : memref<4xf32>
      %p = arith.mulf %a, %b : f32
      memref.store %p, %scaled[%k] : memref<4xf32>
      scf.reduce
    }
    %out = memref.alloc() : memref<8x4xf32>
    scf.parallel (%n, %k) = (%c0, %c0) to (%c8, %c4) step (%c1, %c1) {
      %a = memref.load %act[%n, %k] : memref<8x4xf32>
      %b = memref.load %scaled[%k] : memref<4xf32>
      %p = arith.mulf %a, %b : f32
      memref.store %p, %out[%n, %k] : memref<8x4xf32>
      scf.reduce
    }
    scf.yield %out : memref<8x4xf32>
  }
  return %r : memref<8x4xf32>
}

// Distinct blocks: each iteration reads its own weights (a view at the
// induction variable), so the kernel stays in the loop.
// CHECK-LABEL: func.func @distinct_weights
// CHECK: scf.for
// CHECK-NEXT: memref.subview
// CHECK-NEXT: memref.alloc
// CHECK-NEXT: scf.parallel
func.func @distinct_weights(%w: memref<10x4xf32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  scf.for %i = %c0 to %c10 step %c1 {
    %wi = memref.subview %w[%i, 0] [1, 4] [1, 1] : memref<10x4xf32> to memref<4xf32, strided<[1], offset: ?>>
    %t = memref.alloc() : memref<4xf32>
    scf.parallel (%k) = (%c0) to (%c4) step (%c1) {
      %a = memref.load %wi[%k] : memref<4xf32, strided<[1], offset: ?>>
      memref.store %a, %t[%k] : memref<4xf32>
      scf.reduce
    }
    scf.parallel (%k) = (%c0) to (%c4) step (%c1) {
      %a = memref.load %t[%k] : memref<4xf32>
      %b = memref.load %out[%k] : memref<4xf32>
      %p = arith.addf %a, %b : f32
      memref.store %p, %out[%k] : memref<4xf32>
      scf.reduce
    }
  }
  return
}

// The kernel reads a buffer the loop writes (%acc, updated by the second
// kernel): each iteration sees new values, so it stays. The second kernel
// writes a buffer from before the loop: it stays too.
// CHECK-LABEL: func.func @reads_what_the_loop_writes
// CHECK: scf.for
// CHECK-NEXT: memref.alloc
// CHECK-NEXT: scf.parallel
// CHECK: scf.parallel
// CHECK: }
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @reads_what_the_loop_writes(%acc: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  scf.for %i = %c0 to %c10 step %c1 {
    %t = memref.alloc() : memref<4xf32>
    scf.parallel (%k) = (%c0) to (%c4) step (%c1) {
      %a = memref.load %acc[%k] : memref<4xf32>
      %d = arith.addf %a, %a : f32
      memref.store %d, %t[%k] : memref<4xf32>
      scf.reduce
    }
    scf.parallel (%k) = (%c0) to (%c4) step (%c1) {
      %a = memref.load %t[%k] : memref<4xf32>
      memref.store %a, %acc[%k] : memref<4xf32>
      scf.reduce
    }
  }
  return
}

// Another kernel of the loop also writes the allocation (an accumulator
// zeroed, then summed into): the zeroing must happen on every iteration.
// CHECK-LABEL: func.func @buffer_written_again
// CHECK: scf.for
// CHECK-NEXT: memref.alloc
// CHECK-NEXT: scf.parallel
func.func @buffer_written_again(%x: memref<4xf32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c10 step %c1 {
    %t = memref.alloc() : memref<4xf32>
    scf.parallel (%k) = (%c0) to (%c4) step (%c1) {
      memref.store %zero, %t[%k] : memref<4xf32>
      scf.reduce
    }
    scf.parallel (%k) = (%c0) to (%c4) step (%c1) {
      %a = memref.load %t[%k] : memref<4xf32>
      %b = memref.load %x[%k] : memref<4xf32>
      %s = arith.addf %a, %b : f32
      memref.store %s, %t[%k] : memref<4xf32>
      scf.reduce
    }
    scf.parallel (%k) = (%c0) to (%c4) step (%c1) {
      %a = memref.load %t[%k] : memref<4xf32>
      memref.store %a, %out[%k] : memref<4xf32>
      scf.reduce
    }
  }
  return
}

// The buffer is the loop's result too (yielded): on the next iteration it
// is the activation that iteration writes through another name. One
// buffer for all iterations would be overwritten: the kernel stays.
// CHECK-LABEL: func.func @buffer_yielded
// CHECK: scf.for
// CHECK-NEXT: memref.alloc
// CHECK-NEXT: scf.parallel
func.func @buffer_yielded(%w: memref<4xf32>, %x: memref<4xf32>) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %r = scf.for %i = %c0 to %c10 step %c1 iter_args(%act = %x) -> (memref<4xf32>) {
    %t = memref.alloc() : memref<4xf32>
    scf.parallel (%k) = (%c0) to (%c4) step (%c1) {
      %a = memref.load %w[%k] : memref<4xf32>
      memref.store %a, %t[%k] : memref<4xf32>
      scf.reduce
    }
    scf.parallel (%k) = (%c0) to (%c4) step (%c1) {
      %a = memref.load %act[%k] : memref<4xf32>
      %b = memref.load %t[%k] : memref<4xf32>
      %s = arith.addf %a, %b : f32
      memref.store %s, %act[%k] : memref<4xf32>
      scf.reduce
    }
    scf.yield %t : memref<4xf32>
  }
  return %r : memref<4xf32>
}
