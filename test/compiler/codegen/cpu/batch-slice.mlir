// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v4 winograd=false" --cnn-cpu-tile-and-fuse --canonicalize | FileCheck %s
// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v4 winograd=false" --cnn-cpu-tile-and-fuse="parallel=false" --canonicalize | FileCheck %s --check-prefix=SERIAL

// Level 1 slices the whole network over the batch: a residual block whose
// input is used twice (by the padded conv and by the add) and the block
// after it run in ONE loop over the images, on per-image tensors; no
// activation of the whole batch is left, only the result's shared output.
// Weights stay outside; the batchnorm-style weight scaling (no batch
// dimension) is not sliced. (The CPU strategy computes the 32-channel
// convs channels-last.)

// CHECK-LABEL: func.func @two_blocks
// CHECK:       scf.forall (%{{.*}}) in (32) shared_outs(%{{.*}}) -> (tensor<32x32x3x3xf32>)
// CHECK:       %[[N:.+]] = tensor.dim %{{.*}}, %c0 : tensor<?x32x16x16xf32>
// CHECK:       scf.forall (%[[I:[a-z0-9]+]]) in (%[[N]]) shared_outs(%[[OUT:[a-z0-9]+]] = %{{.*}}) -> (tensor<?x32x16x16xf32>)
// CHECK-NOT:     tensor.empty(%
// CHECK:         tensor.extract_slice %{{.*}}[%[[I]], 0, 0, 0] [1, 32, 16, 16] [1, 1, 1, 1] : tensor<?x32x16x16xf32> to tensor<1x32x16x16xf32>
// CHECK-NOT:     tensor.empty(%
// CHECK:         tensor.pad {{.*}}
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      tensor.yield
// CHECK-NEXT:    } : tensor<1x32x16x16xf32> to tensor<1x32x18x18xf32>
// CHECK-NOT:     tensor.empty(%
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x7x32xf32>) {{.*}}kind = "lane_conv"
// CHECK-NOT:     tensor.empty(%
// CHECK:         } : tensor<1x32x16x16xf32> to tensor<1x32x18x18xf32>
// CHECK-NOT:     tensor.empty(%
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x7x32xf32>) {{.*}}kind = "lane_conv"
// CHECK-NOT:     tensor.empty(%
// CHECK:         scf.forall.in_parallel
// CHECK-NEXT:      tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[I]], 0, 0, 0] [1, 32, 16, 16]
// CHECK-NOT:   scf.forall
// CHECK:       return

// Without OpenMP: the same slicing with scf.for and tensor.insert_slice.
// SERIAL-LABEL: func.func @two_blocks
// SERIAL-NOT:   scf.forall
// SERIAL:       scf.for %[[I:[a-z0-9]+]] = %c0 to %{{.*}} step %c1 iter_args(%[[OUT:[a-z0-9]+]] = %{{.*}}) -> (tensor<?x32x16x16xf32>)
// SERIAL:         kind = "lane_conv"
// SERIAL:         kind = "lane_conv"
// SERIAL:         tensor.insert_slice %{{.*}} into %[[OUT]][%[[I]], 0, 0, 0] [1, 32, 16, 16]

#id4 = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch4 = affine_map<(n, c, h, w) -> (c)>
#f4 = affine_map<(f, c, h, w) -> (f)>
func.func @two_blocks(%x: tensor<?x32x16x16xf32>, %w: tensor<32x32x3x3xf32>,
                      %scale: tensor<32xf32>, %b: tensor<32xf32>) -> tensor<?x32x16x16xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32x16x16xf32>
  // Folded batchnorm: weights scaled per output channel (no batch dim).
  %we = tensor.empty() : tensor<32x32x3x3xf32>
  %ws = linalg.generic {indexing_maps = [#id4, #f4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%w, %scale : tensor<32x32x3x3xf32>, tensor<32xf32>) outs(%we : tensor<32x32x3x3xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %m = arith.mulf %a, %s : f32
    linalg.yield %m : f32
  } -> tensor<32x32x3x3xf32>
  %e = tensor.empty(%n) : tensor<?x32x16x16xf32>
  // Block 1: relu(conv(x) + b) + x.
  %p1 = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<?x32x16x16xf32> to tensor<?x32x18x18xf32>
  %b1 = linalg.generic {indexing_maps = [#ch4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<32xf32>) outs(%e : tensor<?x32x16x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<?x32x16x16xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p1, %ws : tensor<?x32x18x18xf32>, tensor<32x32x3x3xf32>) outs(%b1 : tensor<?x32x16x16xf32>) -> tensor<?x32x16x16xf32>
  %y1 = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c1, %x : tensor<?x32x16x16xf32>, tensor<?x32x16x16xf32>) outs(%e : tensor<?x32x16x16xf32>) {
  ^bb0(%a: f32, %r: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    %s = arith.addf %m, %r : f32
    linalg.yield %s : f32
  } -> tensor<?x32x16x16xf32>
  // Block 2, same weights.
  %p2 = tensor.pad %y1 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<?x32x16x16xf32> to tensor<?x32x18x18xf32>
  %b2 = linalg.generic {indexing_maps = [#ch4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<32xf32>) outs(%e : tensor<?x32x16x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<?x32x16x16xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p2, %ws : tensor<?x32x18x18xf32>, tensor<32x32x3x3xf32>) outs(%b2 : tensor<?x32x16x16xf32>) -> tensor<?x32x16x16xf32>
  %y2 = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c2, %y1 : tensor<?x32x16x16xf32>, tensor<?x32x16x16xf32>) outs(%e : tensor<?x32x16x16xf32>) {
  ^bb0(%a: f32, %r: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    %s = arith.addf %m, %r : f32
    linalg.yield %s : f32
  } -> tensor<?x32x16x16xf32>
  return %y2 : tensor<?x32x16x16xf32>
}
