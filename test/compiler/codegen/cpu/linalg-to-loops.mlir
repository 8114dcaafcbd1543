// RUN: cnnc-opt %s --cnn-cpu-linalg-to-loops | FileCheck %s
// RUN: cnnc %models/net_batchnorm.cnn --emit=llvm -o - | FileCheck %s --check-prefix=IR

// What no register tile vectorized (here a filter's layout copy, as the
// channel-lane conv makes it, on buffers) becomes scalar loops, each
// marked so that LLVM does not unroll it: at -O3 it fully unrolled such
// copies into straight-line code (a quarter of NetDepth's train_step).
// CHECK:       #[[UNROLL:.+]] = #llvm.loop_unroll<disable = true>
// CHECK:       #[[ROLLED:.+]] = #llvm.loop_annotation<unroll = #[[UNROLL]]>
// CHECK-LABEL: func.func @filter_layout
// CHECK-NOT:   linalg.transpose
// CHECK-COUNT-4: scf.for
// CHECK:       memref.load {{.*}} : memref<32x16x3x3xf32>
// CHECK:       memref.store {{.*}} : memref<3x3x16x32xf32>
// CHECK-NEXT:  } {loop_annotation = #[[ROLLED]]}
// CHECK-NEXT:  } {loop_annotation = #[[ROLLED]]}
// CHECK-NEXT:  } {loop_annotation = #[[ROLLED]]}
// CHECK-NEXT:  } {loop_annotation = #[[ROLLED]]}

// scf-to-cf carries the annotation to each loop's latch branch, where it
// is llvm.br's own attribute, translated to !llvm.loop metadata: a
// model's LLVM IR has rolled loops after LLVM's optimisation.
// IR:           br {{.+}}, !llvm.loop ![[LOOP:[0-9]+]]
// IR:           ![[LOOP]] = distinct !{![[LOOP]], ![[DISABLE:[0-9]+]]}
// IR:           ![[DISABLE]] = !{!"llvm.loop.unroll.disable"}
func.func @filter_layout(%w: memref<32x16x3x3xf32>, %out: memref<3x3x16x32xf32>) {
  linalg.transpose ins(%w : memref<32x16x3x3xf32>) outs(%out : memref<3x3x16x32xf32>) permutation = [2, 3, 1, 0]
  return
}
