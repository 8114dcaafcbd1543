// RUN: cnnc-opt %s --split-input-file --cnn-cpu-lower-vector="cpu=x86-64-v4" | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-cpu-lower-vector="cpu=x86-64-v3" | FileCheck %s --check-prefix=AVX2
// RUN: cnnc-opt %S/Inputs/resblocks-nchw.mlir --cnn-cpu-pipeline | FileCheck %s --check-prefix=LANES

// What the vector lowering leaves must stay cheap for LLVM's instruction
// selection: every op here lands in one basic block.

// The interior of a padded image (a static memref.copy) is copied row by
// row in a loop nest: one 1-D load and store per step, not a load and a
// store per row unrolled into one block.
// CHECK-LABEL: func.func @pad_copy
//   CHECK-NOT:   memref.copy
//       CHECK:   scf.for
//       CHECK:     scf.for
//       CHECK:       scf.for
//       CHECK:         %[[ROW:.+]] = vector.load %{{.*}} : memref<1x4x16x16xf32>, vector<16xf32>
//  CHECK-NEXT:         vector.store %[[ROW]], %{{.*}} : memref<1x4x16x16xf32, strided<[1296, 324, 18, 1], offset: 19>>, vector<16xf32>
//   CHECK-NOT:   vector.load
//   CHECK-NOT:   vector.store
func.func @pad_copy(%src: memref<1x4x16x16xf32>, %dst: memref<1x4x18x18xf32>) {
  %sub = memref.subview %dst[0, 0, 1, 1] [1, 4, 16, 16] [1, 1, 1, 1] : memref<1x4x18x18xf32> to memref<1x4x16x16xf32, strided<[1296, 324, 18, 1], offset: 19>>
  memref.copy %src, %sub : memref<1x4x16x16xf32> to memref<1x4x16x16xf32, strided<[1296, 324, 18, 1], offset: 19>>
  return
}

// -----

// Long rows go in pieces of at most four vector registers (AVX-512: 64).
// CHECK-LABEL: func.func @long_rows
//   CHECK-DAG:   %[[C64:.+]] = arith.constant 64 : index
//   CHECK-DAG:   %[[C192:.+]] = arith.constant 192 : index
//       CHECK:   scf.for
//       CHECK:     scf.for %[[J:.+]] = %{{.+}} to %[[C192]] step %[[C64]]
//       CHECK:       vector.load {{.*}} : memref<2x192xf32>, vector<64xf32>
// AVX2-LABEL: func.func @long_rows
//       AVX2:       vector.load {{.*}} : memref<2x192xf32>, vector<32xf32>
func.func @long_rows(%src: memref<2x192xf32>, %dst: memref<2x256xf32>) {
  %sub = memref.subview %dst[0, 0] [2, 192] [1, 1] : memref<2x256xf32> to memref<2x192xf32, strided<[256, 1]>>
  memref.copy %src, %sub : memref<2x192xf32> to memref<2x192xf32, strided<[256, 1]>>
  return
}

// -----

// A copy of a whole batch (a repeated block's input, read from the stack
// its loop saves): the batch's loop bound is the source's size, the rows
// go by vector pieces as above, where a linalg.copy's loops copied one
// float a step.
// CHECK-LABEL: func.func @batch_copy
//  CHECK-SAME:   (%[[SRC:.+]]: memref<?x3x3x32xf32, strided<[288, 96, 32, 1], offset: ?>>, %[[DST:.+]]: memref<?x3x3x32xf32>)
//   CHECK-NOT:   memref.copy
//   CHECK-NOT:   linalg.copy
//       CHECK:   %[[N:.+]] = memref.dim %[[SRC]], %c0
//       CHECK:   scf.for %{{.+}} = %c0 to %[[N]] step %c1
//       CHECK:     scf.for
//       CHECK:       scf.for
//       CHECK:         %[[ROW:.+]] = vector.load %[[SRC]]{{.*}} vector<32xf32>
//  CHECK-NEXT:         vector.store %[[ROW]], %[[DST]]
func.func @batch_copy(%src: memref<?x3x3x32xf32, strided<[288, 96, 32, 1], offset: ?>>, %dst: memref<?x3x3x32xf32>) {
  memref.copy %src, %dst : memref<?x3x3x32xf32, strided<[288, 96, 32, 1], offset: ?>> to memref<?x3x3x32xf32>
  return
}

