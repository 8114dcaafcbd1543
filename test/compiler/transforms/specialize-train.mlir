// RUN: cnnc-opt %s -split-input-file -cnn-specialize-train | FileCheck %s
// RUN: cnnc-opt %s -split-input-file -cnn-specialize-train -cnn-specialize-train | FileCheck %s
// RUN: cnnc-opt %s -split-input-file -cnn-specialize-train | cnnc-opt -split-input-file | FileCheck %s

// Dropout multiplies by a mask: one [N, E] mask argument per site in site
// order (not program order), then masks_given, seed and step; the masks
// used are returned after the function's own results.
// CHECK: module attributes {cnn.mode = "train"}
// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x16x8x8xf32>, %[[G0:[^:]+]]: tensor<?x1024xf32>, %[[G1:[^:]+]]: tensor<?x16xf32>, %[[F:[^:]+]]: i32, %[[S:[^:]+]]: i64, %[[T:[^:]+]]: i64)
// CHECK-SAME: -> (tensor<?x1024xf32>, tensor<?x1024xf32>, tensor<?x16xf32>)
// CHECK-NOT: cnn.dropout
// CHECK: %[[M1:.+]] = cnn.dropout_mask p 4.000000e-01 site 1 key %[[S]], %[[T]] given %[[G1]] if %[[F]] : tensor<?x16xf32>
// CHECK: %[[A:.+]] = cnn.apply_mask %[[X]], %[[M1]] : tensor<?x16x8x8xf32>, tensor<?x16xf32>
// CHECK: %[[R:.+]] = cnn.relu %[[A]]
// CHECK: %[[FL:.+]] = cnn.flatten %[[R]]
// CHECK: %[[M0:.+]] = cnn.dropout_mask p 5.000000e-01 site 0 key %[[S]], %[[T]] given %[[G0]] if %[[F]] : tensor<?x1024xf32>
// CHECK: %[[B:.+]] = cnn.apply_mask %[[FL]], %[[M0]] : tensor<?x1024xf32>, tensor<?x1024xf32>
// CHECK-NOT: cnn.dropout
// CHECK: return %[[B]], %[[M0]], %[[M1]]
func.func @dropout(%x: tensor<?x16x8x8xf32>) -> tensor<?x1024xf32> {
  %0 = cnn.dropout2d %x p 0.4 site 1 : tensor<?x16x8x8xf32>
  %1 = cnn.relu %0 : tensor<?x16x8x8xf32>
  %2 = cnn.flatten %1 : tensor<?x16x8x8xf32> -> tensor<?x1024xf32>
  %3 = cnn.dropout %2 p 0.5 site 0 : tensor<?x1024xf32>
  return %3 : tensor<?x1024xf32>
}

// -----

