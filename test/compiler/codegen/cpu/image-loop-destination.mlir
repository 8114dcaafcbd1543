// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v4" --cnn-cpu-tile-and-fuse --canonicalize | FileCheck %s

// A loop whose body runs in stages over the images (a sum over the batch
// between them), each stage's op writing a fresh tensor made outside the
// loop: each writes its image's part of its stage's output (the forall's
// shared_outs), not a slice of that fresh tensor, which would be a buffer
// of its own copied into the output image by image (NetResDeep's ReLU
// gradient in its backward loop).
// CHECK-LABEL: func.func @in_loop
// CHECK:         scf.for
// CHECK:           scf.forall (%[[I:.+]]) in (%{{.+}}) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<?x8x4x4xf32>)
// CHECK-NEXT:        tensor.extract_slice %{{.+}}[%[[I]], 0, 0, 0] [1, 8, 4, 4]
// CHECK-NEXT:        %[[MINE:.+]] = tensor.extract_slice %[[OUT]][%[[I]], 0, 0, 0] [1, 8, 4, 4]
// CHECK:             scf.for {{.*}} iter_args(%{{.+}} = %[[MINE]])
// CHECK:               math.tanh
// CHECK:           scf.forall (%{{.+}}) in (8)
// CHECK:           scf.forall (%[[J:.+]]) in (%{{.+}}) shared_outs(%[[OUT2:.+]] = %{{.+}}) -> (tensor<?x8x4x4xf32>)
// CHECK-NEXT:        tensor.extract_slice %{{.+}}[%[[J]], 0, 0, 0] [1, 8, 4, 4]
// CHECK-NEXT:        %[[MINE2:.+]] = tensor.extract_slice %[[OUT2]][%[[J]], 0, 0, 0] [1, 8, 4, 4]
// CHECK:             scf.for {{.*}} iter_args(%{{.+}} = %[[MINE2]])
// CHECK:               arith.subf
func.func @in_loop(%x: tensor<?x8x4x4xf32>) -> tensor<?x8x4x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %cst = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x8x4x4xf32>
  %e = tensor.empty(%n) : tensor<?x8x4x4xf32>
  %e2 = tensor.empty() : tensor<8xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e2 : tensor<8xf32>) -> tensor<8xf32>
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %x) -> (tensor<?x8x4x4xf32>) {
    %t = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : tensor<?x8x4x4xf32>) outs(%e : tensor<?x8x4x4xf32>) {
    ^bb0(%a: f32, %o: f32):
      %v = math.tanh %a : f32
      linalg.yield %v : f32
    } -> tensor<?x8x4x4xf32>
    %s = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%t : tensor<?x8x4x4xf32>) outs(%z : tensor<8xf32>) {
    ^bb0(%a: f32, %o: f32):
      %v = arith.addf %o, %a : f32
      linalg.yield %v : f32
    } -> tensor<8xf32>
    %u = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%t, %s : tensor<?x8x4x4xf32>, tensor<8xf32>) outs(%e : tensor<?x8x4x4xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %v = arith.subf %a, %b : f32
      linalg.yield %v : f32
    } -> tensor<?x8x4x4xf32>
    scf.yield %u : tensor<?x8x4x4xf32>
  }
  return %r : tensor<?x8x4x4xf32>
}
