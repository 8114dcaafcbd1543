// RUN: cnnc-opt %s -split-input-file --cnn-cpu-strategy="cpu=x86-64-v4" --cnn-cpu-tile-and-fuse --canonicalize | FileCheck %s

// A function that cannot run image by image as a whole is sliced in
// stages: a sum over the whole batch ends stage 0, and what reads it runs
// in a second loop over the images.
//  - stage 0: tanh, image by image;
//  - the per-channel sum over the batch, spread over its 8 channels;
//  - stage 1: the centring, which reads the sum, and the scaling by each
//    image's label: the body reads `%labels` at its image's index
//    (linalg.index 0), so per image it reads that image's slice at 0;
//  - the image's number itself (linalg.index 0 as a value) is not per
//    image: that op is tiled over the batch, its index offset by the tile;
//    it reads no stage, and goes as late as its reader (the return)
//    allows, after stage 1.

// CHECK-LABEL: func.func @stages
// CHECK-SAME:    (%[[X:.+]]: tensor<?x8x4x4xf32>, %[[LABELS:.+]]: tensor<?xi32>)
// CHECK:         %[[STAGE0:.+]] = scf.forall (%[[I:.+]]) in (%{{.+}}) shared_outs({{.*}}) -> (tensor<?x8x4x4xf32>)
// CHECK:           tensor.extract_slice %[[X]][%[[I]], 0, 0, 0] [1, 8, 4, 4]
// CHECK:           math.tanh
// CHECK-NOT:       arith.subf
// CHECK:         scf.forall.in_parallel
// CHECK:         %[[SUM:.+]] = scf.forall (%{{.+}}) in (8) shared_outs
// CHECK:           tensor.extract_slice %[[STAGE0]][0, %{{.+}}, 0, 0] [%{{.+}}, 1, 4, 4]
// CHECK:           arith.addf
// CHECK:         %[[STAGE1:.+]] = scf.forall (%[[I1:.+]]) in (%{{.+}}) shared_outs({{.*}}) -> (tensor<?x8x4x4xf32>)
// CHECK:           tensor.extract_slice %[[STAGE0]][%[[I1]], 0, 0, 0] [1, 8, 4, 4]
// CHECK:           %[[LABEL:.+]] = tensor.extract_slice %[[LABELS]][%[[I1]]] [1] [1] : tensor<?xi32> to tensor<1xi32>
// CHECK:           arith.subf
// CHECK:           tensor.extract %[[LABEL]][%c0] : tensor<1xi32>
// CHECK:         scf.forall.in_parallel
// CHECK:         %[[NUMBERS:.+]] = scf.forall (%[[J:.+]]) in (%{{.+}}) shared_outs
// CHECK:           arith.index_cast %[[J]] : index to i32
// CHECK:           arith.sitofp
// CHECK:         scf.forall.in_parallel
// CHECK-NOT:     scf.forall (
// CHECK:         return %[[STAGE1]], %[[NUMBERS]]

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#chan = affine_map<(n, c, h, w) -> (c)>
#sumin = affine_map<(c, n, h, w) -> (n, c, h, w)>
#sumout = affine_map<(c, n, h, w) -> (c)>
func.func @stages(%x: tensor<?x8x4x4xf32>, %labels: tensor<?xi32>) -> (tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x8x4x4xf32>
  %e0 = tensor.empty(%n) : tensor<?x8x4x4xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x8x4x4xf32>) outs(%e0 : tensor<?x8x4x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.tanh %v : f32
    linalg.yield %r : f32
  } -> tensor<?x8x4x4xf32>
  %e8 = tensor.empty() : tensor<8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<8xf32>) -> tensor<8xf32>
  %s = linalg.generic {indexing_maps = [#sumin, #sumout], iterator_types = ["parallel", "reduction", "reduction", "reduction"]}
      ins(%t : tensor<?x8x4x4xf32>) outs(%z8 : tensor<8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.addf %v, %o : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %e1 = tensor.empty(%n) : tensor<?x8x4x4xf32>
  %d = linalg.generic {indexing_maps = [#id, #chan, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t, %s : tensor<?x8x4x4xf32>, tensor<8xf32>) outs(%e1 : tensor<?x8x4x4xf32>) {
  ^bb0(%v: f32, %m: f32, %o: f32):
    %r = arith.subf %v, %m : f32
    linalg.yield %r : f32
  } -> tensor<?x8x4x4xf32>
  %e2 = tensor.empty(%n) : tensor<?x8x4x4xf32>
  %l = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%d : tensor<?x8x4x4xf32>) outs(%e2 : tensor<?x8x4x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %i = linalg.index 0 : index
    %lab = tensor.extract %labels[%i] : tensor<?xi32>
    %f = arith.sitofp %lab : i32 to f32
    %r = arith.mulf %v, %f : f32
    linalg.yield %r : f32
  } -> tensor<?x8x4x4xf32>
  %e3 = tensor.empty(%n) : tensor<?x8x4x4xf32>
  %k = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%e3 : tensor<?x8x4x4xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i32
    %f = arith.sitofp %ii : i32 to f32
    linalg.yield %f : f32
  } -> tensor<?x8x4x4xf32>
  return %l, %k : tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>
}

// -----

// A reshape of a stage-0 value that stage 1 reads (a max-pool gradient's
// view of its input as windows) is made in stage 1, on each image's slice:
// stage 0 keeps the image as its producer wrote it. Made in stage 0, the
// stage's result would be the reshaped image, a copy of every image.
// CHECK-LABEL: func.func @reshape_in_reader_stage
// CHECK:         %[[STAGE0:.+]] = scf.forall (%{{.+}}) in (%{{.+}}) shared_outs({{.*}}) -> (tensor<?x8x4x4xf32>)
// CHECK-NOT:       tensor.expand_shape
// CHECK:           math.tanh
// CHECK:         scf.forall (%{{.+}}) in (8)
// CHECK:         scf.forall (%[[I:.+]]) in (%{{.+}}) shared_outs({{.*}}) -> (tensor<?x8x2x2x2x2xf32>)
// CHECK:           %[[IMAGE:.+]] = tensor.extract_slice %[[STAGE0]][%[[I]], 0, 0, 0] [1, 8, 4, 4]
// CHECK:           tensor.expand_shape %[[IMAGE]] {{.*}} into tensor<1x8x2x2x2x2xf32>
// CHECK:           arith.subf
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#sumin = affine_map<(c, n, h, w) -> (n, c, h, w)>
#sumout = affine_map<(c, n, h, w) -> (c)>
#win = affine_map<(n, c, h, i, w, j) -> (n, c, h, i, w, j)>
#chan6 = affine_map<(n, c, h, i, w, j) -> (c)>
func.func @reshape_in_reader_stage(%x: tensor<?x8x4x4xf32>) -> tensor<?x8x2x2x2x2xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x8x4x4xf32>
  %e0 = tensor.empty(%n) : tensor<?x8x4x4xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x8x4x4xf32>) outs(%e0 : tensor<?x8x4x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.tanh %v : f32
    linalg.yield %r : f32
  } -> tensor<?x8x4x4xf32>
  %e8 = tensor.empty() : tensor<8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<8xf32>) -> tensor<8xf32>
  %s = linalg.generic {indexing_maps = [#sumin, #sumout], iterator_types = ["parallel", "reduction", "reduction", "reduction"]}
      ins(%t : tensor<?x8x4x4xf32>) outs(%z8 : tensor<8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.addf %v, %o : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %w = tensor.expand_shape %t [[0], [1], [2, 3], [4, 5]] output_shape [%n, 8, 2, 2, 2, 2] : tensor<?x8x4x4xf32> into tensor<?x8x2x2x2x2xf32>
  %e1 = tensor.empty(%n) : tensor<?x8x2x2x2x2xf32>
  %d = linalg.generic {indexing_maps = [#win, #chan6, #win], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%w, %s : tensor<?x8x2x2x2x2xf32>, tensor<8xf32>) outs(%e1 : tensor<?x8x2x2x2x2xf32>) {
  ^bb0(%v: f32, %m: f32, %o: f32):
    %r = arith.subf %v, %m : f32
    linalg.yield %r : f32
  } -> tensor<?x8x2x2x2x2xf32>
  return %d : tensor<?x8x2x2x2x2xf32>
}
