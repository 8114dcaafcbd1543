// RUN: cnnc-opt %s -cnn-specialize-train | FileCheck %s --check-prefix=SPEC
// RUN: cnnc-opt %s -cnn-specialize-train -cnn-build-train-step -canonicalize -cse | FileCheck %s --check-prefix=STEP

// Repeated blocks in the training step stay loops. A shared block (3 uses
// of one block) and a sequential one (2 distinct blocks), each conv,
// batchnorm, relu and a residual add, as MLIRGen makes them.

// cnn-specialize-train reads every param before the loops. The shared
// block's batchnorm buffers (and num_batches_tracked) are carried from
// iteration to iteration and written once after; the distinct blocks' are
// slices of stacks read whole, and their new values are stacked results,
// written whole.
// SPEC-LABEL: func.func @forward
// SPEC:       %[[W:.+]] = cnn.read @shared_blocks.0.conv.weight
// SPEC:       %[[RM:.+]] = cnn.read @shared_blocks.0.bn.running_mean
// SPEC-NEXT:  %[[RV:.+]] = cnn.read @shared_blocks.0.bn.running_var
// SPEC-NEXT:  %[[N:.+]] = cnn.read @shared_blocks.0.bn.num_batches_tracked
// SPEC-NEXT:  %[[SHARED:.+]]:4 = cnn.repeat %arg0, %[[RM]], %[[RV]], %[[N]] count 3 :
// SPEC-NEXT:  ^bb0(%{{.+}}: index, %[[X:[^:]+]]: tensor<?x2x4x4xf32>, %[[RMK:[^:]+]]: tensor<2xf32>, %[[RVK:[^:]+]]: tensor<2xf32>, %[[NK:[^:]+]]: tensor<i64>):
// SPEC-NEXT:  %[[C:.+]] = cnn.conv2d %[[X]], %[[W]]
// SPEC-NEXT:  %{{.+}}, %{{.+}}, %{{.+}}, %[[RM1:[^,]+]], %[[RV1:[^ ]+]] = cnn.batch_norm_train %[[C]], %[[RMK]], %[[RVK]]
// SPEC-NEXT:  %[[N1:.+]] = cnn.increment %[[NK]]
// SPEC:       cnn.yield %{{.+}}, %[[RM1]], %[[RV1]], %[[N1]] :
// SPEC:       %[[DW:.+]] = cnn.read @"distinct_blocks.*.conv.weight" : tensor<2x2x2x3x3xf32>
// SPEC:       %[[DRM:.+]] = cnn.read @"distinct_blocks.*.bn.running_mean" : tensor<2x2xf32>
// SPEC-NEXT:  %[[DRV:.+]] = cnn.read @"distinct_blocks.*.bn.running_var" : tensor<2x2xf32>
// SPEC-NEXT:  %[[DN:.+]] = cnn.read @"distinct_blocks.*.bn.num_batches_tracked" : tensor<2xi64>
// SPEC-NEXT:  %[[DISTINCT:.+]]:4 = cnn.repeat %[[SHARED]]#0 stacked %[[DW]], %{{.+}}, %{{.+}}, %[[DRM]], %[[DRV]], %[[DN]] count 2 : ({{.+}}) -> (tensor<?x2x4x4xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xi64>)
// SPEC-NEXT:  ^bb0(%{{.+}}: index, %[[DX:[^:]+]]: tensor<?x2x4x4xf32>, %[[WK:[^:]+]]: tensor<2x2x3x3xf32>, %{{[^:]+}}: tensor<2xf32>, %{{[^:]+}}: tensor<2xf32>, %[[RMS:[^:]+]]: tensor<2xf32>, %[[RVS:[^:]+]]: tensor<2xf32>, %[[NS:[^:]+]]: tensor<i64>):
// SPEC-NEXT:  %[[DC:.+]] = cnn.conv2d %[[DX]], %[[WK]]
// SPEC-NEXT:  %{{.+}}, %{{.+}}, %{{.+}}, %[[DRM1:[^,]+]], %[[DRV1:[^ ]+]] = cnn.batch_norm_train %[[DC]], %[[RMS]], %[[RVS]]
// SPEC-NEXT:  %[[DN1:.+]] = cnn.increment %[[NS]]
// SPEC:       cnn.yield %{{.+}}, %[[DRM1]], %[[DRV1]], %[[DN1]] :
// SPEC:       cnn.write @shared_blocks.0.bn.running_mean, %[[SHARED]]#1 : tensor<2xf32>
// SPEC-NEXT:  cnn.write @shared_blocks.0.bn.running_var, %[[SHARED]]#2 : tensor<2xf32>
// SPEC-NEXT:  cnn.write @shared_blocks.0.bn.num_batches_tracked, %[[SHARED]]#3 : tensor<i64>
// SPEC-NEXT:  cnn.write @"distinct_blocks.*.bn.running_mean", %[[DISTINCT]]#1 : tensor<2x2xf32>
// SPEC-NEXT:  cnn.write @"distinct_blocks.*.bn.running_var", %[[DISTINCT]]#2 : tensor<2x2xf32>
// SPEC-NEXT:  cnn.write @"distinct_blocks.*.bn.num_batches_tracked", %[[DISTINCT]]#3 : tensor<2xi64>

