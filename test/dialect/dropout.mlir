// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s
// RUN: cnnc-opt %s -canonicalize | FileCheck %s --check-prefix=FOLD

// CHECK-LABEL: func @dropout
// CHECK: cnn.dropout %{{.*}} p 4.000000e-01 site 0 : tensor<?x32xf32>
// CHECK: cnn.dropout2d %{{.*}} p 4.000000e-01 site 1 : tensor<?x16x16x16xf32>
func.func @dropout(%x: tensor<?x32xf32>, %y: tensor<?x16x16x16xf32>) -> (tensor<?x32xf32>, tensor<?x16x16x16xf32>) {
  %0 = cnn.dropout %x p 0.4 site 0 : tensor<?x32xf32>
  %1 = cnn.dropout2d %y p 0.4 site 1 : tensor<?x16x16x16xf32>
  return %0, %1 : tensor<?x32xf32>, tensor<?x16x16x16xf32>
}

// p = 0 keeps everything: both fold away, p > 0 stays.
// FOLD-LABEL: func @fold
// FOLD-SAME: (%[[X:.+]]: tensor<?x32xf32>, %[[Y:.+]]: tensor<?x16x16x16xf32>)
// FOLD-NEXT: %[[D:.+]] = cnn.dropout %[[X]] p 5.000000e-01 site 2
// FOLD-NEXT: return %[[D]], %[[Y]]
func.func @fold(%x: tensor<?x32xf32>, %y: tensor<?x16x16x16xf32>) -> (tensor<?x32xf32>, tensor<?x16x16x16xf32>) {
  %0 = cnn.dropout %x p 0.0 site 0 : tensor<?x32xf32>
  %1 = cnn.dropout2d %y p 0.0 site 1 : tensor<?x16x16x16xf32>
  %2 = cnn.dropout %0 p 0.5 site 2 : tensor<?x32xf32>
  return %2, %1 : tensor<?x32xf32>, tensor<?x16x16x16xf32>
}