// Element-wise dropout of an NCHW activation: one mask value per element.
// CHECK-LABEL: func.func @dropout_nchw
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x2x3x3xf32>, %[[G:[^:]+]]: tensor<?x18xf32>, %{{[^:]+}}: i32, %{{[^:]+}}: i64, %{{[^:]+}}: i64)
// CHECK: %[[M:.+]] = cnn.dropout_mask p 2.500000e-01 site 0 {{.+}} given %[[G]]
// CHECK: cnn.apply_mask %[[X]], %[[M]] : tensor<?x2x3x3xf32>, tensor<?x18xf32>
func.func @dropout_nchw(%x: tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32> {
  %0 = cnn.dropout %x p 0.25 site 0 : tensor<?x2x3x3xf32>
  return %0 : tensor<?x2x3x3xf32>
}

// -----

// A function without dropout keeps its signature.
// CHECK-LABEL: func.func @no_dropout
// CHECK-SAME: (%{{[^:]+}}: tensor<?x4xf32>) -> tensor<?x4xf32>
func.func @no_dropout(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = cnn.relu %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Batch statistics. A shared batchnorm (two uses of one layer's buffers)
// chains: the second use starts from the first use's running statistics,
// its reads of them go, and each buffer is written once, at the end;
// num_batches_tracked counts both uses. A batchnorm whose statistics are
// not cnn.params updates them in value only.
cnn.param @"bn.weight" : tensor<4xf32> parameter init #cnn.constant<value = 1.0>
cnn.param @"bn.bias" : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
cnn.param @"bn.running_mean" : tensor<4xf32> buffer init #cnn.constant<value = 0.0>
cnn.param @"bn.running_var" : tensor<4xf32> buffer init #cnn.constant<value = 1.0>
cnn.param @"bn.num_batches_tracked" : tensor<i64> buffer init #cnn.constant<value = 0.0>
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4x8x8xf32>, %[[M:[^:]+]]: tensor<4xf32>, %[[V:[^:]+]]: tensor<4xf32>) -> tensor<?x4x8x8xf32>
// CHECK: %[[G:.+]] = cnn.read @bn.weight
// CHECK: %[[B:.+]] = cnn.read @bn.bias
// CHECK: %[[RM:.+]] = cnn.read @bn.running_mean
// CHECK: %[[RV:.+]] = cnn.read @bn.running_var
// CHECK: %[[Y1:[^,]+]], %{{[^,]+}}, %{{[^,]+}}, %[[RM1:[^,]+]], %[[RV1:[^ ]+]] = cnn.batch_norm_train %[[X]], %[[RM]], %[[RV]] scale %[[G]] shift %[[B]] eps 1.000000e-05 momentum 1.000000e-01
// CHECK: %[[N:.+]] = cnn.read @bn.num_batches_tracked : tensor<i64>
// CHECK: %[[N1:.+]] = cnn.increment %[[N]]
// CHECK: %[[G2:.+]] = cnn.read @bn.weight
// CHECK: %[[B2:.+]] = cnn.read @bn.bias
// CHECK-NOT: cnn.read
// CHECK: %[[Y2:[^,]+]], %{{[^,]+}}, %{{[^,]+}}, %[[RM2:[^,]+]], %[[RV2:[^ ]+]] = cnn.batch_norm_train %[[Y1]], %[[RM1]], %[[RV1]] scale %[[G2]] shift %[[B2]] eps 1.000000e-05 momentum 1.000000e-01
// CHECK: %[[N2:.+]] = cnn.increment %[[N1]]
// CHECK: %[[Y3:[^,]+]], {{.+}} = cnn.batch_norm_train %[[Y2]], %[[M]], %[[V]] eps 1.000000e-03 momentum 0.000000e+00
// CHECK-NOT: cnn.batch_norm
// CHECK: cnn.write @bn.running_mean, %[[RM2]]
// CHECK-NEXT: cnn.write @bn.running_var, %[[RV2]]
// CHECK-NEXT: cnn.write @bn.num_batches_tracked, %[[N2]]
// CHECK-NEXT: return %[[Y3]]
func.func @batch_norm(%x: tensor<?x4x8x8xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<?x4x8x8xf32> {
  %g = cnn.read @"bn.weight" : tensor<4xf32>
  %b = cnn.read @"bn.bias" : tensor<4xf32>
  %rm = cnn.read @"bn.running_mean" : tensor<4xf32>
  %rv = cnn.read @"bn.running_var" : tensor<4xf32>
  %0 = cnn.batch_norm %x, %rm, %rv scale %g shift %b eps 1.0e-05 momentum 0.1 : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %g2 = cnn.read @"bn.weight" : tensor<4xf32>
  %b2 = cnn.read @"bn.bias" : tensor<4xf32>
  %rm2 = cnn.read @"bn.running_mean" : tensor<4xf32>
  %rv2 = cnn.read @"bn.running_var" : tensor<4xf32>
  %1 = cnn.batch_norm %0, %rm2, %rv2 scale %g2 shift %b2 eps 1.0e-05 momentum 0.1 : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %2 = cnn.batch_norm %1, %m, %v eps 1.0e-03 momentum 0.0 : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return %2 : tensor<?x4x8x8xf32>
}

// -----

// Other module attributes stay.
// CHECK: module attributes {cnn.mode = "train", cnn.model = "Net"}
module attributes {cnn.model = "Net"} {
}
