// RUN: cnnc-opt %s --split-input-file --cnn-cpu-strategy="cpu=x86-64-v3" | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-cpu-strategy="cpu=x86-64-v3" --cnn-cpu-tile-and-fuse --canonicalize | FileCheck %s --check-prefix=TILED

// A linear layer's forward, x · Wᵀ with W [32, 392] as PyTorch keeps it:
// its 32 outputs fill vector registers (AVX2: 4 of 8), so the weight is
// read transposed, [392, 32], copied once; the matmul reads it as a plain
// [K, O] operand and its step runs along the outputs (all 32 of them, one
// input element per step, no horizontal sum) instead of along the 392.
// CHECK-LABEL: func.func @linear
// CHECK-SAME:    (%[[X:.+]]: tensor<?x392xf32>, %[[W:.+]]: tensor<32x392xf32>
// CHECK:         %[[T:.+]] = linalg.transpose ins(%[[W]] : tensor<32x392xf32>) outs(%{{.+}} : tensor<392x32xf32>) permutation = [1, 0]
// CHECK:         linalg.matmul {cnn_cpu.config = #cnn_cpu.config<kind = "contraction", registers = [1, 0, 1]>} ins(%[[X]], %[[T]] : tensor<?x392xf32>, tensor<392x32xf32>)
// One image per step, then the 32 outputs as one step of the 392.
// TILED-LABEL: func.func @linear
// TILED:         scf.forall
// TILED:           scf.for %{{.+}} = %c0 to %c392 step %c1
// TILED:             linalg.matmul {{.*}} ins(%{{.+}}, %{{.+}} : tensor<1x1xf32>, tensor<1x32xf32>) outs(%{{.+}} : tensor<1x32xf32>)
func.func @linear(%x: tensor<?x392xf32>, %w: tensor<32x392xf32>, %init: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %y = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%x, %w : tensor<?x392xf32>, tensor<32x392xf32>) outs(%init : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

// Ten outputs do not fill vector registers: the weight is read as it is.
// CHECK-LABEL: func.func @classifier
// CHECK-NOT:     linalg.transpose
// CHECK:         linalg.matmul indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}] {cnn_cpu.config = #cnn_cpu.config<kind = "contraction"
func.func @classifier(%x: tensor<?x32xf32>, %w: tensor<10x32xf32>, %init: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %y = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%x, %w : tensor<?x32xf32>, tensor<10x32xf32>) outs(%init : tensor<?x10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
