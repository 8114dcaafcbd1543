// RUN: cnnc-opt %s --pass-pipeline='builtin.module(func.func(cnn-gpu-fold-padding))' | FileCheck %s

// A bufferized tensor.pad (an image filled with the pad value, the source
// copied into its interior) read by a convolution: the reads become reads
// of the source at the index less the padding, the pad value outside its
// bounds (unsigned compares: below 0 is outside too), and the fill, the
// copy and the image go. Dimensions without padding (the batch, the
// channels) are neither shifted nor checked.

// CHECK-LABEL: func.func @conv_reads_source
// CHECK-SAME: (%[[SRC:[a-z0-9_]+]]: memref<?x2x4x4xf32>, %[[W:[a-z0-9_]+]]: memref<3x2x3x3xf32>, %[[OUT:[a-z0-9_]+]]: memref<?x3x4x4xf32>)
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.subview
// CHECK: scf.parallel (%[[N:[a-z0-9_]+]], %[[F:[a-z0-9_]+]], %[[H:[a-z0-9_]+]], %[[X:[a-z0-9_]+]]) =
// CHECK: scf.for %[[C:[a-z0-9_]+]] =
// CHECK: scf.for %[[KH:[a-z0-9_]+]] =
// CHECK: scf.for %[[KW:[a-z0-9_]+]] =
// CHECK: %[[PH:[a-z0-9_]+]] = arith.addi %[[H]], %[[KH]] : index
// CHECK: %[[PW:[a-z0-9_]+]] = arith.addi %[[X]], %[[KW]] : index
// CHECK: %[[ONE:[a-z0-9_]+]] = arith.constant 1 : index
// CHECK: %[[SH:[a-z0-9_]+]] = arith.subi %[[PH]], %[[ONE]] : index
// CHECK: %[[FOUR:[a-z0-9_]+]] = arith.constant 4 : index
// CHECK: %[[INH:[a-z0-9_]+]] = arith.cmpi ult, %[[SH]], %[[FOUR]] : index
// CHECK: %[[ONE2:[a-z0-9_]+]] = arith.constant 1 : index
// CHECK: %[[SW:[a-z0-9_]+]] = arith.subi %[[PW]], %[[ONE2]] : index
// CHECK: %[[FOUR2:[a-z0-9_]+]] = arith.constant 4 : index
// CHECK: %[[INW:[a-z0-9_]+]] = arith.cmpi ult, %[[SW]], %[[FOUR2]] : index
// CHECK: %[[IN:[a-z0-9_]+]] = arith.andi %[[INH]], %[[INW]] : i1
// CHECK: %[[V:[a-z0-9_]+]] = scf.if %[[IN]] -> (f32) {
// CHECK-NEXT: %[[L:[a-z0-9_]+]] = memref.load %[[SRC]][%[[N]], %[[C]], %[[SH]], %[[SW]]] : memref<?x2x4x4xf32>
// CHECK-NEXT: scf.yield %[[L]] : f32
// CHECK-NEXT: } else {
// CHECK-NEXT: %[[PAD:[a-z0-9_]+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: scf.yield %[[PAD]] : f32
// CHECK: memref.load %[[W]]
// CHECK-NOT: memref.load
// CHECK: memref.store %{{.+}}, %[[OUT]]
func.func @conv_reads_source(%src: memref<?x2x4x4xf32>, %w: memref<3x2x3x3xf32>, %out: memref<?x3x4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %src, %c0 : memref<?x2x4x4xf32>
  %padded = memref.alloc(%n) : memref<?x2x6x6xf32>
  scf.parallel (%a, %b, %h, %x) = (%c0, %c0, %c0, %c0) to (%n, %c2, %c6, %c6) step (%c1, %c1, %c1, %c1) {
    memref.store %zero, %padded[%a, %b, %h, %x] : memref<?x2x6x6xf32>
    scf.reduce
  }
  %interior = memref.subview %padded[0, 0, 1, 1] [%n, 2, 4, 4] [1, 1, 1, 1] : memref<?x2x6x6xf32> to memref<?x2x4x4xf32, strided<[72, 36, 6, 1], offset: 7>>
  scf.parallel (%a, %b, %h, %x) = (%c0, %c0, %c0, %c0) to (%n, %c2, %c4, %c4) step (%c1, %c1, %c1, %c1) {
    %v = memref.load %src[%a, %b, %h, %x] : memref<?x2x4x4xf32>
    memref.store %v, %interior[%a, %b, %h, %x] : memref<?x2x4x4xf32, strided<[72, 36, 6, 1], offset: 7>>
    scf.reduce
  }
  scf.parallel (%a, %f, %h, %x) = (%c0, %c0, %c0, %c0) to (%n, %c3, %c4, %c4) step (%c1, %c1, %c1, %c1) {
    %sum = scf.for %c = %c0 to %c2 step %c1 iter_args(%s0 = %zero) -> (f32) {
      %s1 = scf.for %kh = %c0 to %c3 step %c1 iter_args(%t0 = %s0) -> (f32) {
        %s2 = scf.for %kw = %c0 to %c3 step %c1 iter_args(%u0 = %t0) -> (f32) {
          %ph = arith.addi %h, %kh : index
          %pw = arith.addi %x, %kw : index
          %i = memref.load %padded[%a, %c, %ph, %pw] : memref<?x2x6x6xf32>
          %k = memref.load %w[%f, %c, %kh, %kw] : memref<3x2x3x3xf32>
          %p = arith.mulf %i, %k : f32
          %u1 = arith.addf %u0, %p : f32
          scf.yield %u1 : f32
        }
        scf.yield %s2 : f32
      }
      scf.yield %s1 : f32
    }
    memref.store %sum, %out[%a, %f, %h, %x] : memref<?x3x4x4xf32>
    scf.reduce
  }
  return
}