// cnn-build-train-step: a stack's training state is a stack whose slices are
// named after the param's slices. The distinct blocks' backward loop runs in
// reverse over the saved stacks and the weight stacks, its weight gradients
// are stacked results, and each stack is updated by one cnn.sgd_update.
// STEP:       cnn.param @"grad.distinct_blocks.*.conv.weight" : tensor<2x2x2x3x3xf32> gradient {{.*}} slices ["grad.distinct_blocks.0.conv.weight", "grad.distinct_blocks.1.conv.weight"]
// STEP:       cnn.param @"momentum_buffer.distinct_blocks.*.conv.weight" : tensor<2x2x2x3x3xf32> momentum {{.*}} slices ["momentum_buffer.distinct_blocks.0.conv.weight", "momentum_buffer.distinct_blocks.1.conv.weight"]
// STEP-LABEL: func.func @train_step
// STEP:       %[[DW:.+]] = cnn.read @"distinct_blocks.*.conv.weight" : tensor<2x2x2x3x3xf32>
// STEP:       %[[FWD:.+]]:8 = cnn.repeat %{{.+}} stacked %[[DW]], {{.+}} count 2 :
// STEP:       %[[BWD:.+]]:4 = cnn.repeat %{{.+}} stacked %[[FWD]]#4, %[[DW]], {{.+}} count 2 reverse : ({{.+}}) -> (tensor<?x2x4x4xf32>, tensor<2x2x2x3x3xf32>, tensor<2x2xf32>, tensor<2x2xf32>)
// STEP:       ^bb0(%{{.+}}: index, %[[DY:[^:]+]]: tensor<?x2x4x4xf32>, %[[XK:[^:]+]]: tensor<?x2x4x4xf32>, %[[WK:[^:]+]]: tensor<2x2x3x3xf32>, %[[GK:[^:]+]]: tensor<2xf32>, %[[BK:[^:]+]]: tensor<2xf32>, %[[CK:[^:]+]]: tensor<?x2x4x4xf32>, %[[MK:[^:]+]]: tensor<2xf32>, %[[IK:[^:]+]]: tensor<2xf32>):
// The relu's mask from its input, the batchnorm's result recomputed from
// the conv's output and the batch statistics: the relu's output is not
// stacked.
// STEP-NEXT:  %[[Z:.+]] = cnn.batch_norm_apply %[[CK]], %[[MK]], %[[IK]] scale %[[GK]] shift %[[BK]]
// STEP-NEXT:  %[[DR:.+]] = cnn.relu_grad %[[Z]], %[[DY]]
// STEP-NEXT:  %[[DC:[^,]+]], %[[DG:[^,]+]], %[[DB:[^ ]+]] = cnn.batch_norm_train_grad %[[CK]], %[[DR]], %[[MK]], %[[IK]] scale %[[GK]]
// STEP-NEXT:  %[[DX:.+]] = cnn.conv2d_input_grad %[[DC]], %[[WK]]
// STEP-NEXT:  %[[DWK:.+]] = cnn.conv2d_weight_grad %[[XK]], %[[DC]]
// STEP-NEXT:  %[[DIN:.+]] = cnn.add %[[DY]], %[[DX]]
// STEP-NEXT:  cnn.yield %[[DIN]], %[[DWK]], %[[DG]], %[[DB]] :
// The shared blocks' backward follows, from the distinct blocks' input
// gradient.
// STEP:       cnn.repeat %[[BWD]]#0, {{.+}} count 3 reverse
// The stack's gradient is summed over the replicas with the others.
// STEP:       %[[SUM:.+]]:8 = cnn.replica_sum %{{.+}}#1, %{{.+}}#2, %{{.+}}#3, %[[BWD]]#1, %[[BWD]]#2, %[[BWD]]#3, %{{.+}}, %{{.+}} : tensor<2x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2x2x2x3x3xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x32xf32>, tensor<2xf32>
// STEP:       %[[NEWW:[^,]+]], %[[NEWB:[^ ]+]] = cnn.sgd_update %[[DW]], %[[SUM]]#3, {{.+}} : tensor<2x2x2x3x3xf32>
// STEP:       cnn.write @"grad.distinct_blocks.*.conv.weight", %[[SUM]]#3 : tensor<2x2x2x3x3xf32>
// STEP-NEXT:  cnn.write @"distinct_blocks.*.conv.weight", %[[NEWW]] : tensor<2x2x2x3x3xf32>
// STEP-NEXT:  cnn.write @"momentum_buffer.distinct_blocks.*.conv.weight", %[[NEWB]] : tensor<2x2x2x3x3xf32>

