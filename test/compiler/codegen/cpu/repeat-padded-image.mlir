// RUN: cnnc-opt %s --cnn-cpu-strategy="cpu=x86-64-v3" --cnn-cpu-tile-and-fuse --canonicalize | FileCheck %s

// A repeated block whose conv pads the image the loop carries (a residual
// block's zero halo): inside the per-image loop, the block loop carries
// the padded image. The halo is made once, before the loop; each
// iteration reads the image from the interior, its conv the padded tensor
// itself, and its result goes back into the interior; after the loop, the
// interior is the image. No pad is left in the loop.

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// CHECK-LABEL: func.func @padded_blocks
// CHECK:         scf.forall
// CHECK:           %[[HALO:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:           } : tensor<1x4x8x8xf32> to tensor<1x4x10x10xf32>
// CHECK:           %[[LOOP:.+]] = scf.for %{{.+}} iter_args(%[[P:.+]] = %[[HALO]]) -> (tensor<1x4x10x10xf32>)
// CHECK-NOT:         tensor.pad
// CHECK:             tensor.extract_slice %[[P]][0, 0, 1, 1] [1, 4, 8, 8] [1, 1, 1, 1] : tensor<1x4x10x10xf32> to tensor<1x4x8x8xf32>
// CHECK-NOT:         tensor.pad
// CHECK:             %[[R:.+]] = tensor.insert_slice %{{.+}} into %[[P]][0, 0, 1, 1] [1, 4, 8, 8] [1, 1, 1, 1] : tensor<1x4x8x8xf32> into tensor<1x4x10x10xf32>
// CHECK:             scf.yield %[[R]] : tensor<1x4x10x10xf32>
// CHECK:           tensor.extract_slice %[[LOOP]][0, 0, 1, 1] [1, 4, 8, 8] [1, 1, 1, 1] : tensor<1x4x10x10xf32> to tensor<1x4x8x8xf32>
// CHECK:           scf.forall.in_parallel
func.func @padded_blocks(%arena: memref<?xi8>, %x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c576 = arith.constant 576 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x4x8x8xf32>
  %y = scf.for %k = %c0 to %c3 step %c1 iter_args(%in = %x) -> (tensor<?x4x8x8xf32>) {
    %shift = arith.muli %k, %c576 : index
    %view = memref.view %arena[%shift][] : memref<?xi8> to memref<4x4x3x3xf32>
    %w = bufferization.to_tensor %view restrict : memref<4x4x3x3xf32> to tensor<4x4x3x3xf32>
    %padded = tensor.pad %in low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i: index, %j: index, %h: index, %v: index):
      tensor.yield %zero : f32
    } : tensor<?x4x8x8xf32> to tensor<?x4x10x10xf32>
    %e = tensor.empty(%n) : tensor<?x4x8x8xf32>
    %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
    %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
        ins(%padded, %w : tensor<?x4x10x10xf32>, tensor<4x4x3x3xf32>) outs(%init : tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
    %e2 = tensor.empty(%n) : tensor<?x4x8x8xf32>
    %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%conv, %in : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) outs(%e2 : tensor<?x4x8x8xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %r = arith.maximumf %a, %zero : f32
      %s = arith.addf %r, %b : f32
      linalg.yield %s : f32
    } -> tensor<?x4x8x8xf32>
    scf.yield %sum : tensor<?x4x8x8xf32>
  }
  return %y : tensor<?x4x8x8xf32>
}
