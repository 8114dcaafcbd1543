// RUN: cnnc-opt %s -convert-cnn-to-linalg | FileCheck %s

// Training batchnorm's statistics in one pass over x: Σd and Σd² of
// d = x − K in f64, K the running mean; one exchange of both sums and the
// count over the replicas; then μ = K + Σd/M and σ²_b = Σd²/M − (Σd/M)²,
// not below 0.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CHAN:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @stats
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4x8x8xf32>, %[[RM:[^:]+]]: tensor<4xf32>
// CHECK: %[[K:.+]] = linalg.generic {{.*}} ins(%[[RM]] : tensor<4xf32>) outs(%{{.+}} : tensor<4xf64>)
// CHECK: %[[SUMS:.+]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[CHAN]], #[[CHAN]], #[[CHAN]]], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%[[X]], %[[K]] : tensor<?x4x8x8xf32>, tensor<4xf64>)
// CHECK-NEXT: ^bb0(%[[XV:.+]]: f32, %[[KV:.+]]: f64, %[[S1:.+]]: f64, %[[S2:.+]]: f64):
// CHECK-NEXT: %[[XE:.+]] = arith.extf %[[XV]] : f32 to f64
// CHECK-NEXT: %[[D:.+]] = arith.subf %[[XE]], %[[KV]] : f64
// CHECK-NEXT: %[[DD:.+]] = arith.mulf %[[D]], %[[D]] : f64
// CHECK-NEXT: %[[A1:.+]] = arith.addf %[[S1]], %[[D]] : f64
// CHECK-NEXT: %[[A2:.+]] = arith.addf %[[S2]], %[[DD]] : f64
// CHECK-NEXT: linalg.yield %[[A1]], %[[A2]]
// CHECK: call @cnnrt_replica_sum_f64
// CHECK-NOT: call @cnnrt_replica_sum_f64
// CHECK: ^bb0(%[[SUM:.+]]: f64, %[[SUMSQ:.+]]: f64, %[[KK:.+]]: f64, %{{.+}}: f32,
// CHECK: %[[OFF:.+]] = arith.divf %[[SUM]], %[[M:.+]] : f64
// CHECK: %[[MU:.+]] = arith.addf %[[KK]], %[[OFF]] : f64
// CHECK: %[[ZERO:.+]] = arith.constant 0.0
// CHECK: %[[OFF2:.+]] = arith.mulf %[[OFF]], %[[OFF]] : f64
// CHECK: %[[MSQ:.+]] = arith.divf %[[SUMSQ]], %[[M]] : f64
// CHECK: %[[V:.+]] = arith.subf %[[MSQ]], %[[OFF2]] : f64
// CHECK: arith.maximumf %[[V]], %[[ZERO]] : f64

// Its gradient: Σdy and Σ(x − μ)·dy in one f64 pass, one exchange, then
// dx = (dy − Σdy/M − (x − μ)·proj)·s·γ in f32 with f32 factors, as
// PyTorch's NCHW kernel.
// CHECK-LABEL: func.func @grad
// CHECK: linalg.generic {{.*}} outs(%{{.+}}, %{{.+}} : tensor<4xf64>, tensor<4xf64>)
// CHECK: call @cnnrt_replica_sum_f64
// CHECK-NOT: call @cnnrt_replica_sum_f64
// CHECK: } -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[GX:.+]]: f32, %[[GDY:.+]]: f32, %[[GMU:.+]]: f32, %[[GM:.+]]: f32, %[[PROJ:.+]]: f32, %[[F:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[C:.+]] = arith.subf %[[GX]], %[[GMU]] : f32
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[C]], %[[PROJ]] : f32
// CHECK-NEXT: %[[R0:.+]] = arith.subf %[[GDY]], %[[GM]] : f32
// CHECK-NEXT: %[[R:.+]] = arith.subf %[[R0]], %[[P]] : f32
// CHECK-NEXT: %[[DX:.+]] = arith.mulf %[[R]], %[[F]] : f32
// CHECK-NEXT: linalg.yield %[[DX]]
// batch_norm_train's result recomputed from given statistics (the mask of a
// relu after it, in the backward pass): the forward's generics, α = s·γ and
// β' = β − μ·α per channel, then x·α + β'.
// CHECK-LABEL: func.func @apply
// CHECK-SAME: (%[[AX:[^:]+]]: tensor<?x4x8x8xf32>, %[[AM:[^:]+]]: tensor<4xf32>, %[[AS:[^:]+]]: tensor<4xf32>, %[[AG:[^:]+]]: tensor<4xf32>, %[[AB:[^:]+]]: tensor<4xf32>)
// CHECK: %[[COEF:.+]]:2 = linalg.generic {{.*}} ins(%[[AM]], %[[AS]], %[[AG]], %[[AB]] :
// CHECK-NEXT: ^bb0(%[[CM:[^:]+]]: f32, %[[CS:[^:]+]]: f32, %[[CG:[^:]+]]: f32, %[[CB:[^:]+]]: f32,
// CHECK-NEXT: %[[ALPHA:.+]] = arith.mulf %[[CS]], %[[CG]] : f32
// CHECK-NEXT: %[[MA:.+]] = arith.mulf %[[CM]], %[[ALPHA]] : f32
// CHECK-NEXT: %[[BETA:.+]] = arith.subf %[[CB]], %[[MA]] : f32
// CHECK-NEXT: linalg.yield %[[ALPHA]], %[[BETA]]
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CHAN]], #[[CHAN]], #[[ID]]], {{.*}} ins(%[[AX]], %[[COEF]]#0, %[[COEF]]#1 :
// CHECK-NEXT: ^bb0(%[[V:[^:]+]]: f32, %[[VA:[^:]+]]: f32, %[[VB:[^:]+]]: f32,
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[V]], %[[VA]] : f32
// CHECK-NEXT: %[[Q:.+]] = arith.addf %[[P]], %[[VB]] : f32
// CHECK-NEXT: linalg.yield %[[Q]]
module attributes {cnn.mode = "train"} {
  func.func @stats(%x: tensor<?x4x8x8xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
    %y, %mu, %s, %rm, %rv = cnn.batch_norm_train %x, %m, %v eps 1.000000e-05 momentum 1.000000e-01 : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
    return %y, %mu, %s, %rm, %rv : tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  }

  func.func @grad(%x: tensor<?x4x8x8xf32>, %dy: tensor<?x4x8x8xf32>, %m: tensor<4xf32>, %s: tensor<4xf32>, %g: tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) {
    %dx, %dg, %db = cnn.batch_norm_train_grad %x, %dy, %m, %s scale %g : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
    return %dx, %dg, %db : tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>
  }

  func.func @apply(%x: tensor<?x4x8x8xf32>, %m: tensor<4xf32>, %s: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<?x4x8x8xf32> {
    %z = cnn.batch_norm_apply %x, %m, %s scale %g shift %b : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
    return %z : tensor<?x4x8x8xf32>
  }
}