// -----

// A whole contiguous buffer copied outside every loop (the training step's
// gradients into the replica exchange's buffer and back into the arena)
// stays one memref.copy (llvm.memcpy): row loops of every parameter, which
// LLVM unrolls, made one basic block growing with the network. Inside a
// loop the same copy goes by rows.
// CHECK-LABEL: func.func @whole_copies
//       CHECK:   memref.copy %{{.*}} : memref<32x32xf32> to memref<32x32xf32, strided<[32, 1], offset: 1056>>
//       CHECK:   scf.for
//   CHECK-NOT:     memref.copy
//       CHECK:     vector.load {{.*}} : memref<32x32xf32>, vector<32xf32>
func.func @whole_copies(%src: memref<32x32xf32>, %buf: memref<2080xf32>, %n: index) {
  %view = memref.reinterpret_cast %buf to offset: [1056], sizes: [32, 32], strides: [32, 1] : memref<2080xf32> to memref<32x32xf32, strided<[32, 1], offset: 1056>>
  memref.copy %src, %view : memref<32x32xf32> to memref<32x32xf32, strided<[32, 1], offset: 1056>>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    memref.copy %src, %view : memref<32x32xf32> to memref<32x32xf32, strided<[32, 1], offset: 1056>>
  }
  return
}

// -----

// A conv step: the filter column splat along the row (the vectorizer's
// broadcast + transpose) becomes one splat per output channel, not a
// shuffle of the flattened 8x32 tile.
// CHECK-LABEL: func.func @filter_splat
//   CHECK-NOT:   vector.shuffle
//   CHECK-NOT:   vector.transpose
//       CHECK:   %[[F0:.+]] = vector.extract %{{.*}}[0] : f32 from vector<8xf32>
//       CHECK:   vector.broadcast %[[F0]] : f32 to vector<32xf32>
//   CHECK-NOT:   vector.shuffle
//       CHECK:   arith.mulf {{.*}} : vector<8x32xf32>
func.func @filter_splat(%f: vector<8xf32>, %row: vector<32xf32>, %acc: vector<8x32xf32>) -> vector<8x32xf32> {
  %b = vector.broadcast %f : vector<8xf32> to vector<32x8xf32>
  %t = vector.transpose %b, [1, 0] : vector<32x8xf32> to vector<8x32xf32>
  %r = vector.broadcast %row : vector<32xf32> to vector<8x32xf32>
  %m = arith.mulf %r, %t : vector<8x32xf32>
  %s = arith.addf %acc, %m : vector<8x32xf32>
  return %s : vector<8x32xf32>
}

// -----

// A transpose that reorders the broadcast source's own dims is a real
// transpose: result[i, j, k] = v[k, i].
// CHECK-LABEL: func.func @source_permuted
//       CHECK:   %[[E:.+]] = vector.extract %{{.*}}[0, 1] : f32 from vector<2x4xf32>
//  CHECK-NEXT:   vector.insert %[[E]], %{{.*}} [1, 0, 0] : f32 into vector<4x3x2xf32>
func.func @source_permuted(%v: vector<2x4xf32>) -> vector<4x3x2xf32> {
  %b = vector.broadcast %v : vector<2x4xf32> to vector<3x2x4xf32>
  %t = vector.transpose %b, [2, 0, 1] : vector<3x2x4xf32> to vector<4x3x2xf32>
  return %t : vector<4x3x2xf32>
}

// Two residual blocks through the whole pipeline (no pooling; 12 channels:
// NCHW convs, which the strategy keeps for too few channels): no LLVM
// vector of 64 lanes or more, no shuffle at all.
// LANES-LABEL: llvm.func @forward(
//   LANES-NOT:   vector<{{(6[4-9]|[7-9][0-9]|[1-9][0-9][0-9]+)}}x
//   LANES-NOT:   llvm.shufflevector
//       LANES: llvm.func @_mlir_ciface_forward(

// -----

