// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-gpu-map-to-threads))' | FileCheck %s --check-prefixes=CHECK,T256
// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-gpu-map-to-threads{threads-per-block=128}))' | FileCheck %s --check-prefixes=CHECK,T128

// The GPU schedule: each outermost scf.parallel is collapsed to one
// dimension (blocks stay full whatever the shape), tiled by
// threads-per-block, the tiles mapped to block_x and the elements to
// thread_x, a guard dropping the last block's excess threads. Adjacent loops
// of the same space fuse first, but only when every dependence is pointwise,
// and a buffer written through a view of an allocation and read through the
// allocation itself is one buffer (a convolution reading the border of a
// padded image must not fuse with the copy into its interior).

// 4-D with a dynamic batch: one loop over N*4*3*3 elements, step 256 (128),
// the ids recovered by div/rem, the guard against the collapsed size.
// CHECK-LABEL: func.func @collapse_4d
// CHECK: %[[N:.+]] = memref.dim
// CHECK: %[[P0:.+]] = arith.muli %{{.+}}, %[[N]] : index
// CHECK: %[[P1:.+]] = arith.muli %[[P0]], %{{.+}} : index
// CHECK: %[[P2:.+]] = arith.muli %[[P1]], %{{.+}} : index
// CHECK: %[[TOTAL:.+]] = arith.muli %[[P2]], %{{.+}} : index
// T256: %[[TILE:.+]] = arith.constant 256 : index
// T128: %[[TILE:.+]] = arith.constant 128 : index
// CHECK: %[[STEP:.+]] = arith.muli %{{.+}}, %[[TILE]] : index
// CHECK: scf.parallel (%[[BLK:.+]]) = (%{{.+}}) to (%[[TOTAL]]) step (%[[STEP]]) {
// CHECK-NEXT: scf.parallel (%[[THR:.+]]) = (%{{.+}}) to (%[[STEP]]) step (%{{.+}}) {
// CHECK: arith.addi %[[THR]], %[[BLK]] : index
// CHECK: %[[IN:.+]] = arith.cmpi ult, %{{.+}}, %[[TOTAL]] : index
// CHECK: scf.if %{{.+}} {
// CHECK-COUNT-3: arith.remsi
// CHECK: memref.load %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}] : memref<?x4x3x3xf32>
// CHECK: arith.negf
// CHECK: memref.store
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @collapse_4d(%x: memref<?x4x3x3xf32>, %y: memref<?x4x3x3xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %n = memref.dim %x, %c0 : memref<?x4x3x3xf32>
  scf.parallel (%a, %b, %c, %d) = (%c0, %c0, %c0, %c0) to (%n, %c4, %c3, %c3) step (%c1, %c1, %c1, %c1) {
    %v = memref.load %x[%a, %b, %c, %d] : memref<?x4x3x3xf32>
    %w = arith.negf %v : f32
    memref.store %w, %y[%a, %b, %c, %d] : memref<?x4x3x3xf32>
    scf.reduce
  }
  return
}

// The second loop reads what the first wrote at the same index (an
// activation after a convolution): one kernel.
// CHECK-LABEL: func.func @fuse_pointwise
// CHECK: scf.parallel
// CHECK-NEXT: scf.parallel
// CHECK: scf.if
// CHECK: arith.negf
// CHECK: memref.store %{{.+}}, %[[T:.+]][%[[I:.+]]] : memref<64xf32>
// CHECK-NEXT: memref.load %[[T]][%[[I]]] : memref<64xf32>
// CHECK-NEXT: math.absf
// CHECK: processor = thread_x
// CHECK: processor = block_x
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @fuse_pointwise(%x: memref<64xf32>, %t: memref<64xf32>, %y: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %v = memref.load %x[%i] : memref<64xf32>
    %w = arith.negf %v : f32
    memref.store %w, %t[%i] : memref<64xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %v = memref.load %t[%i] : memref<64xf32>
    %w = math.absf %v : f32
    memref.store %w, %y[%i] : memref<64xf32>
    scf.reduce
  }
  return
}

