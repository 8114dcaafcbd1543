// RUN: cnnc-opt %s --split-input-file --verify-diagnostics --allow-unregistered-dialect --pass-pipeline='builtin.module(cnn-gpu-train-entry)' | FileCheck %s

// train_step with the CPU's signature (model_abi.h's cnnrt_train_step_fn)
// becomes train_step_cuda, of cnnrt_train_step_cuda_fn's: the data set
// and its labels, the batch's indices, and one buffer of scalars. The
// batch is gathered through the indices; each scalar is loaded from its
// place in cnnrt_train_scalars (lr at byte 0, momentum 4, dampening 8,
// weight_decay 12, l2 16, l1 20, nesterov 24, first_step 28, masks_given
// 32, seed 40, step 48: the C layout, derived by hand).

// CHECK-LABEL: func.func @train_step_cuda
// CHECK-SAME: (%[[ARENA:.+]]: memref<?xi8>, %[[IMAGES:.+]]: memref<?x1x4x4xf32>, %[[LABELS:.+]]: memref<?xi32>, %[[BATCH:.+]]: memref<?xi32>, %{{.+}}: memref<?x3xf32>, %{{.+}}: memref<2xf32>, %{{.+}}: memref<?xf32>, %[[SCALARS:.+]]: memref<?xi8>)
// CHECK-DAG: %[[IDX:.+]] = bufferization.to_tensor %[[BATCH]]
// CHECK-DAG: %[[ALL:.+]] = bufferization.to_tensor %[[IMAGES]]
// CHECK: %[[ROWS:.+]] = linalg.generic
// CHECK: %[[ROW:.+]] = tensor.extract %[[IDX]]
// CHECK: %[[J:.+]] = arith.index_cast %[[ROW]] : i32 to index
// CHECK: tensor.extract %[[ALL]][%[[J]],
// CHECK: } -> tensor<?x1x4x4xf32>
// CHECK: linalg.generic
// CHECK: } -> tensor<?xi32>
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C24:.+]] = arith.constant 24 : index
// CHECK-DAG: %[[C48:.+]] = arith.constant 48 : index
// CHECK-DAG: memref.view %[[SCALARS]][%[[C0]]][] : memref<?xi8> to memref<f32>
// CHECK-DAG: memref.view %[[SCALARS]][%[[C24]]][] : memref<?xi8> to memref<i32>
// CHECK-DAG: %[[STEPV:.+]] = memref.view %[[SCALARS]][%[[C48]]][] : memref<?xi8> to memref<i64>
// CHECK-DAG: %[[STEP:.+]] = memref.load %[[STEPV]][]
// CHECK: "test.use"(%[[ROWS]], %{{[0-9]+}}, %[[STEP]], %{{[0-9]+}}, %{{[0-9]+}})
func.func @train_step(%arena: memref<?xi8>, %input: memref<?x1x4x4xf32>,
    %labels: memref<?xi32>, %logits: memref<?x3xf32>, %loss: memref<2xf32>,
    %masks: memref<?xf32>, %lr: f32, %momentum: f32, %dampening: f32,
    %wd: f32, %l2: f32, %l1: f32, %nesterov: i32, %first: i32,
    %given: i32, %seed: i64, %step: i64) {
  %x = bufferization.to_tensor %input restrict : memref<?x1x4x4xf32> to tensor<?x1x4x4xf32>
  %y = bufferization.to_tensor %labels restrict : memref<?xi32> to tensor<?xi32>
  "test.use"(%x, %y, %step, %lr, %nesterov) : (tensor<?x1x4x4xf32>, tensor<?xi32>, i64, f32, i32) -> ()
  return
}

// -----

// A module without the function is left alone.
// CHECK-LABEL: func.func @forward_cuda
// CHECK-SAME: (%{{.+}}: memref<?xi8>, %{{.+}}: memref<?x1x4x4xf32>, %{{.+}}: memref<?x3xf32>)
func.func @forward_cuda(%arena: memref<?xi8>, %input: memref<?x1x4x4xf32>, %logits: memref<?x3xf32>) {
  return
}

// -----

// expected-error @below {{not a training step of model_abi.h's signature}}
func.func @train_step(%arena: memref<?xi8>, %input: memref<?x1x4x4xf32>) {
  return
}
