// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// CHECK-LABEL: func @f
func.func @f(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: cnn.relu %{{.*}} : tensor<?x4xf32>
  %0 = cnn.relu %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