// The first loop writes the interior of %buf through a subview, the second
// reads %buf[i], which the first wrote as %in[i-1] in another thread: two
// kernels (the same SSA value is not needed for a dependence).
// CHECK-LABEL: func.func @no_fuse_through_subview
// CHECK: %[[IN:.+]] = memref.subview %[[BUF:arg[0-9]+]][1] [64] [1]
// CHECK: scf.parallel
// CHECK-NEXT: scf.parallel
// CHECK: memref.store %{{.+}}, %[[IN]][
// CHECK-NOT: memref.load
// CHECK: processor = thread_x
// CHECK: processor = block_x
// CHECK: scf.parallel
// CHECK-NEXT: scf.parallel
// CHECK: memref.load %[[BUF]][
// CHECK: processor = thread_x
// CHECK: processor = block_x
// CHECK: return
func.func @no_fuse_through_subview(%buf: memref<66xf32>, %y: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  %in = memref.subview %buf[1] [64] [1] : memref<66xf32> to memref<64xf32, strided<[1], offset: 1>>
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    memref.store %one, %in[%i] : memref<64xf32, strided<[1], offset: 1>>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %v = memref.load %buf[%i] : memref<66xf32>
    memref.store %v, %y[%i] : memref<64xf32>
    scf.reduce
  }
  return
}

// A loop inside the mapped one stays a loop of each thread.
// CHECK-LABEL: func.func @inner_loop_sequential
// CHECK: scf.parallel
// CHECK-NEXT: scf.parallel
// CHECK: scf.if
// CHECK-NEXT: scf.parallel
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = sequential, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK: processor = thread_x
// CHECK: processor = block_x
func.func @inner_loop_sequential(%x: memref<8x16xf32>, %y: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c16) step (%c1) {
      %v = memref.load %x[%i, %j] : memref<8x16xf32>
      memref.store %v, %y[%i] : memref<8xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}

// Loops that touch no memory another writes run side by side in one
// launch, whatever their sizes: the fused loop covers 8 + 24 elements and
// each range runs one body at its own index (the unsigned compare also
// rejects an index before the range). Parameters are views of one arena
// at distinct offsets: distinct memory.
// CHECK-LABEL: func.func @side_by_side
// CHECK: %[[C8:.+]] = arith.constant 8 : index
// CHECK: %[[C24:.+]] = arith.constant 24 : index
// CHECK: %[[TOTAL:.+]] = arith.addi %[[C8]], %[[C24]] : index
// CHECK: scf.parallel (%{{.+}}) = (%{{.+}}) to (%[[TOTAL]])
// CHECK-NEXT: scf.parallel
// CHECK: scf.if
// CHECK: %[[IN0:.+]] = arith.cmpi ult, %[[I:.+]], %[[C8]] : index
// CHECK-NEXT: scf.if %[[IN0]] {
// CHECK-NEXT: memref.load %[[A:.+]][%[[I]]] : memref<8xf32>
// CHECK: memref.store %{{.+}}, %[[A]][%[[I]]] : memref<8xf32>
// CHECK: %[[J:.+]] = arith.subi %[[I]], %[[C8]] : index
// CHECK-NEXT: %[[IN1:.+]] = arith.cmpi ult, %[[J]], %[[C24]] : index
// CHECK-NEXT: scf.if %[[IN1]] {
// CHECK-NEXT: memref.load %[[B:.+]][%[[J]]] : memref<24xf32>
// CHECK: memref.store %{{.+}}, %[[B]][%[[J]]] : memref<24xf32>
// CHECK: processor = thread_x
// CHECK: processor = block_x
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @side_by_side(%arena: memref<256xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c24 = arith.constant 24 : index
  %c32 = arith.constant 32 : index
  %a = memref.view %arena[%c0][] : memref<256xi8> to memref<8xf32>
  %b = memref.view %arena[%c32][] : memref<256xi8> to memref<24xf32>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %a[%i] : memref<8xf32>
    %w = arith.negf %v : f32
    memref.store %w, %a[%i] : memref<8xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c24) step (%c1) {
    %v = memref.load %b[%i] : memref<24xf32>
    %w = math.absf %v : f32
    memref.store %w, %b[%i] : memref<24xf32>
    scf.reduce
  }
  return
}

