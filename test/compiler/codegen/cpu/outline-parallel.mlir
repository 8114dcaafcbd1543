// RUN: cnnc-opt %s --cnn-cpu-outline-parallel="max-regions=1" | FileCheck %s
// RUN: cnnc-opt %s --cnn-cpu-outline-parallel | FileCheck %s --check-prefix=KEEP

// Two parallel regions over max-regions=1: each moves into a function of
// its own, called where it stood, with the values it uses from outside as
// arguments (the pointer, the bound), constants cloned and the alloca that
// only it uses moved along. With the default budget (64) nothing moves.
// CHECK-LABEL: llvm.func @step(
//  CHECK-SAME:     %[[P:.+]]: !llvm.ptr, %[[N:.+]]: i64)
//       CHECK:   %[[SHARED:.+]] = llvm.alloca
//       CHECK:   llvm.call @step_parallel(%[[P]], %[[N]]) : (!llvm.ptr, i64) -> ()
//       CHECK:   llvm.call @step_parallel_0(%[[SHARED]], %[[P]]) : (!llvm.ptr, !llvm.ptr) -> ()
//   CHECK-NOT:   omp.parallel
//       CHECK:   llvm.return
// CHECK-LABEL: llvm.func internal @step_parallel(
//  CHECK-SAME:     %[[P1:.+]]: !llvm.ptr, %[[N1:.+]]: i64) attributes {always_inline}
//       CHECK:   %[[ONE:.+]] = llvm.mlir.constant(1 : i64) : i64
//       CHECK:   %[[OWN:.+]] = llvm.alloca %[[ONE]] x f32
//       CHECK:   omp.parallel {
//       CHECK:     llvm.store %{{.+}}, %[[OWN]]
//       CHECK:     llvm.getelementptr %[[P1]][%[[N1]]]
//       CHECK:   llvm.return
// CHECK-LABEL: llvm.func internal @step_parallel_0(
//  CHECK-SAME:     %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr) attributes {always_inline}
//       CHECK:   omp.parallel {

// KEEP-LABEL: llvm.func @step(
//       KEEP:   omp.parallel {
//       KEEP:   omp.parallel {
//   KEEP-NOT:   llvm.call
llvm.func @step(%p: !llvm.ptr, %n: i64) {
  %one = llvm.mlir.constant(1 : i64) : i64
  %zero = llvm.mlir.constant(0.0 : f32) : f32
  %own = llvm.alloca %one x f32 : (i64) -> !llvm.ptr
  %shared = llvm.alloca %one x f32 : (i64) -> !llvm.ptr
  omp.parallel {
    llvm.store %zero, %own : f32, !llvm.ptr
    %q = llvm.getelementptr %p[%n] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    llvm.store %zero, %q : f32, !llvm.ptr
    omp.terminator
  }
  omp.parallel {
    %v = llvm.load %shared : !llvm.ptr -> f32
    llvm.store %v, %p : f32, !llvm.ptr
    omp.terminator
  }
  %w = llvm.load %shared : !llvm.ptr -> f32
  llvm.store %w, %p : f32, !llvm.ptr
  llvm.return
}