// A reduction over a few trailing elements (a pooling window's columns):
// one deinterleaving shuffle per window column, combined elementwise with
// the accumulator; no per-element reductions, no extracts.
// CHECK-LABEL: func.func @window_columns
// CHECK-NOT:   vector.reduction
// CHECK:       %[[EVEN:.+]] = vector.shuffle %[[FLAT:.+]], %[[FLAT]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22] : vector<24xf32>, vector<24xf32>
// CHECK:       %[[M0:.+]] = arith.maximumf %[[A:.+]], %[[EVEN]] : vector<12xf32>
// CHECK:       %[[ODD:.+]] = vector.shuffle %[[FLAT]], %[[FLAT]] [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23] : vector<24xf32>, vector<24xf32>
// CHECK:       %[[M1:.+]] = arith.maximumf %[[M0]], %[[ODD]] : vector<12xf32>
// CHECK-NOT:   vector.reduction
// CHECK:       return
func.func @window_columns(%v: vector<4x3x2xf32>, %acc: vector<4x3xf32>) -> vector<4x3xf32> {
  %r = vector.multi_reduction <maximumf>, %v, %acc [2] : vector<4x3x2xf32> to vector<4x3xf32>
  return %r : vector<4x3xf32>
}

// -----

// A max-pool gradient over NCHW images: the 2x2 window's two columns are
// the innermost vector dimension, contiguous with the windows of the row.
// Every op runs on rows of 3 windows x 2 columns (vector<4x6>), read and
// written through the memref with those two dims collapsed; the window's
// maximum is spread over its columns by one shuffle per row, the column
// index pattern is one shuffle too. No op is left on 2-float vectors.
// CHECK-LABEL: func.func @window_rows
//       CHECK:   %[[X:.+]] = memref.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : memref<4x3x2xf32, strided<[36, 2, 1], offset: ?>> into memref<4x6xf32, strided<[36, 1], offset: ?>>
//       CHECK:   vector.load %[[X]][%{{.*}}, %{{.*}}] : memref<4x6xf32, strided<[36, 1], offset: ?>>, vector<6xf32>
//       CHECK:   %[[M:.+]] = vector.load %{{.*}} : memref<4x3xf32, strided<[9, 1], offset: ?>>, vector<3xf32>
//       CHECK:   vector.shuffle %[[M]], %[[M]] [0, 0, 1, 1, 2, 2] : vector<3xf32>, vector<3xf32>
//       CHECK:   vector.shuffle %{{.*}}, %{{.*}} [0, 1, 0, 1, 0, 1] : vector<2xf32>, vector<2xf32>
//       CHECK:   %[[EQ:.+]] = arith.cmpf oeq, %{{.*}}, %{{.*}} : vector<4x6xf32>
//       CHECK:   arith.select %[[EQ]], %{{.*}}, %{{.*}} : vector<4x6xi1>, vector<4x6xf32>
//       CHECK:   %[[OUT:.+]] = memref.collapse_shape %{{.*}} {{\[}}[0], [1, 2]]
//       CHECK:   vector.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}] : memref<4x6xf32, strided<[36, 1], offset: ?>>, vector<6xf32>
//   CHECK-NOT:   vector<4x3x2x
//   CHECK-NOT:   vector<2xf32>, memref
//       CHECK:   return
func.func @window_rows(%x: memref<4x3x2xf32, strided<[36, 2, 1], offset: ?>>,
                       %m: memref<4x3xf32, strided<[9, 1], offset: ?>>,
                       %dy: memref<4x3xf32, strided<[9, 1], offset: ?>>,
                       %out: memref<4x3x2xf32, strided<[36, 2, 1], offset: ?>>,
                       %j: index) {
  %pad = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<4x3x2xf32>
  %c0 = arith.constant 0 : index
  %xv = vector.transfer_read %x[%c0, %c0, %c0], %pad {in_bounds = [true, true, true]} : memref<4x3x2xf32, strided<[36, 2, 1], offset: ?>>, vector<4x3x2xf32>
  %mv = vector.transfer_read %m[%c0, %c0], %pad {in_bounds = [true, true]} : memref<4x3xf32, strided<[9, 1], offset: ?>>, vector<4x3xf32>
  %mb = vector.broadcast %mv : vector<4x3xf32> to vector<2x4x3xf32>
  %mt = vector.transpose %mb, [1, 2, 0] : vector<2x4x3xf32> to vector<4x3x2xf32>
  %dv = vector.transfer_read %dy[%c0, %c0], %pad {in_bounds = [true, true]} : memref<4x3xf32, strided<[9, 1], offset: ?>>, vector<4x3xf32>
  %db = vector.broadcast %dv : vector<4x3xf32> to vector<2x4x3xf32>
  %dt = vector.transpose %db, [1, 2, 0] : vector<2x4x3xf32> to vector<4x3x2xf32>
  %step = vector.step : vector<2xindex>
  %jb = vector.broadcast %j : index to vector<2xindex>
  %col = arith.addi %jb, %step : vector<2xindex>
  %coli = arith.index_cast %col : vector<2xindex> to vector<2xi32>
  %colf = arith.sitofp %coli : vector<2xi32> to vector<2xf32>
  %cb = vector.broadcast %colf : vector<2xf32> to vector<4x3x2xf32>
  %eq = arith.cmpf oeq, %xv, %mt : vector<4x3x2xf32>
  %g = arith.select %eq, %dt, %zero : vector<4x3x2xi1>, vector<4x3x2xf32>
  %g2 = arith.addf %g, %cb : vector<4x3x2xf32>
  vector.transfer_write %g2, %out[%c0, %c0, %c0] {in_bounds = [true, true, true]} : vector<4x3x2xf32>, memref<4x3x2xf32, strided<[36, 2, 1], offset: ?>>
  return
}