// A dimension of one is indexed by the constant 0 after canonicalization;
// the pad value is the fill's (here -inf), and a padding only after the
// interior checks the upper bound alone (no subtraction).
// CHECK-LABEL: func.func @unit_channel_high_padding
// CHECK-SAME: (%[[SRC:[a-z0-9_]+]]: memref<2x1x3xf32>, %[[OUT:[a-z0-9_]+]]: memref<2x1x5xf32>)
// CHECK-NOT: memref.alloc
// CHECK: scf.parallel (%[[A:[a-z0-9_]+]], %[[X:[a-z0-9_]+]]) =
// CHECK-NOT: arith.subi
// CHECK: %[[IN:[a-z0-9_]+]] = arith.cmpi ult, %[[X]], %{{.+}} : index
// CHECK: scf.if %[[IN]] -> (f32) {
// CHECK-NEXT: memref.load %[[SRC]][%[[A]], %{{.+}}, %[[X]]] : memref<2x1x3xf32>
// CHECK: arith.constant 0xFF800000 : f32
func.func @unit_channel_high_padding(%src: memref<2x1x3xf32>, %out: memref<2x1x5xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %ninf = arith.constant 0xFF800000 : f32
  %padded = memref.alloc() : memref<2x1x5xf32>
  scf.parallel (%a, %x) = (%c0, %c0) to (%c2, %c5) step (%c1, %c1) {
    memref.store %ninf, %padded[%a, %c0, %x] : memref<2x1x5xf32>
    scf.reduce
  }
  %interior = memref.subview %padded[0, 0, 0] [2, 1, 3] [1, 1, 1] : memref<2x1x5xf32> to memref<2x1x3xf32, strided<[5, 5, 1]>>
  scf.parallel (%a, %x) = (%c0, %c0) to (%c2, %c3) step (%c1, %c1) {
    %v = memref.load %src[%a, %c0, %x] : memref<2x1x3xf32>
    memref.store %v, %interior[%a, %c0, %x] : memref<2x1x3xf32, strided<[5, 5, 1]>>
    scf.reduce
  }
  scf.parallel (%a, %x) = (%c0, %c0) to (%c2, %c5) step (%c1, %c1) {
    %v = memref.load %padded[%a, %c0, %x] : memref<2x1x5xf32>
    memref.store %v, %out[%a, %c0, %x] : memref<2x1x5xf32>
    scf.reduce
  }
  return
}

