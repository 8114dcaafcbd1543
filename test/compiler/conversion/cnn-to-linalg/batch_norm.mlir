// RUN: cnnc-opt %s -split-input-file -cnn-lower-entry-abi -convert-cnn-to-linalg | FileCheck %s

// Eval batchnorm: per channel s = γ/√(var + eps) and t = β − mean·s (C
// elements each), then one multiply-add per element, as PyTorch's kernel.
// CHECK-DAG: #[[VEC:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CHAN:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @affine
// CHECK-SAME: (%{{.+}}: memref<?xi8>, %[[XB:[^:]+]]: memref<?x4x8x8xf32>, %[[MB:[^:]+]]: memref<4xf32>, %[[VB:[^:]+]]: memref<4xf32>, %[[GB:[^:]+]]: memref<4xf32>, %[[BB:[^:]+]]: memref<4xf32>, %{{.+}}: memref<?x4x8x8xf32>)
// CHECK-DAG: %[[X:.+]] = bufferization.to_tensor %[[XB]]
// CHECK-DAG: %[[M:.+]] = bufferization.to_tensor %[[MB]]
// CHECK-DAG: %[[V:.+]] = bufferization.to_tensor %[[VB]]
// CHECK-DAG: %[[G:.+]] = bufferization.to_tensor %[[GB]]
// CHECK-DAG: %[[B:.+]] = bufferization.to_tensor %[[BB]]
// CHECK: %[[S:.+]] = linalg.generic {indexing_maps = [#[[VEC]], #[[VEC]], #[[VEC]]], iterator_types = ["parallel"]} ins(%[[V]], %[[G]] : tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[VAR:.+]]: f32, %[[GAMMA:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[EPS:.+]] = arith.constant 9.99999974E-6 : f32
// CHECK-NEXT: %[[VE:.+]] = arith.addf %[[VAR]], %[[EPS]]
// CHECK-NEXT: %[[SD:.+]] = math.sqrt %[[VE]]
// CHECK-NEXT: %[[ONE:.+]] = arith.constant 1.000000e+00
// CHECK-NEXT: %[[INV:.+]] = arith.divf %[[ONE]], %[[SD]]
// CHECK-NEXT: %[[SC:.+]] = arith.mulf %[[INV]], %[[GAMMA]]
// CHECK-NEXT: linalg.yield %[[SC]]
// CHECK: %[[T:.+]] = linalg.generic {{.*}} ins(%[[M]], %[[S]], %[[B]] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[MEAN:.+]]: f32, %[[SCALE:.+]]: f32, %[[BETA:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[MS:.+]] = arith.mulf %[[MEAN]], %[[SCALE]]
// CHECK-NEXT: %[[SH:.+]] = arith.subf %[[BETA]], %[[MS]]
// CHECK-NEXT: linalg.yield %[[SH]]
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[CHAN]], #[[CHAN]], #[[ID]]], {{.*}}} ins(%[[X]], %[[S]], %[[T]] : tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %[[SCALE2:.+]]: f32, %[[SHIFT2:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[IN]], %[[SCALE2]]
// CHECK-NEXT: %[[R:.+]] = arith.addf %[[P]], %[[SHIFT2]]
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: bufferization.materialize_in_destination %[[Y]]
module attributes {cnn.mode = "eval"} {
  func.func @affine(%x: tensor<?x4x8x8xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<?x4x8x8xf32> {
    %0 = cnn.batch_norm_eval %x, %m, %v scale %g shift %b eps 1.0e-05 : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
    return %0 : tensor<?x4x8x8xf32>
  }
}

// -----

// Without affine parameters: s = 1/√(var + eps), t = 0 − mean·s.
// CHECK-LABEL: func.func @not_affine
// CHECK: linalg.generic {{.*}} ins(%{{[^ ]+}} : tensor<4xf32>)
// CHECK: arith.divf
// CHECK-NOT: arith.mulf
// CHECK: linalg.yield
// CHECK: linalg.generic {{.*}} ins(%{{[^ ]+}}, %{{[^ ]+}} : tensor<4xf32>, tensor<4xf32>)
// CHECK: arith.constant 0.000000e+00
// CHECK: arith.subf
module attributes {cnn.mode = "eval"} {
  func.func @not_affine(%x: tensor<?x4x8x8xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<?x4x8x8xf32> {
    %0 = cnn.batch_norm_eval %x, %m, %v eps 1.0e-03 : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
    return %0 : tensor<?x4x8x8xf32>
  }
}

// -----

// The fold ops: w' = w · s[o] over the weight, b' = (b − mean)·s + β.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0)>
// CHECK-LABEL: func.func @fold
// CHECK-DAG: %[[W:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<4x3x3x3xf32>
// CHECK: %[[S1:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<4xf32>)
// CHECK: %[[FW:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[OUT]], #[[ID]]], {{.*}}} ins(%[[W]], %[[S1]] : tensor<4x3x3x3xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[WE:.+]]: f32, %[[SE:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[WS:.+]] = arith.mulf %[[WE]], %[[SE]]
// CHECK-NEXT: linalg.yield %[[WS]]
// CHECK: %[[S2:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<4xf32>)
// CHECK: %[[FB:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %[[S2]], %{{.+}}, %{{.+}} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[MEAN:.+]]: f32, %[[SCALE:.+]]: f32, %[[BIAS:.+]]: f32, %[[BETA:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[C:.+]] = arith.subf %[[BIAS]], %[[MEAN]]
// CHECK-NEXT: %[[CS:.+]] = arith.mulf %[[C]], %[[SCALE]]
// CHECK-NEXT: %[[R:.+]] = arith.addf %[[CS]], %[[BETA]]
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.+}}, %[[FW]] :
module attributes {cnn.mode = "eval"} {
  func.func @fold(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %g: tensor<4xf32>, %beta: tensor<4xf32>) -> tensor<?x4x6x6xf32> {
    %fw = cnn.fold_bn_weight %w, %v scale %g eps 1.0e-05 : (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4x3x3x3xf32>
    %fb = cnn.fold_bn_bias %m, %v bias %b scale %g shift %beta eps 1.0e-05 : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %0 = cnn.conv2d %x, %fw, %fb stride [1, 1] padding [0, 0] : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
    return %0 : tensor<?x4x6x6xf32>
  }
}

// -----

// A conv without bias, a batchnorm without affine: b' = −mean·s.
// CHECK-LABEL: func.func @fold_bare
// CHECK: linalg.generic {{.*}} ins(%{{[^ ]+}}, %{{[^ ]+}} : tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[MEAN:.+]]: f32, %[[SCALE:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[NEG:.+]] = arith.negf %[[MEAN]]
// CHECK-NEXT: %[[R:.+]] = arith.mulf %[[NEG]], %[[SCALE]]
// CHECK-NEXT: linalg.yield %[[R]]
module attributes {cnn.mode = "eval"} {
  func.func @fold_bare(%m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<4xf32> {
    %fb = cnn.fold_bn_bias %m, %v eps 1.0e-05 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    return %fb : tensor<4xf32>
  }
}
