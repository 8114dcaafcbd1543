// RUN: cnnc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(cnn-gpu-serial-kernels))' | FileCheck %s

// A loss: a 0-d accumulator filled, a serial sum over the batch, the mean
// computed with the batch size (host arithmetic on a dim). The run of
// loads, stores and the loop becomes a parallel loop of one iteration (a
// one-thread kernel); the dim and its conversion stay on the host. The
// kernel after it reads the mean, which the host loaded: the kernel loads
// it itself, and the host's load goes.

// CHECK-LABEL: func.func @mean
// CHECK: %[[N:.+]] = memref.dim
// CHECK: %[[NF:.+]] = arith.sitofp
// CHECK: scf.parallel (%{{.+}}) = (%c0{{.*}}) to (%c1{{.*}}) step (%c1{{.*}}) {
// CHECK: memref.store %{{.+}}, %[[ACC:.+]][] : memref<f32>
// CHECK: scf.for
// CHECK: arith.divf %{{.+}}, %[[NF]]
// CHECK: memref.store %{{.+}}, %[[ACC]][] : memref<f32>
// CHECK: scf.reduce
// CHECK: scf.parallel (%[[I:.+]]) =
// CHECK-NEXT: %[[MEAN:.+]] = memref.load %[[ACC]][] : memref<f32>
// CHECK: arith.subf %{{.+}}, %[[MEAN]]
// CHECK-NOT: memref.load
// CHECK: return
func.func @mean(%x: memref<?xf32>, %y: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() : memref<f32>
  memref.store %zero, %acc[] : memref<f32>
  %n = memref.dim %x, %c0 : memref<?xf32>
  %init = memref.load %acc[] : memref<f32>
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%s = %init) -> (f32) {
    %v = memref.load %x[%i] : memref<?xf32>
    %t = arith.addf %s, %v : f32
    scf.yield %t : f32
  }
  %ni = arith.index_cast %n : index to i64
  %nf = arith.sitofp %ni : i64 to f32
  %m = arith.divf %sum, %nf : f32
  memref.store %m, %acc[] : memref<f32>
  %mean = memref.load %acc[] : memref<f32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %x[%i] : memref<?xf32>
    %d = arith.subf %v, %mean : f32
    memref.store %d, %y[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

func.func private @sum_over_replicas(memref<?xf32>)

// The replicas' sum writes the buffer between the host's load and the
// kernel that reads the value: the kernel cannot load it itself.
func.func @changed_before_use(%buf: memref<?xf32>, %y: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %v = memref.load %buf[%c0] : memref<?xf32>
  call @sum_over_replicas(%buf) : (memref<?xf32>) -> ()
  // expected-error @below {{a kernel reads a scalar loaded on the host that may change before it runs}}
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    memref.store %v, %y[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

// A value the host itself needs (here: returns) cannot come from a kernel.
func.func @host_needs_it(%buf: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @below {{the host needs this value, which the GPU computes}}
  %s = scf.for %i = %c0 to %c4 step %c1 iter_args(%a = %zero) -> (f32) {
    %v = memref.load %buf[%i] : memref<4xf32>
    %t = arith.addf %a, %v : f32
    scf.yield %t : f32
  }
  // expected-note @below {{used here by func.return}}
  return %s : f32
}