// The source is written after the copy and before the read: the copy kept
// the old values, so the image stays.
// CHECK-LABEL: func.func @source_written_in_between
// CHECK: memref.alloc
// CHECK: memref.subview
// CHECK: memref.load %{{.+}} : memref<6xf32>
func.func @source_written_in_between(%src: memref<4xf32>, %out: memref<6xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %padded = memref.alloc() : memref<6xf32>
  scf.parallel (%x) = (%c0) to (%c6) step (%c1) {
    memref.store %zero, %padded[%x] : memref<6xf32>
    scf.reduce
  }
  %interior = memref.subview %padded[1] [4] [1] : memref<6xf32> to memref<4xf32, strided<[1], offset: 1>>
  scf.parallel (%x) = (%c0) to (%c4) step (%c1) {
    %v = memref.load %src[%x] : memref<4xf32>
    memref.store %v, %interior[%x] : memref<4xf32, strided<[1], offset: 1>>
    scf.reduce
  }
  scf.parallel (%x) = (%c0) to (%c4) step (%c1) {
    memref.store %one, %src[%x] : memref<4xf32>
    scf.reduce
  }
  scf.parallel (%x) = (%c0) to (%c6) step (%c1) {
    %v = memref.load %padded[%x] : memref<6xf32>
    memref.store %v, %out[%x] : memref<6xf32>
    scf.reduce
  }
  return
}

// A call between the copy and the read writes the buffers it is given:
// one given the source keeps the image, one given another buffer does not.
// CHECK-LABEL: func.func @calls_in_between
// CHECK: memref.alloc() : memref<6xf32>
// CHECK: call @sum(%{{.+}}) : (memref<4xf32>) -> ()
// CHECK: memref.load %{{.+}} : memref<6xf32>
// CHECK-NOT: memref.alloc
// CHECK: call @sum(%{{.+}}) : (memref<4xf32>) -> ()
// CHECK: scf.if
// CHECK: return
func.func private @sum(memref<4xf32>)
func.func @calls_in_between(%src: memref<4xf32>, %other: memref<4xf32>, %out: memref<6xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<6xf32>
  scf.parallel (%x) = (%c0) to (%c6) step (%c1) {
    memref.store %zero, %padded[%x] : memref<6xf32>
    scf.reduce
  }
  %interior = memref.subview %padded[1] [4] [1] : memref<6xf32> to memref<4xf32, strided<[1], offset: 1>>
  scf.parallel (%x) = (%c0) to (%c4) step (%c1) {
    %v = memref.load %src[%x] : memref<4xf32>
    memref.store %v, %interior[%x] : memref<4xf32, strided<[1], offset: 1>>
    scf.reduce
  }
  call @sum(%src) : (memref<4xf32>) -> ()
  scf.parallel (%x) = (%c0) to (%c6) step (%c1) {
    %v = memref.load %padded[%x] : memref<6xf32>
    memref.store %v, %out[%x] : memref<6xf32>
    scf.reduce
  }
  %padded2 = memref.alloc() : memref<6xf32>
  scf.parallel (%x) = (%c0) to (%c6) step (%c1) {
    memref.store %zero, %padded2[%x] : memref<6xf32>
    scf.reduce
  }
  %interior2 = memref.subview %padded2[1] [4] [1] : memref<6xf32> to memref<4xf32, strided<[1], offset: 1>>
  scf.parallel (%x) = (%c0) to (%c4) step (%c1) {
    %v = memref.load %src[%x] : memref<4xf32>
    memref.store %v, %interior2[%x] : memref<4xf32, strided<[1], offset: 1>>
    scf.reduce
  }
  call @sum(%other) : (memref<4xf32>) -> ()
  scf.parallel (%x) = (%c0) to (%c6) step (%c1) {
    %v = memref.load %padded2[%x] : memref<6xf32>
    memref.store %v, %out[%x] : memref<6xf32>
    scf.reduce
  }
  return
}

// The image is used otherwise (here passed to a call): it stays.
// CHECK-LABEL: func.func @image_escapes
// CHECK: memref.alloc
// CHECK: call @use
func.func private @use(memref<6xf32>)
func.func @image_escapes(%src: memref<4xf32>, %out: memref<6xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<6xf32>
  scf.parallel (%x) = (%c0) to (%c6) step (%c1) {
    memref.store %zero, %padded[%x] : memref<6xf32>
    scf.reduce
  }
  %interior = memref.subview %padded[1] [4] [1] : memref<6xf32> to memref<4xf32, strided<[1], offset: 1>>
  scf.parallel (%x) = (%c0) to (%c4) step (%c1) {
    %v = memref.load %src[%x] : memref<4xf32>
    memref.store %v, %interior[%x] : memref<4xf32, strided<[1], offset: 1>>
    scf.reduce
  }
  call @use(%padded) : (memref<6xf32>) -> ()
  return
}
