// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// The train-mode forward ops: dropout masks, batch statistics, the
// counter, and the write-back of parameters and buffers.

// The training state's roles.
// CHECK: cnn.param @grad.w : tensor<4xf32> gradient init #cnn.constant<value = 0.000000e+00>
// CHECK: cnn.param @momentum_buffer.w : tensor<4xf32> momentum init #cnn.constant<value = 0.000000e+00>
cnn.param @w : tensor<4xf32> parameter init #cnn.constant<value = 1.0>
cnn.param @n : tensor<i64> buffer init #cnn.constant<value = 0.0>
cnn.param @"grad.w" : tensor<4xf32> gradient init #cnn.constant<value = 0.0>
cnn.param @"momentum_buffer.w" : tensor<4xf32> momentum init #cnn.constant<value = 0.0>

// CHECK-LABEL: func @masks
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x16x8x8xf32>, %[[Y:[^:]+]]: tensor<?x32xf32>, %[[G2:[^:]+]]: tensor<?x16xf32>, %[[G:[^:]+]]: tensor<?x32xf32>, %[[F:[^:]+]]: i32, %[[S:[^:]+]]: i64, %[[T:[^:]+]]: i64)
// CHECK: %[[M2:.+]] = cnn.dropout_mask p 4.000000e-01 site 0 key %[[S]], %[[T]] given %[[G2]] if %[[F]] : tensor<?x16xf32>
// CHECK: %[[A:.+]] = cnn.apply_mask %[[X]], %[[M2]] : tensor<?x16x8x8xf32>, tensor<?x16xf32>
// CHECK: %[[M:.+]] = cnn.dropout_mask p 5.000000e-01 site 3 key %[[S]], %[[T]] given %[[G]] if %[[F]] : tensor<?x32xf32>
// CHECK: %[[B:.+]] = cnn.apply_mask %[[Y]], %[[M]] : tensor<?x32xf32>, tensor<?x32xf32>
// CHECK: return %[[A]], %[[B]]
func.func @masks(%x: tensor<?x16x8x8xf32>, %y: tensor<?x32xf32>, %g2: tensor<?x16xf32>, %g: tensor<?x32xf32>, %given: i32, %seed: i64, %step: i64) -> (tensor<?x16x8x8xf32>, tensor<?x32xf32>) {
  %m2 = cnn.dropout_mask p 0.4 site 0 key %seed, %step given %g2 if %given : tensor<?x16xf32>
  %a = cnn.apply_mask %x, %m2 : tensor<?x16x8x8xf32>, tensor<?x16xf32>
  %m = cnn.dropout_mask p 0.5 site 3 key %seed, %step given %g if %given : tensor<?x32xf32>
  %b = cnn.apply_mask %y, %m : tensor<?x32xf32>, tensor<?x32xf32>
  return %a, %b : tensor<?x16x8x8xf32>, tensor<?x32xf32>
}

// An element-wise mask on an NCHW activation: E = C·H·W.
// CHECK-LABEL: func @elementwise
// CHECK: cnn.apply_mask %{{.+}}, %{{.+}} : tensor<?x2x3x3xf32>, tensor<?x18xf32>
func.func @elementwise(%x: tensor<?x2x3x3xf32>, %m: tensor<?x18xf32>) -> tensor<?x2x3x3xf32> {
  %y = cnn.apply_mask %x, %m : tensor<?x2x3x3xf32>, tensor<?x18xf32>
  return %y : tensor<?x2x3x3xf32>
}

// CHECK-LABEL: func @batch_norm_train
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4x8x8xf32>, %[[M:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>, %[[G:[^:]+]]: tensor<4xf32>, %[[B:[^:]+]]: tensor<4xf32>)
// CHECK: %[[Y:[^,]+]], %{{[^,]+}}, %{{[^,]+}}, %[[RM:[^,]+]], %[[RV:[^ ]+]] = cnn.batch_norm_train %[[X]], %[[M]], %[[V]] scale %[[G]] shift %[[B]] eps 1.000000e-05 momentum 1.000000e-01 : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: %[[Y2:[^,]+]], {{.+}} = cnn.batch_norm_train %[[Y]], %[[RM]], %[[RV]] eps 1.000000e-03 momentum 0.000000e+00 : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: return %[[Y2]]
func.func @batch_norm_train(%x: tensor<?x4x8x8xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<?x4x8x8xf32> {
  %y, %mean, %invstd, %rm, %rv = cnn.batch_norm_train %x, %m, %v scale %g shift %b eps 1.0e-05 momentum 0.1 : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  %y2:5 = cnn.batch_norm_train %y, %rm, %rv eps 1.0e-03 momentum 0.0 : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %y2#0 : tensor<?x4x8x8xf32>
}

// CHECK-LABEL: func @write
// CHECK: %[[N:.+]] = cnn.read @n : tensor<i64>
// CHECK: %[[N1:.+]] = cnn.increment %[[N]] : tensor<i64>
// CHECK: cnn.write @n, %[[N1]] : tensor<i64>
// CHECK: cnn.write @w, %{{.+}} : tensor<4xf32>
func.func @write(%w: tensor<4xf32>) {
  %n = cnn.read @n : tensor<i64>
  %n1 = cnn.increment %n : tensor<i64>
  cnn.write @n, %n1 : tensor<i64>
  cnn.write @w, %w : tensor<4xf32>
  return
}
