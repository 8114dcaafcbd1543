// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-gpu-map-to-threads{fuse-independent=false}))' | FileCheck %s
// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-gpu-map-to-threads{fuse-independent=false fuse-readers=false}))' | FileCheck %s --check-prefix=OFF

// Eval's convolution (bias, then the sum over channels and window) read
// only by the 2x2, stride 2 max pooling after it: each pooling thread
// computes the four elements of its window itself, in a register. One
// launch, and no temporary.
// CHECK-LABEL: func.func @conv_into_pool
// CHECK-SAME: (%[[X:.+]]: memref<2x3x4x4xf32>, %[[W:.+]]: memref<5x3xf32>, %[[B:.+]]: memref<5xf32>, %[[OUT:.+]]: memref<2x5x2x2xf32>)
// CHECK-NOT: memref.alloc
// CHECK: scf.parallel
// CHECK-NEXT: scf.parallel
// CHECK: memref.store %{{.+}}, %[[OUT]]
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[BIAS:.+]] = memref.load %[[B]][%{{.+}}] : memref<5xf32>
// CHECK-NEXT: %[[SUM:.+]] = scf.for %{{.+}} iter_args(%{{.+}} = %[[BIAS]]) -> (f32) {
// CHECK: memref.load %[[X]]
// CHECK: memref.load %[[W]]
// CHECK: }
// CHECK-NEXT: arith.maximumf %{{.+}}, %[[SUM]] : f32
// CHECK: processor = block_x
// CHECK-NOT: scf.parallel
// CHECK: return
// OFF-LABEL: func.func @conv_into_pool
// OFF: memref.alloc() : memref<2x5x4x4xf32>
// OFF-COUNT-2: processor = block_x
func.func @conv_into_pool(%x: memref<2x3x4x4xf32>, %w: memref<5x3xf32>, %b: memref<5xf32>, %out: memref<2x5x2x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %ninf = arith.constant 0xFF800000 : f32
  %t = memref.alloc() : memref<2x5x4x4xf32>
  scf.parallel (%n, %f, %h, %v) = (%c0, %c0, %c0, %c0) to (%c2, %c5, %c4, %c4) step (%c1, %c1, %c1, %c1) {
    %bias = memref.load %b[%f] : memref<5xf32>
    memref.store %bias, %t[%n, %f, %h, %v] : memref<2x5x4x4xf32>
    scf.reduce
  }
  scf.parallel (%n, %f, %h, %v) = (%c0, %c0, %c0, %c0) to (%c2, %c5, %c4, %c4) step (%c1, %c1, %c1, %c1) {
    %init = memref.load %t[%n, %f, %h, %v] : memref<2x5x4x4xf32>
    %sum = scf.for %c = %c0 to %c3 step %c1 iter_args(%acc = %init) -> (f32) {
      %xv = memref.load %x[%n, %c, %h, %v] : memref<2x3x4x4xf32>
      %wv = memref.load %w[%f, %c] : memref<5x3xf32>
      %p = arith.mulf %xv, %wv : f32
      %s = arith.addf %acc, %p : f32
      scf.yield %s : f32
    }
    memref.store %sum, %t[%n, %f, %h, %v] : memref<2x5x4x4xf32>
    scf.reduce
  }
  scf.parallel (%n, %f, %ph, %pv) = (%c0, %c0, %c0, %c0) to (%c2, %c5, %c2, %c2) step (%c1, %c1, %c1, %c1) {
    memref.store %ninf, %out[%n, %f, %ph, %pv] : memref<2x5x2x2xf32>
    %init = memref.load %out[%n, %f, %ph, %pv] : memref<2x5x2x2xf32>
    %m = scf.for %kh = %c0 to %c2 step %c1 iter_args(%a0 = %init) -> (f32) {
      %m1 = scf.for %kw = %c0 to %c2 step %c1 iter_args(%a1 = %a0) -> (f32) {
        %h0 = arith.muli %ph, %c2 : index
        %h = arith.addi %h0, %kh : index
        %v0 = arith.muli %pv, %c2 : index
        %v = arith.addi %v0, %kw : index
        %e = memref.load %t[%n, %f, %h, %v] : memref<2x5x4x4xf32>
        %mx = arith.maximumf %a1, %e : f32
        scf.yield %mx : f32
      }
      scf.yield %m1 : f32
    }
    memref.store %m, %out[%n, %f, %ph, %pv] : memref<2x5x2x2xf32>
    scf.reduce
  }
  return
}

// 3x3 windows, stride 2, over 5x5: 36 reads of 25 elements. Computing in
// place would repeat work: two launches and the temporary.
// CHECK-LABEL: func.func @overlapping_windows
// CHECK: memref.alloc() : memref<5x5xf32>
// CHECK-COUNT-2: processor = block_x
func.func @overlapping_windows(%x: memref<5x5xf32>, %out: memref<2x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %ninf = arith.constant 0xFF800000 : f32
  %t = memref.alloc() : memref<5x5xf32>
  scf.parallel (%h, %v) = (%c0, %c0) to (%c5, %c5) step (%c1, %c1) {
    %e = memref.load %x[%h, %v] : memref<5x5xf32>
    %a = math.tanh %e : f32
    memref.store %a, %t[%h, %v] : memref<5x5xf32>
    scf.reduce
  }
  scf.parallel (%ph, %pv) = (%c0, %c0) to (%c2, %c2) step (%c1, %c1) {
    %m = scf.for %kh = %c0 to %c3 step %c1 iter_args(%a0 = %ninf) -> (f32) {
      %m1 = scf.for %kw = %c0 to %c3 step %c1 iter_args(%a1 = %a0) -> (f32) {
        %h0 = arith.muli %ph, %c2 : index
        %h = arith.addi %h0, %kh : index
        %v0 = arith.muli %pv, %c2 : index
        %v = arith.addi %v0, %kw : index
        %e = memref.load %t[%h, %v] : memref<5x5xf32>
        %mx = arith.maximumf %a1, %e : f32
        scf.yield %mx : f32
      }
      scf.yield %m1 : f32
    }
    memref.store %m, %out[%ph, %pv] : memref<2x2xf32>
    scf.reduce
  }
  return
}

// The temporary is read again later (training keeps the convolution's
// output for the backward pass): it stays, and so does its kernel.
// CHECK-LABEL: func.func @read_twice
// CHECK: memref.alloc() : memref<4xf32>
// CHECK-COUNT-3: processor = block_x
func.func @read_twice(%x: memref<4xf32>, %out: memref<2xf32>, %keep: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %t = memref.alloc() : memref<4xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %e = memref.load %x[%i] : memref<4xf32>
    %a = math.tanh %e : f32
    memref.store %a, %t[%i] : memref<4xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c2) step (%c1) {
    %j = arith.muli %i, %c2 : index
    %e = memref.load %t[%j] : memref<4xf32>
    memref.store %e, %out[%i] : memref<2xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %e = memref.load %t[%i] : memref<4xf32>
    memref.store %e, %keep[%i] : memref<4xf32>
    scf.reduce
  }
  return
}