// The views overlap (bytes 16 to 31 are in both): two launches, in order.
// CHECK-LABEL: func.func @overlapping_views
// CHECK: scf.parallel
// CHECK-NEXT: scf.parallel
// CHECK: arith.negf
// CHECK: processor = block_x
// CHECK: scf.parallel
// CHECK-NEXT: scf.parallel
// CHECK: math.absf
// CHECK: processor = block_x
func.func @overlapping_views(%arena: memref<256xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c24 = arith.constant 24 : index
  %a = memref.view %arena[%c0][] : memref<256xi8> to memref<8xf32>
  %b = memref.view %arena[%c16][] : memref<256xi8> to memref<24xf32>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %a[%i] : memref<8xf32>
    %w = arith.negf %v : f32
    memref.store %w, %a[%i] : memref<8xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c24) step (%c1) {
    %v = memref.load %b[%i] : memref<24xf32>
    %w = math.absf %v : f32
    memref.store %w, %b[%i] : memref<24xf32>
    scf.reduce
  }
  return
}

// The second reads what the first writes, at another index (a reduction
// over it): it must wait for the whole first loop. Two launches.
// CHECK-LABEL: func.func @reads_other_elements
// CHECK: arith.negf
// CHECK: processor = block_x
// CHECK: scf.parallel
// CHECK-NEXT: scf.parallel
// CHECK: scf.for
// CHECK: processor = block_x
func.func @reads_other_elements(%x: memref<8xf32>, %t: memref<8xf32>, %y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %x[%i] : memref<8xf32>
    %w = arith.negf %v : f32
    memref.store %w, %t[%i] : memref<8xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %s = scf.for %k = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %t[%k] : memref<8xf32>
      %n = arith.addf %acc, %v : f32
      scf.yield %n : f32
    }
    memref.store %s, %y[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

// Two chains, each a loop and one that reads what it wrote elsewhere
// (partial sums, then their total): the loops are grouped by their depth
// in the chains, two launches instead of four; the second group runs
// after the first, so each total still follows its partials.
// CHECK-LABEL: func.func @grouped_by_depth
// CHECK: scf.parallel
// CHECK-NEXT: scf.parallel
// CHECK: memref.store %{{.+}}, %[[P1:arg2]][
// CHECK: memref.store %{{.+}}, %[[P2:arg4]][
// CHECK: processor = block_x
// CHECK: scf.parallel
// CHECK-NEXT: scf.parallel
// CHECK: memref.load %[[P1]][
// CHECK: memref.load %[[P2]][
// CHECK: processor = block_x
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @grouped_by_depth(%x1: memref<8xf32>, %y1: memref<1xf32>, %p1: memref<8xf32>,
                            %x2: memref<16xf32>, %p2: memref<16xf32>, %y2: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %x1[%i] : memref<8xf32>
    %w = arith.mulf %v, %v : f32
    memref.store %w, %p1[%i] : memref<8xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c1) step (%c1) {
    %s = scf.for %k = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %p1[%k] : memref<8xf32>
      %n = arith.addf %acc, %v : f32
      scf.yield %n : f32
    }
    memref.store %s, %y1[%i] : memref<1xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    %v = memref.load %x2[%i] : memref<16xf32>
    %w = arith.mulf %v, %v : f32
    memref.store %w, %p2[%i] : memref<16xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c1) step (%c1) {
    %s = scf.for %k = %c0 to %c16 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %p2[%k] : memref<16xf32>
      %n = arith.addf %acc, %v : f32
      scf.yield %n : f32
    }
    memref.store %s, %y2[%i] : memref<1xf32>
    scf.reduce
  }
  return
}