// -----

// The window's sum read from memory: each row's even and odd columns.
// CHECK-LABEL: func.func @window_sums
//   CHECK-NOT:   vector.reduction
//       CHECK:   %[[ROW:.+]] = vector.load %{{.*}} : memref<4x6xf32, strided<[36, 1], offset: ?>>, vector<6xf32>
//       CHECK:   vector.shuffle %[[ROW]], %[[ROW]] [0, 2, 4] : vector<6xf32>, vector<6xf32>
//       CHECK:   vector.shuffle %[[ROW]], %[[ROW]] [1, 3, 5] : vector<6xf32>, vector<6xf32>
//   CHECK-NOT:   vector.reduction
//       CHECK:   return
func.func @window_sums(%x: memref<4x3x2xf32, strided<[36, 2, 1], offset: ?>>, %acc: vector<4x3xf32>) -> vector<4x3xf32> {
  %pad = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %xv = vector.transfer_read %x[%c0, %c0, %c0], %pad {in_bounds = [true, true, true]} : memref<4x3x2xf32, strided<[36, 2, 1], offset: ?>>, vector<4x3x2xf32>
  %r = vector.multi_reduction <add>, %xv, %acc [2] : vector<4x3x2xf32> to vector<4x3xf32>
  return %r : vector<4x3xf32>
}

// -----

// A load of a stack buffer wider than a register, from a buffer written in
// narrower pieces (rows of 3): register-sized loads. LLVM 22's SROA would
// merge the stores that fill the slice of one wide load into invalid IR
// (SplitWideStackLoad). A buffer written as wide as it is read, and a heap
// buffer, keep their wide loads.
// CHECK-LABEL: func.func @stack_row
//       CHECK:   %[[BUF:.+]] = memref.alloca() {{.*}} : memref<144xf32>
//       CHECK:   %[[WIDE:.+]] = memref.alloca() {{.*}} : memref<96xf32>
//       CHECK:   %[[P0:.+]] = vector.load %[[BUF]][%{{.*}}] : memref<144xf32>, vector<16xf32>
//       CHECK:   vector.insert_strided_slice %[[P0]], %{{.*}} {offsets = [0], strides = [1]} : vector<16xf32> into vector<48xf32>
//       CHECK:   vector.load %[[BUF]][%{{.*}}] : memref<144xf32>, vector<16xf32>
//       CHECK:   vector.load %[[BUF]][%{{.*}}] : memref<144xf32>, vector<16xf32>
//   CHECK-NOT:   vector.load %[[BUF]]
//       CHECK:   vector.load %[[WIDE]][%{{.*}}] : memref<96xf32>, vector<48xf32>
//       CHECK:   vector.load %{{.*}} : memref<144xf32>, vector<48xf32>
// AVX2-LABEL:  func.func @stack_row
// AVX2-COUNT-6: vector.load %{{.*}} : memref<144xf32>, vector<8xf32>
// AVX2:         vector.load %{{.*}} : memref<96xf32>, vector<48xf32>
// AVX2:         vector.load %{{.*}} : memref<144xf32>, vector<48xf32>
func.func @stack_row(%i: index, %row: vector<3xf32>, %all: vector<48xf32>) -> (vector<48xf32>, vector<48xf32>, vector<48xf32>) {
  %c0 = arith.constant 0 : index
  %buf = memref.alloca() {alignment = 64 : i64} : memref<144xf32>
  %wide = memref.alloca() {alignment = 64 : i64} : memref<96xf32>
  %heap = memref.alloc() {alignment = 64 : i64} : memref<144xf32>
  vector.store %row, %buf[%i] : memref<144xf32>, vector<3xf32>
  vector.store %all, %wide[%i] : memref<96xf32>, vector<48xf32>
  vector.store %row, %heap[%i] : memref<144xf32>, vector<3xf32>
  %a = vector.load %buf[%c0] : memref<144xf32>, vector<48xf32>
  %w = vector.load %wide[%c0] : memref<96xf32>, vector<48xf32>
  %b = vector.load %heap[%c0] : memref<144xf32>, vector<48xf32>
  memref.dealloc %heap : memref<144xf32>
  return %a, %w, %b : vector<48xf32>, vector<48xf32>, vector<48xf32>
}

