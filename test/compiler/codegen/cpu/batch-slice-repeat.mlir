// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v4" --cnn-cpu-tile-and-fuse --canonicalize | FileCheck %s

// A repeated block's loop (cnn.repeat's scf.for) joins the per-image loop:
// the network before it, the loop and the network after it run in ONE
// scf.forall over the images; inside, the block loop carries one image and
// reads its iteration's weights from the arena as before. The batch size
// asked outside the loop (canonicalization hoists it) is the input's.

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>

// CHECK-LABEL: func.func @blocks
// CHECK-SAME:    (%[[ARENA:.+]]: memref<?xi8>, %[[X:.+]]: tensor<?x4x8x8xf32>)
// CHECK:         scf.forall (%[[I:.+]]) in (%{{.+}}) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<?x4x8x8xf32>)
// CHECK:           tensor.extract_slice %[[X]][%[[I]], 0, 0, 0] [1, 4, 8, 8]
// CHECK:           linalg.generic {{.*}} outs(%{{.+}} : tensor<1x4x1x8xf32>)
// CHECK:           %[[LOOP:.+]] = scf.for %[[K:.+]] = %c0 to %c3 step %c1 iter_args(%[[IN:.+]] = %{{.+}}) -> (tensor<1x4x8x8xf32>)
// CHECK:             memref.view %[[ARENA]]
// CHECK:             linalg.generic {{.*}} outs(%{{.+}} : tensor<1x4x1x8xf32>)
// CHECK:             scf.yield %{{.+}} : tensor<1x4x8x8xf32>
// CHECK:           linalg.generic {{.*}} outs(%{{.+}} : tensor<1x4x1x8xf32>)
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[I]], 0, 0, 0] [1, 4, 8, 8]
// CHECK-NOT:     scf.for
// CHECK:         return
func.func @blocks(%arena: memref<?xi8>, %x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  %n = tensor.dim %x, %c0 : tensor<?x4x8x8xf32>
  %e0 = tensor.empty(%n) : tensor<?x4x8x8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x4x8x8xf32>) outs(%e0 : tensor<?x4x8x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = math.tanh %v : f32
    linalg.yield %t : f32
  } -> tensor<?x4x8x8xf32>
  %m = tensor.dim %a, %c0 : tensor<?x4x8x8xf32>
  %y = scf.for %k = %c0 to %c3 step %c1 iter_args(%in = %a) -> (tensor<?x4x8x8xf32>) {
    %shift = arith.muli %k, %c16 : index
    %view = memref.view %arena[%shift][] : memref<?xi8> to memref<4xf32>
    %w = bufferization.to_tensor %view restrict : memref<4xf32> to tensor<4xf32>
    %e = tensor.empty(%m) : tensor<?x4x8x8xf32>
    %b = linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%in, %w : tensor<?x4x8x8xf32>, tensor<4xf32>) outs(%e : tensor<?x4x8x8xf32>) {
    ^bb0(%v: f32, %s: f32, %o: f32):
      %p = arith.mulf %v, %s : f32
      linalg.yield %p : f32
    } -> tensor<?x4x8x8xf32>
    scf.yield %b : tensor<?x4x8x8xf32>
  }
  %e1 = tensor.empty(%n) : tensor<?x4x8x8xf32>
  %z = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<?x4x8x8xf32>) outs(%e1 : tensor<?x4x8x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  } -> tensor<?x4x8x8xf32>
  return %z : tensor<?x4x8x8xf32>
}
