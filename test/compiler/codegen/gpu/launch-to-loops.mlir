// RUN: cnnc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(cnn-gpu-launch-to-loops))' | FileCheck %s

// --gpu-on-cpu: a gpu.launch runs as six nested loops, blocks z, y, x
// outermost, then threads z, y, x; each id counts down from its size less
// one (the GPU keeps no order: a kernel that needs one then fails here
// too) and each size is the launch's operand. Swapping any two would
// still run every (block, thread) pair of a cube but not of this
// 7x5x3 / 11x13x17 launch. Threads that must meet (barriers) cannot run
// one after another: an error.

// CHECK-LABEL: func.func @launch
// CHECK-SAME: (%[[OUT:.+]]: memref<?xindex>)
// CHECK-DAG: %[[GX:.+]] = arith.constant 7 : index
// CHECK-DAG: %[[GY:.+]] = arith.constant 5 : index
// CHECK-DAG: %[[GZ:.+]] = arith.constant 3 : index
// CHECK-DAG: %[[BX:.+]] = arith.constant 11 : index
// CHECK-DAG: %[[BY:.+]] = arith.constant 13 : index
// CHECK-DAG: %[[BZ:.+]] = arith.constant 17 : index
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1 : index
// CHECK-NOT: gpu.launch
// CHECK: scf.for %[[IBZ:.+]] = %{{.+}} to %[[GZ]]
// CHECK-NEXT: %[[LBZ:.+]] = arith.subi %[[GZ]], %[[ONE]] : index
// CHECK-NEXT: %[[BIDZ:.+]] = arith.subi %[[LBZ]], %[[IBZ]] : index
// CHECK-NEXT: scf.for %[[IBY:.+]] = %{{.+}} to %[[GY]]
// CHECK-NEXT: %[[LBY:.+]] = arith.subi %[[GY]], %[[ONE]] : index
// CHECK-NEXT: %[[BIDY:.+]] = arith.subi %[[LBY]], %[[IBY]] : index
// CHECK-NEXT: scf.for %[[IBX:.+]] = %{{.+}} to %[[GX]]
// CHECK-NEXT: %[[LBX:.+]] = arith.subi %[[GX]], %[[ONE]] : index
// CHECK-NEXT: %[[BIDX:.+]] = arith.subi %[[LBX]], %[[IBX]] : index
// CHECK-NEXT: scf.for %[[ITZ:.+]] = %{{.+}} to %[[BZ]]
// CHECK-NEXT: %[[LTZ:.+]] = arith.subi %[[BZ]], %[[ONE]] : index
// CHECK-NEXT: %[[TIDZ:.+]] = arith.subi %[[LTZ]], %[[ITZ]] : index
// CHECK-NEXT: scf.for %[[ITY:.+]] = %{{.+}} to %[[BY]]
// CHECK-NEXT: %[[LTY:.+]] = arith.subi %[[BY]], %[[ONE]] : index
// CHECK-NEXT: %[[TIDY:.+]] = arith.subi %[[LTY]], %[[ITY]] : index
// CHECK-NEXT: scf.for %[[ITX:.+]] = %{{.+}} to %[[BX]]
// CHECK-NEXT: %[[LTX:.+]] = arith.subi %[[BX]], %[[ONE]] : index
// CHECK-NEXT: %[[TIDX:.+]] = arith.subi %[[LTX]], %[[ITX]] : index
// CHECK-NEXT: %[[A:.+]] = arith.muli %[[BIDX]], %[[BX]] : index
// CHECK-NEXT: %[[B:.+]] = arith.addi %[[A]], %[[TIDX]] : index
// CHECK-NEXT: %[[C:.+]] = arith.addi %[[B]], %[[BIDY]] : index
// CHECK-NEXT: %[[D:.+]] = arith.addi %[[C]], %[[BIDZ]] : index
// CHECK-NEXT: %[[E:.+]] = arith.addi %[[D]], %[[TIDY]] : index
// CHECK-NEXT: %[[F:.+]] = arith.addi %[[E]], %[[TIDZ]] : index
// CHECK-NEXT: %[[G:.+]] = arith.muli %[[F]], %[[GY]] : index
// CHECK-NEXT: %[[H:.+]] = arith.muli %[[G]], %[[GZ]] : index
// CHECK-NEXT: %[[I:.+]] = arith.muli %[[H]], %[[BY]] : index
// CHECK-NEXT: %[[J:.+]] = arith.muli %[[I]], %[[BZ]] : index
// CHECK-NEXT: %[[K:.+]] = arith.muli %[[J]], %[[GX]] : index
// CHECK-NEXT: memref.store %[[K]], %[[OUT]][%[[B]]] : memref<?xindex>
// CHECK-COUNT-6: }
// CHECK-NOT: gpu.
// CHECK: return
func.func @launch(%out: memref<?xindex>) {
  %gx = arith.constant 7 : index
  %gy = arith.constant 5 : index
  %gz = arith.constant 3 : index
  %bx = arith.constant 11 : index
  %by = arith.constant 13 : index
  %bz = arith.constant 17 : index
  gpu.launch blocks(%bidx, %bidy, %bidz) in (%ngx = %gx, %ngy = %gy, %ngz = %gz)
             threads(%tidx, %tidy, %tidz) in (%nbx = %bx, %nby = %by, %nbz = %bz) {
    %a = arith.muli %bidx, %nbx : index
    %b = arith.addi %a, %tidx : index
    %c = arith.addi %b, %bidy : index
    %d = arith.addi %c, %bidz : index
    %e = arith.addi %d, %tidy : index
    %f = arith.addi %e, %tidz : index
    %g = arith.muli %f, %ngy : index
    %h = arith.muli %g, %ngz : index
    %i = arith.muli %h, %nby : index
    %j = arith.muli %i, %nbz : index
    %k = arith.muli %j, %ngx : index
    memref.store %k, %out[%b] : memref<?xindex>
    gpu.terminator
  }
  return
}

// -----

func.func @barrier(%out: memref<?xf32>, %v: f32) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  // expected-error @+1 {{a kernel with barriers cannot run as loops}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    memref.store %v, %out[%tx] : memref<?xf32>
    gpu.barrier
    gpu.terminator
  }
  return
}

// -----

func.func @shared_memory(%n: i32) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{only single-block launches without shared memory or async tokens run as loops}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1)
             dynamic_shared_memory_size %n {
    gpu.terminator
  }
  return
}