// -----

// A channel-lane conv step: each input value of the row is splat across
// the output channels. The row is read as one scalar load per value (a
// broadcast from memory after LLVM), not as a vector whose lanes are then
// extracted one by one (a shuffle per lane). A load that is also used
// whole stays a vector load.
// CHECK-LABEL: func.func @row_splats(
//  CHECK-SAME:   %[[ROW:[a-z0-9]+]]: memref<16xf32>, %[[I:[a-z0-9]+]]: index
//   CHECK-NOT:   vector.load
//   CHECK-DAG:   %[[X0:.+]] = memref.load %[[ROW]][%[[I]]] : memref<16xf32>
//   CHECK-DAG:   %[[I1:.+]] = arith.addi %[[I]], %c1 : index
//   CHECK-DAG:   %[[X1:.+]] = memref.load %[[ROW]][%[[I1]]] : memref<16xf32>
//   CHECK-DAG:   vector.broadcast %[[X0]] : f32 to vector<8xf32>
//   CHECK-DAG:   vector.broadcast %[[X1]] : f32 to vector<8xf32>
//   CHECK-NOT:   vector.load
//       CHECK:   return
func.func @row_splats(%row: memref<16xf32>, %i: index, %f: vector<8xf32>) -> (vector<8xf32>, vector<8xf32>) {
  %v = vector.load %row[%i] : memref<16xf32>, vector<2xf32>
  %x0 = vector.extract %v[0] : f32 from vector<2xf32>
  %x1 = vector.extract %v[1] : f32 from vector<2xf32>
  %b0 = vector.broadcast %x0 : f32 to vector<8xf32>
  %b1 = vector.broadcast %x1 : f32 to vector<8xf32>
  %m0 = arith.mulf %b0, %f : vector<8xf32>
  %m1 = arith.mulf %b1, %f : vector<8xf32>
  return %m0, %m1 : vector<8xf32>, vector<8xf32>
}

// CHECK-LABEL: func.func @row_used_whole
//       CHECK:   %[[V:.+]] = vector.load
//       CHECK:   vector.extract %[[V]][0]
func.func @row_used_whole(%row: memref<16xf32>, %i: index) -> (f32, vector<2xf32>) {
  %v = vector.load %row[%i] : memref<16xf32>, vector<2xf32>
  %x0 = vector.extract %v[0] : f32 from vector<2xf32>
  return %x0, %v : f32, vector<2xf32>
}

// -----

