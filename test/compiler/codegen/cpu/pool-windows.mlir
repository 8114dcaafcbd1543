// RUN: cnnc-opt %s -cnn-lower-entry-abi -convert-cnn-to-linalg -canonicalize -cse --cnn-cpu-strategy="cpu=x86-64-v3" --resolve-shaped-type-result-dims --cse | FileCheck %s

// A max pooling left NCHW and its gradient, as in a training step (a 7x7
// image: the pooling's floor leaves the last row and column out). The
// strategy computes the pooling as a reduction over the covered 6x6 viewed
// as windows [N, C, 3, 2, 3, 2] (PoolWindows.h), the form in which the
// gradient recomputes each window's maximum: after the pipeline's CSE there
// is one maximum, which the gradient's code reads and the function returns.
// (The pooled values stand in for the output gradient: the sizes of both
// derive from x's, as in a training step.)
// CHECK-LABEL: func.func @pool_and_grad
// CHECK:       %[[COVER:.+]] = tensor.extract_slice %{{.+}}[0, 0, 0, 0] [%{{.+}}, 8, 6, 6] [1, 1, 1, 1]
// CHECK:       %[[WINDOWS:.+]] = tensor.expand_shape %[[COVER]] {{\[}}[0], [1], [2, 3], [4, 5]] output_shape [%{{.+}}, 8, 3, 2, 3, 2]
// CHECK:       %[[MAX:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[WINDOWS]] : tensor<?x8x3x2x3x2xf32>) outs(%{{.+}} : tensor<?x8x3x3xf32>) attrs = {cnn_cpu.config = #cnn_cpu.config<kind = "pool"
// CHECK-NEXT:  ^bb0
// CHECK-NEXT:    arith.maximumf
// CHECK-NOT:   arith.maximumf
// CHECK-NOT:   linalg.pooling_nchw_max
// CHECK:       linalg.generic {{.*}} ins(%[[WINDOWS]], %[[MAX]] : tensor<?x8x3x2x3x2xf32>, tensor<?x8x3x3xf32>)
// CHECK-NOT:   arith.maximumf
// CHECK:       bufferization.materialize_in_destination %[[MAX]] in
module attributes {cnn.mode = "train"} {
func.func @pool_and_grad(%x: tensor<?x8x7x7xf32>) -> (tensor<?x8x3x3xf32>, tensor<?x8x7x7xf32>) {
  %y = cnn.max_pool2d %x kernel [2, 2] stride [2, 2] : tensor<?x8x7x7xf32> -> tensor<?x8x3x3xf32>
  %dx = cnn.max_pool2d_grad %x, %y kernel [2, 2] stride [2, 2] : tensor<?x8x7x7xf32>, tensor<?x8x3x3xf32>
  return %y, %dx : tensor<?x8x3x3xf32>, tensor<?x8x7x7xf32>
}
}
