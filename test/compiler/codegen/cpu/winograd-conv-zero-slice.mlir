// RUN: cnnc-opt %s --cnn-cpu-winograd-conv="cpu=x86-64-v3" --canonicalize --cse | FileCheck %s

// A Winograd conv whose initial values are one image's slice of a batch set
// to zeros before the image loop (a training step's input gradient, its
// fill hoisted out of the loop): its outputs are written into a tensor of
// their own, not added to a copy of the zeros read from the batch.
// CHECK-LABEL: func.func @zeros_slice
// CHECK:         scf.forall (%[[N:.+]]) in
// CHECK-NOT:       tensor.extract_slice %{{.+}}[%[[N]], 0, 0, 0] [1, 14, 14, 32]
// CHECK:           %[[OUT:.+]] = tensor.empty() : tensor<1x14x14x32xf32>
// Back to 2x2 outputs, written: none read.
// CHECK:           scf.for %{{.+}} = %c0 to %c32 step %c8 iter_args(%{{.+}} = %[[OUT]]) -> (tensor<1x14x14x32xf32>)
// CHECK-COUNT-16:    vector.transfer_read %{{.+}} : tensor<16x49x32xf32>, vector<8xf32>
// CHECK-NOT:         vector.transfer_read
// CHECK-COUNT-4:     vector.transfer_write {{.*}} : vector<8xf32>, tensor<1x14x14x32xf32>
#x = affine_map<(n, oh, ow, f, c, i, j) -> (n, oh + i, ow + j, c)>
#w = affine_map<(n, oh, ow, f, c, i, j) -> (i, j, c, f)>
#y = affine_map<(n, oh, ow, f, c, i, j) -> (n, oh, ow, f)>
func.func @zeros_slice(%x: tensor<?x16x16x32xf32>, %w: tensor<3x3x32x32xf32>) -> tensor<?x14x14x32xf32> {
  %c0 = arith.constant 0 : index
  %cst = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x16x16x32xf32>
  %e = tensor.empty(%n) : tensor<?x14x14x32xf32>
  %zeros = linalg.fill ins(%cst : f32) outs(%e : tensor<?x14x14x32xf32>) -> tensor<?x14x14x32xf32>
  %out = tensor.empty(%n) : tensor<?x14x14x32xf32>
  %r = scf.forall (%i) in (%n) shared_outs(%o = %out) -> (tensor<?x14x14x32xf32>) {
    %xi = tensor.extract_slice %x[%i, 0, 0, 0] [1, 16, 16, 32] [1, 1, 1, 1] : tensor<?x16x16x32xf32> to tensor<1x16x16x32xf32>
    %zi = tensor.extract_slice %zeros[%i, 0, 0, 0] [1, 14, 14, 32] [1, 1, 1, 1] : tensor<?x14x14x32xf32> to tensor<1x14x14x32xf32>
    %yi = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
        ins(%xi, %w : tensor<1x16x16x32xf32>, tensor<3x3x32x32xf32>) outs(%zi : tensor<1x14x14x32xf32>)
        attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "lane_conv", registers = [1, 1, 6, 16, 1, 1, 1], algorithm = "winograd">} {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    } -> tensor<1x14x14x32xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %yi into %o[%i, 0, 0, 0] [1, 14, 14, 32] [1, 1, 1, 1] : tensor<1x14x14x32xf32> into tensor<?x14x14x32xf32>
    }
  }
  return %r : tensor<?x14x14x32xf32>
}
