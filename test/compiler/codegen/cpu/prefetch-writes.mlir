// RUN: cnnc-opt %s --split-input-file --cnn-cpu-prefetch-writes | FileCheck %s

// A block of a training step: a conv's image loop (FMAs in a register
// tile) writes slot k of the z stack, image by image; the batchnorm apply
// after it (no FMAs) writes slot k + 1 of the x stack, whose view is made
// between the two loops. Each conv iteration first asks for every line of
// its next image of z (the last image: itself) and of image n of x's slot
// k + 1, for writing, the two interleaved (4 x 4 pixels x 2 lines of 16
// channels each); the view of slot k + 1 is made again before the conv's
// loop.
// CHECK-LABEL: func.func @block
// CHECK-SAME:    %[[Z:[^:]+]]: memref<3x?x4x4x32xf32>, %[[X:[^:]+]]: memref<4x?x4x4x32xf32>
// CHECK:         %[[ZSLOT:.+]] = memref.subview %[[Z]][%[[K:[^,]+]], 0, 0, 0, 0]
// CHECK:         %[[K1:.+]] = arith.addi %[[K]], %{{.+}} : index
// CHECK:         %[[XSLOT:.+]] = memref.subview %[[X]][%[[K1]], 0, 0, 0, 0]
// CHECK:         scf.parallel (%[[N:.+]]) = (%{{.+}}) to (%[[IMAGES:[^)]+]])
// CHECK:           %[[LAST:.+]] = arith.subi %[[IMAGES]], %{{.+}} : index
// CHECK:           %[[AFTER:.+]] = arith.addi %[[N]], %{{.+}} : index
// CHECK:           %[[NEXT:.+]] = arith.minsi %[[AFTER]], %[[LAST]] : index
// CHECK:           %[[C16:.+]] = arith.constant 16 : index
// CHECK:           scf.for %[[H:.+]] = %{{.+}} to %{{.+}} step
// CHECK:             scf.for %[[W:.+]] = %{{.+}} to %{{.+}} step
// CHECK-NEXT:          memref.prefetch %[[ZSLOT]][%[[NEXT]], %[[H]], %[[W]], %[[C0:[a-z0-9_]+]]], write, locality<3>, data
// CHECK-NEXT:          memref.prefetch %[[XSLOT]][%[[N]], %[[H]], %[[W]], %[[C0]]], write, locality<3>, data
// CHECK-NEXT:          memref.prefetch %[[ZSLOT]][%[[NEXT]], %[[H]], %[[W]], %[[C16]]], write, locality<3>, data
// CHECK-NEXT:          memref.prefetch %[[XSLOT]][%[[N]], %[[H]], %[[W]], %[[C16]]], write, locality<3>, data
// CHECK-NOT:           memref.prefetch
// CHECK:           vector.fma
// The apply's loop itself asks for nothing.
// CHECK:         arith.addi %{{.+}}, %{{.+}} : index
// CHECK:         memref.subview %[[X]]
// CHECK:         scf.parallel
// CHECK-NOT:       memref.prefetch
// CHECK:         return
func.func @block(%z: memref<3x?x4x4x32xf32>, %x: memref<4x?x4x4x32xf32>,
                 %k: index, %w: vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %n = memref.dim %z, %c1 : memref<3x?x4x4x32xf32>
  %zslot = memref.subview %z[%k, 0, 0, 0, 0] [1, %n, 4, 4, 32] [1, 1, 1, 1, 1] : memref<3x?x4x4x32xf32> to memref<?x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>
  %xin = memref.subview %x[%k, 0, 0, 0, 0] [1, %n, 4, 4, 32] [1, 1, 1, 1, 1] : memref<4x?x4x4x32xf32> to memref<?x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %img = memref.subview %zslot[%i, 0, 0, 0] [1, 4, 4, 32] [1, 1, 1, 1] : memref<?x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>> to memref<1x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>
    scf.for %h = %c0 to %c4 step %c1 {
      scf.for %c = %c0 to %c4 step %c1 {
        %a = vector.load %xin[%i, %h, %c, %c0] : memref<?x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>, vector<16xf32>
        %f0 = vector.fma %a, %w, %a : vector<16xf32>
        %f1 = vector.fma %f0, %w, %a : vector<16xf32>
        %f2 = vector.fma %f1, %w, %a : vector<16xf32>
        %f3 = vector.fma %f2, %w, %a : vector<16xf32>
        %f4 = vector.fma %f3, %w, %a : vector<16xf32>
        %f5 = vector.fma %f4, %w, %a : vector<16xf32>
        %f6 = vector.fma %f5, %w, %a : vector<16xf32>
        %f7 = vector.fma %f6, %w, %a : vector<16xf32>
        vector.store %f7, %img[%c0, %h, %c, %c0] : memref<1x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>, vector<16xf32>
        vector.store %f7, %img[%c0, %h, %c, %c16] : memref<1x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>, vector<16xf32>
      }
    }
    scf.reduce
  }
  %k1 = arith.addi %k, %c1 : index
  %xout = memref.subview %x[%k1, 0, 0, 0, 0] [1, %n, 4, 4, 32] [1, 1, 1, 1, 1] : memref<4x?x4x4x32xf32> to memref<?x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %img = memref.subview %xout[%i, 0, 0, 0] [1, 4, 4, 32] [1, 1, 1, 1] : memref<?x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>> to memref<1x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>
    scf.for %h = %c0 to %c4 step %c1 {
      scf.for %c = %c0 to %c4 step %c1 {
        %a = vector.load %zslot[%i, %h, %c, %c0] : memref<?x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>, vector<16xf32>
        %b = arith.addf %a, %w : vector<16xf32>
        vector.store %b, %img[%c0, %h, %c, %c0] : memref<1x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>, vector<16xf32>
        vector.store %b, %img[%c0, %h, %c, %c16] : memref<1x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>, vector<16xf32>
      }
    }
    scf.reduce
  }
  return
}