module attributes {cnn.model = "Blocks"} {
  cnn.train_config loss = cross_entropy optimizer = #cnn.sgd<lr = 1.000000e-01, momentum = 0.000000e+00, dampening = 0.000000e+00, nesterov = false, weight_decay = 0.000000e+00> penalty = #cnn.penalty<none> epochs = 1 batch_size = 4 seed = 0
  cnn.param @shared_blocks.0.conv.weight : tensor<2x2x3x3xf32> parameter init #cnn.uniform<low = -0.23570226039551587, high = 0.23570226039551587> aliases ["shared_blocks.1.conv.weight", "shared_blocks.2.conv.weight"]
  cnn.param @shared_blocks.0.bn.weight : tensor<2xf32> parameter init #cnn.constant<value = 1.000000e+00> aliases ["shared_blocks.1.bn.weight", "shared_blocks.2.bn.weight"]
  cnn.param @shared_blocks.0.bn.bias : tensor<2xf32> parameter init #cnn.constant<value = 0.000000e+00> aliases ["shared_blocks.1.bn.bias", "shared_blocks.2.bn.bias"]
  cnn.param @shared_blocks.0.bn.running_mean : tensor<2xf32> buffer init #cnn.constant<value = 0.000000e+00> aliases ["shared_blocks.1.bn.running_mean", "shared_blocks.2.bn.running_mean"]
  cnn.param @shared_blocks.0.bn.running_var : tensor<2xf32> buffer init #cnn.constant<value = 1.000000e+00> aliases ["shared_blocks.1.bn.running_var", "shared_blocks.2.bn.running_var"]
  cnn.param @shared_blocks.0.bn.num_batches_tracked : tensor<i64> buffer init #cnn.constant<value = 0.000000e+00> aliases ["shared_blocks.1.bn.num_batches_tracked", "shared_blocks.2.bn.num_batches_tracked"]
  cnn.param @"distinct_blocks.*.conv.weight" : tensor<2x2x2x3x3xf32> parameter init #cnn.uniform<low = -0.23570226039551587, high = 0.23570226039551587> slices ["distinct_blocks.0.conv.weight", "distinct_blocks.1.conv.weight"]
  cnn.param @"distinct_blocks.*.bn.weight" : tensor<2x2xf32> parameter init #cnn.constant<value = 1.000000e+00> slices ["distinct_blocks.0.bn.weight", "distinct_blocks.1.bn.weight"]
  cnn.param @"distinct_blocks.*.bn.bias" : tensor<2x2xf32> parameter init #cnn.constant<value = 0.000000e+00> slices ["distinct_blocks.0.bn.bias", "distinct_blocks.1.bn.bias"]
  cnn.param @"distinct_blocks.*.bn.running_mean" : tensor<2x2xf32> buffer init #cnn.constant<value = 0.000000e+00> slices ["distinct_blocks.0.bn.running_mean", "distinct_blocks.1.bn.running_mean"]
  cnn.param @"distinct_blocks.*.bn.running_var" : tensor<2x2xf32> buffer init #cnn.constant<value = 1.000000e+00> slices ["distinct_blocks.0.bn.running_var", "distinct_blocks.1.bn.running_var"]
  cnn.param @"distinct_blocks.*.bn.num_batches_tracked" : tensor<2xi64> buffer init #cnn.constant<value = 0.000000e+00> slices ["distinct_blocks.0.bn.num_batches_tracked", "distinct_blocks.1.bn.num_batches_tracked"]
  cnn.param @fc.weight : tensor<2x32xf32> parameter init #cnn.uniform<low = -0.17677669529663687, high = 0.17677669529663687>
  cnn.param @fc.bias : tensor<2xf32> parameter init #cnn.uniform<low = -0.17677669529663687, high = 0.17677669529663687>
  func.func @forward(%arg0: tensor<?x2x4x4xf32>) -> tensor<?x2xf32> {
    %0 = cnn.repeat %arg0 count 3 : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {
    ^bb0(%arg1: index, %arg2: tensor<?x2x4x4xf32>):
      %6 = cnn.read @shared_blocks.0.conv.weight : tensor<2x2x3x3xf32>
      %7 = cnn.conv2d %arg2, %6 stride [1, 1] padding [1, 1] : (tensor<?x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x4x4xf32>
      %8 = cnn.read @shared_blocks.0.bn.weight : tensor<2xf32>
      %9 = cnn.read @shared_blocks.0.bn.bias : tensor<2xf32>
      %10 = cnn.read @shared_blocks.0.bn.running_mean : tensor<2xf32>
      %11 = cnn.read @shared_blocks.0.bn.running_var : tensor<2xf32>
      %12 = cnn.batch_norm %7, %10, %11 scale %8 shift %9 eps 1.000000e-05 momentum 1.000000e-01 : (tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
      %13 = cnn.relu %12 : tensor<?x2x4x4xf32>
      %14 = cnn.add %13, %arg2 : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
      cnn.yield %14 : tensor<?x2x4x4xf32>
    }
    %1 = cnn.repeat %0 count 2 : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {
    ^bb0(%arg1: index, %arg2: tensor<?x2x4x4xf32>):
      %6 = cnn.read @"distinct_blocks.*.conv.weight"[%arg1] : tensor<2x2x3x3xf32>
      %7 = cnn.conv2d %arg2, %6 stride [1, 1] padding [1, 1] : (tensor<?x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x4x4xf32>
      %8 = cnn.read @"distinct_blocks.*.bn.weight"[%arg1] : tensor<2xf32>
      %9 = cnn.read @"distinct_blocks.*.bn.bias"[%arg1] : tensor<2xf32>
      %10 = cnn.read @"distinct_blocks.*.bn.running_mean"[%arg1] : tensor<2xf32>
      %11 = cnn.read @"distinct_blocks.*.bn.running_var"[%arg1] : tensor<2xf32>
      %12 = cnn.batch_norm %7, %10, %11 scale %8 shift %9 eps 1.000000e-05 momentum 1.000000e-01 : (tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
      %13 = cnn.relu %12 : tensor<?x2x4x4xf32>
      %14 = cnn.add %13, %arg2 : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
      cnn.yield %14 : tensor<?x2x4x4xf32>
    }
    %2 = cnn.flatten %1 : tensor<?x2x4x4xf32> -> tensor<?x32xf32>
    %3 = cnn.read @fc.weight : tensor<2x32xf32>
    %4 = cnn.read @fc.bias : tensor<2xf32>
    %5 = cnn.linear %2, %3, %4 : (tensor<?x32xf32>, tensor<2x32xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    return %5 : tensor<?x2xf32>
  }
}
