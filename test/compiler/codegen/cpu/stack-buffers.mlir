// RUN: cnnc-opt %s --split-input-file --cnn-cpu-stack-buffers | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-cpu-stack-buffers="max-buffer-bytes=1024" | FileCheck %s --check-prefix=SMALL

// A row-tile temporary inside the tile loops of one image becomes one
// stack buffer at the top of the image's parallel iteration (one per
// thread); its free goes. A padded image that the deallocation pipeline
// left without a free (an scf.forall body) goes to the stack too; with a
// smaller limit it stays on the heap and is freed at the end of its block.

// CHECK-LABEL: func.func @tiles
// CHECK:       scf.parallel
// CHECK-DAG:     %[[PAD:.+]] = memref.alloca() {alignment = 64 : i64} : memref<1x8x18x18xf32>
// CHECK-DAG:     %[[TILE:.+]] = memref.alloca() {alignment = 64 : i64} : memref<8x16xf32>
// CHECK-NOT:     memref.alloc(
// CHECK-NOT:     memref.alloc()
// CHECK:         scf.for
// CHECK:           linalg.fill ins(%{{.*}} : f32) outs(%[[TILE]] : memref<8x16xf32>)
// CHECK-NOT:     memref.dealloc

// SMALL-LABEL: func.func @tiles
// SMALL:       scf.parallel
// SMALL-NEXT:    %[[TILE:.+]] = memref.alloca() {alignment = 64 : i64} : memref<8x16xf32>
// SMALL-NEXT:    %[[PAD:.+]] = memref.alloc() {alignment = 64 : i64} : memref<1x8x18x18xf32>
// SMALL:         memref.dealloc %[[PAD]]
// SMALL-NEXT:    scf.reduce
func.func @tiles(%out: memref<?x8x16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %out, %c0 : memref<?x8x16x16xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %pad = memref.alloc() {alignment = 64 : i64} : memref<1x8x18x18xf32>
    linalg.fill ins(%zero : f32) outs(%pad : memref<1x8x18x18xf32>)
    scf.for %r = %c0 to %c16 step %c1 {
      %tile = memref.alloc() {alignment = 64 : i64} : memref<8x16xf32>
      linalg.fill ins(%zero : f32) outs(%tile : memref<8x16xf32>)
      %dst = memref.subview %out[%i, 0, %r, 0] [1, 8, 1, 16] [1, 1, 1, 1]
          : memref<?x8x16x16xf32> to memref<8x16xf32, strided<[256, 1], offset: ?>>
      memref.copy %tile, %dst : memref<8x16xf32> to memref<8x16xf32, strided<[256, 1], offset: ?>>
      memref.dealloc %tile : memref<8x16xf32>
    }
    scf.reduce
  }
  return
}

// -----

// A buffer that leaves its block (yielded by a loop) or has a dynamic size
// stays as it is.
// CHECK-LABEL: func.func @escapes
// CHECK:       memref.alloc() {{.*}} : memref<16xf32>
// CHECK:       memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK-NOT:   memref.alloca
func.func @escapes(%n: index) -> memref<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %init = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%it = %init) -> (memref<16xf32>) {
    scf.yield %it : memref<16xf32>
  }
  %dyn = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %dyn : memref<?xf32>
  return %r : memref<16xf32>
}

// -----

// Run again after scf-to-openmp: a buffer the first run left on the heap
// (over the scope's stack budget) inside an OpenMP loop stays on the heap,
// one per iteration. On the function's stack the threads would share it.
// CHECK-LABEL: func.func @openmp
// CHECK-NOT:   memref.alloca
// CHECK:       omp.parallel
// CHECK:         omp.wsloop
// CHECK:           memref.alloc() {alignment = 64 : i64} : memref<8x16xf32>
// CHECK:           memref.dealloc
func.func @openmp(%out: memref<?x8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %out, %c0 : memref<?x8x16xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        %tile = memref.alloc() {alignment = 64 : i64} : memref<8x16xf32>
        linalg.fill ins(%zero : f32) outs(%tile : memref<8x16xf32>)
        %dst = memref.subview %out[%i, 0, 0] [1, 8, 16] [1, 1, 1]
            : memref<?x8x16xf32> to memref<8x16xf32, strided<[16, 1], offset: ?>>
        memref.copy %tile, %dst : memref<8x16xf32> to memref<8x16xf32, strided<[16, 1], offset: ?>>
        memref.dealloc %tile : memref<8x16xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