// -----

// Left alone: a loop without a register tile of FMAs; a loop writing a
// buffer of its own ([4, 36, 32, 32] partials, no stack slot); and a
// streaming loop after it that runs over other images.
// CHECK-LABEL: func.func @alone
// CHECK-NOT:     memref.prefetch
// CHECK:         return
func.func @alone(%z: memref<3x?x4x4x32xf32>, %parts: memref<4x36x32x32xf32>,
                 %x: memref<4x?x4x4x32xf32>, %k: index, %w: vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %n = memref.dim %z, %c1 : memref<3x?x4x4x32xf32>
  %zslot = memref.subview %z[%k, 0, 0, 0, 0] [1, %n, 4, 4, 32] [1, 1, 1, 1, 1] : memref<3x?x4x4x32xf32> to memref<?x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %img = memref.subview %zslot[%i, 0, 0, 0] [1, 4, 4, 32] [1, 1, 1, 1] : memref<?x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>> to memref<1x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>
    %f0 = vector.fma %w, %w, %w : vector<16xf32>
    vector.store %f0, %img[%c0, %c0, %c0, %c0] : memref<1x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>, vector<16xf32>
    scf.reduce
  }
  scf.parallel (%p) = (%c0) to (%c4) step (%c1) {
    %mine = memref.subview %parts[%p, 0, 0, 0] [1, 36, 32, 32] [1, 1, 1, 1] : memref<4x36x32x32xf32> to memref<1x36x32x32xf32, strided<[36864, 1024, 32, 1], offset: ?>>
    %f0 = vector.fma %w, %w, %w : vector<16xf32>
    %f1 = vector.fma %f0, %w, %w : vector<16xf32>
    %f2 = vector.fma %f1, %w, %w : vector<16xf32>
    %f3 = vector.fma %f2, %w, %w : vector<16xf32>
    %f4 = vector.fma %f3, %w, %w : vector<16xf32>
    %f5 = vector.fma %f4, %w, %w : vector<16xf32>
    %f6 = vector.fma %f5, %w, %w : vector<16xf32>
    %f7 = vector.fma %f6, %w, %w : vector<16xf32>
    vector.store %f7, %mine[%c0, %c0, %c0, %c0] : memref<1x36x32x32xf32, strided<[36864, 1024, 32, 1], offset: ?>>, vector<16xf32>
    scf.reduce
  }
  %xout = memref.subview %x[%k, 0, 0, 0, 0] [1, %n, 4, 4, 32] [1, 1, 1, 1, 1] : memref<4x?x4x4x32xf32> to memref<?x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>
  scf.parallel (%i) = (%c0) to (%c2) step (%c1) {
    %img = memref.subview %xout[%i, 0, 0, 0] [1, 4, 4, 32] [1, 1, 1, 1] : memref<?x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>> to memref<1x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>
    vector.store %w, %img[%c0, %c0, %c0, %c0] : memref<1x4x4x32xf32, strided<[512, 128, 32, 1], offset: ?>>, vector<16xf32>
    scf.reduce
  }
  return
}