// A channels-last conv tile back to NCHW (14 columns x 4 channels -> 4 x
// 14): 4x4 blocks of two-source shuffles (unpack low/high, then halves),
// each result row joined from its blocks (4 + 4 + 4 + 2 values), not one
// shuffle of the flattened 56 values.
// CHECK-LABEL: func.func @channels_to_rows
//   CHECK-NOT:   vector<56xf32>
//       CHECK:   vector.shuffle %{{.+}}, %{{.+}} [0, 4, 1, 5] : vector<4xf32>, vector<4xf32>
//       CHECK:   vector.shuffle %{{.+}}, %{{.+}} [2, 6, 3, 7] : vector<4xf32>, vector<4xf32>
//       CHECK:   vector.shuffle %{{.+}}, %{{.+}} [0, 1, 4, 5] : vector<4xf32>, vector<4xf32>
//       CHECK:   vector.shuffle %{{.+}}, %{{.+}} [2, 3, 6, 7] : vector<4xf32>, vector<4xf32>
//       CHECK:   vector.shuffle %{{.+}}, %{{.+}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] : vector<12xf32>, vector<4xf32>
//   CHECK-NOT:   vector<56xf32>
//       CHECK:   return
func.func @channels_to_rows(%t: vector<1x14x4xf32>) -> vector<1x4x14xf32> {
  %r = vector.transpose %t, [0, 2, 1] : vector<1x14x4xf32> to vector<1x4x14xf32>
  return %r : vector<1x4x14xf32>
}

// -----

// A padded NCHW row into NHWC (8 channels x 6 columns -> 6 x 8): the last
// block of each row takes its 2 remaining columns and zeros, and only
// those 2 of its 4 transposed rows are kept.
// CHECK-LABEL: func.func @ragged_columns
//   CHECK-NOT:   vector<48xf32>
//       CHECK:   vector.extract_strided_slice %{{.+}} {offsets = [4], sizes = [2], strides = [1]} : vector<6xf32> to vector<2xf32>
//       CHECK:   vector.shuffle %{{.+}}, %{{.+}} [0, 1, 2, 2] : vector<2xf32>, vector<4xf32>
//   CHECK-NOT:   vector<48xf32>
//       CHECK:   return
func.func @ragged_columns(%t: vector<1x8x6xf32>) -> vector<1x6x8xf32> {
  %r = vector.transpose %t, [0, 2, 1] : vector<1x8x6xf32> to vector<1x6x8xf32>
  return %r : vector<1x6x8xf32>
}

// -----

// One step of a linear layer's weight gradient (out[i, j] += dy[n, i] *
// x[n, j], one row i, the batch n outermost): the vectorizer's product has
// the batch as a trailing unit dim, vector<1x16x1>, which would lower to
// one scalar multiply per lane. Without the unit dims it is one splat and
// one vector multiply-add.
// CHECK-LABEL: func.func @outer_product_row
//   CHECK-NOT:   vector<16x1xf32>
//       CHECK:   %[[P:.+]] = arith.mulf %{{.+}}, %{{.+}} : vector<16xf32>
//       CHECK:   arith.addf %{{.+}}, %[[P]] : vector<16xf32>
//   CHECK-NOT:   vector<16x1xf32>
//       CHECK:   return
func.func @outer_product_row(%dy: memref<1x1xf32>, %x: memref<1x16xf32>, %out: memref<1x16xf32>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %g = vector.transfer_read %dy[%c0, %c0], %pad {in_bounds = [true, true]} : memref<1x1xf32>, vector<1x1xf32>
  %gs = vector.broadcast %g : vector<1x1xf32> to vector<1x16x1xf32>
  %xr = vector.transfer_read %x[%c0, %c0], %pad {in_bounds = [true, true]} : memref<1x16xf32>, vector<1x16xf32>
  %xb = vector.broadcast %xr : vector<1x16xf32> to vector<1x1x16xf32>
  %xt = vector.transpose %xb, [0, 2, 1] : vector<1x1x16xf32> to vector<1x16x1xf32>
  %acc = vector.transfer_read %out[%c0, %c0], %pad {in_bounds = [true, true]} : memref<1x16xf32>, vector<1x16xf32>
  %p = arith.mulf %gs, %xt : vector<1x16x1xf32>
  %p2 = vector.shape_cast %p : vector<1x16x1xf32> to vector<1x16xf32>
  %sum = arith.addf %acc, %p2 : vector<1x16xf32>
  vector.transfer_write %sum, %out[%c0, %c0] {in_bounds = [true, true]} : vector<1x16xf32>, memref<1x16xf32>
  return
}
