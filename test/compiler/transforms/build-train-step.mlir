// RUN: cnnc-opt %s -split-input-file -cnn-specialize-train -cnn-build-train-step | FileCheck %s
// RUN: cnnc-opt %s -split-input-file -cnn-specialize-train -cnn-build-train-step | cnnc-opt -split-input-file | FileCheck %s

// The gradient graph of each op kind, on tiny models: each operand of a
// gradient op is checked to be the right forward value or gradient.

// Linear: the signature, the training state after the model's tensors
// (gradients, then momentum buffers, in parameter order), the loss, the
// gradients, summed over the replicas of a data-parallel run in one
// exchange, one update per parameter and the writes. No gradient of the
// input batch: the unflatten it would need is gone.
cnn.param @"fc.weight" : tensor<3x8xf32> parameter init #cnn.constant<value = 0.5>
cnn.param @"fc.bias" : tensor<3xf32> parameter init #cnn.constant<value = 0.0>
func.func @forward(%x: tensor<?x2x2x2xf32>) -> tensor<?x3xf32> {
  %f = cnn.flatten %x : tensor<?x2x2x2xf32> -> tensor<?x8xf32>
  %w = cnn.read @"fc.weight" : tensor<3x8xf32>
  %b = cnn.read @"fc.bias" : tensor<3xf32>
  %y = cnn.linear %f, %w, %b : (tensor<?x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
// CHECK: cnn.param @fc.weight : tensor<3x8xf32> parameter
// CHECK-NEXT: cnn.param @fc.bias : tensor<3xf32> parameter
// CHECK-NEXT: cnn.param @grad.fc.weight : tensor<3x8xf32> gradient init #cnn.constant<value = 0.000000e+00>
// CHECK-NEXT: cnn.param @grad.fc.bias : tensor<3xf32> gradient init #cnn.constant<value = 0.000000e+00>
// CHECK-NEXT: cnn.param @momentum_buffer.fc.weight : tensor<3x8xf32> momentum init #cnn.constant<value = 0.000000e+00>
// CHECK-NEXT: cnn.param @momentum_buffer.fc.bias : tensor<3xf32> momentum init #cnn.constant<value = 0.000000e+00>
// CHECK-NOT: func.func @forward
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x2x2x2xf32>, %[[LABELS:[^:]+]]: tensor<?xi32>, %[[LR:[^:]+]]: f32, %[[MU:[^:]+]]: f32, %[[DAMP:[^:]+]]: f32, %[[WD:[^:]+]]: f32, %[[L2:[^:]+]]: f32, %[[L1:[^:]+]]: f32, %[[NEST:[^:]+]]: i32, %[[FIRST:[^:]+]]: i32, %{{[^:]+}}: i32, %{{[^:]+}}: i64, %{{[^:]+}}: i64)
// CHECK-SAME: -> (tensor<?x3xf32>, tensor<2xf32>)
// CHECK: %[[F:.+]] = cnn.flatten %[[X]]
// CHECK: %[[W:.+]] = cnn.read @fc.weight
// CHECK: %[[B:.+]] = cnn.read @fc.bias
// CHECK: %[[Y:.+]] = cnn.linear %[[F]], %[[W]], %[[B]]
// CHECK: %[[CE:.+]] = cnn.cross_entropy %[[Y]], %[[LABELS]]
// CHECK: %[[DY:.+]] = cnn.cross_entropy_grad %[[Y]], %[[LABELS]]
// CHECK-NOT: cnn.linear_input_grad
// CHECK: %[[DW:.+]] = cnn.linear_weight_grad %[[F]], %[[DY]] : (tensor<?x8xf32>, tensor<?x3xf32>) -> tensor<3x8xf32>
// CHECK: %[[DB:.+]] = cnn.bias_grad %[[DY]] : tensor<?x3xf32> -> tensor<3xf32>
// CHECK: %[[SUM:.+]]:2 = cnn.replica_sum %[[DW]], %[[DB]] : tensor<3x8xf32>, tensor<3xf32>
// CHECK: %[[PEN:.+]] = cnn.penalty l2 %[[L2]] l1 %[[L1]] of %[[W]], %[[B]]
// CHECK: %[[LOSS:.+]] = cnn.pack_loss %[[CE]], %[[PEN]]
// CHECK: %[[BW:.+]] = cnn.read @momentum_buffer.fc.weight
// CHECK: %[[PW:[^,]+]], %[[NBW:[^ ]+]] = cnn.sgd_update %[[W]], %[[SUM]]#0, %[[BW]] lr %[[LR]] momentum %[[MU]] dampening %[[DAMP]] weight_decay %[[WD]] l2 %[[L2]] l1 %[[L1]] nesterov %[[NEST]] first_step %[[FIRST]] : tensor<3x8xf32>
// CHECK: %[[BB:.+]] = cnn.read @momentum_buffer.fc.bias
// CHECK: %[[PB:[^,]+]], %[[NBB:[^ ]+]] = cnn.sgd_update %[[B]], %[[SUM]]#1, %[[BB]] lr %[[LR]]
// CHECK-NEXT: cnn.write @grad.fc.weight, %[[SUM]]#0
// CHECK-NEXT: cnn.write @fc.weight, %[[PW]]
// CHECK-NEXT: cnn.write @momentum_buffer.fc.weight, %[[NBW]]
// CHECK-NEXT: cnn.write @grad.fc.bias, %[[SUM]]#1
// CHECK-NEXT: cnn.write @fc.bias, %[[PB]]
// CHECK-NEXT: cnn.write @momentum_buffer.fc.bias, %[[NBB]]
// CHECK-NEXT: return %[[Y]], %[[LOSS]]

// -----

// Convolutions (with a stride, so the input gradient states its shape),
// pooling and activations in a chain: each gradient feeds the next.
cnn.param @"conv.weight" : tensor<4x2x3x3xf32> parameter init #cnn.constant<value = 0.1>
cnn.param @"conv2.weight" : tensor<4x4x1x1xf32> parameter init #cnn.constant<value = 0.1>
cnn.param @"conv2.bias" : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
func.func @forward(%x: tensor<?x2x9x9xf32>) -> tensor<?x4xf32> {
  %w = cnn.read @"conv.weight" : tensor<4x2x3x3xf32>
  %c = cnn.conv2d %x, %w stride [2, 2] padding [1, 1] : (tensor<?x2x9x9xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x5x5xf32>
  %r = cnn.relu %c : tensor<?x4x5x5xf32>
  %w2 = cnn.read @"conv2.weight" : tensor<4x4x1x1xf32>
  %b2 = cnn.read @"conv2.bias" : tensor<4xf32>
  %c2 = cnn.conv2d %r, %w2, %b2 stride [1, 1] padding [0, 0] : (tensor<?x4x5x5xf32>, tensor<4x4x1x1xf32>, tensor<4xf32>) -> tensor<?x4x5x5xf32>
  %m = cnn.max_pool2d %c2 kernel [2, 2] stride [2, 2] : tensor<?x4x5x5xf32> -> tensor<?x4x2x2xf32>
  %t = cnn.tanh %m : tensor<?x4x2x2xf32>
  %a = cnn.avg_pool2d %t kernel [2, 2] stride [2, 2] : tensor<?x4x2x2xf32> -> tensor<?x4x1x1xf32>
  %s = cnn.sigmoid %a : tensor<?x4x1x1xf32>
  %f = cnn.flatten %s : tensor<?x4x1x1xf32> -> tensor<?x4xf32>
  return %f : tensor<?x4xf32>
}
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x2x9x9xf32>, %[[LABELS:[^:]+]]: tensor<?xi32>
// CHECK: %[[W:.+]] = cnn.read @conv.weight
// CHECK: %[[C:.+]] = cnn.conv2d %[[X]], %[[W]]
// CHECK: %[[R:.+]] = cnn.relu %[[C]]
// CHECK: %[[W2:.+]] = cnn.read @conv2.weight
// CHECK: %[[B2:.+]] = cnn.read @conv2.bias
// CHECK: %[[C2:.+]] = cnn.conv2d %[[R]], %[[W2]], %[[B2]]
// CHECK: %[[M:.+]] = cnn.max_pool2d %[[C2]]
// CHECK: %[[T:.+]] = cnn.tanh %[[M]]
// CHECK: %[[A:.+]] = cnn.avg_pool2d %[[T]]
// CHECK: %[[S:.+]] = cnn.sigmoid %[[A]]
// CHECK: %[[Y:.+]] = cnn.flatten %[[S]]
// CHECK: %[[DY:.+]] = cnn.cross_entropy_grad %[[Y]], %[[LABELS]]
// CHECK: %[[DS:.+]] = cnn.unflatten %[[DY]] : tensor<?x4xf32> -> tensor<?x4x1x1xf32>
// CHECK: %[[DA:.+]] = cnn.sigmoid_grad %[[S]], %[[DS]] : tensor<?x4x1x1xf32>
// CHECK: %[[DT:.+]] = cnn.avg_pool2d_grad %[[DA]] kernel [2, 2] stride [2, 2] : tensor<?x4x1x1xf32> -> tensor<?x4x2x2xf32>
// CHECK: %[[DM:.+]] = cnn.tanh_grad %[[T]], %[[DT]] : tensor<?x4x2x2xf32>
// CHECK: %[[DC2:.+]] = cnn.max_pool2d_grad %[[C2]], %[[DM]] kernel [2, 2] stride [2, 2] : tensor<?x4x5x5xf32>, tensor<?x4x2x2xf32>
// CHECK: %[[DR:.+]] = cnn.conv2d_input_grad %[[DC2]], %[[W2]] stride [1, 1] padding [0, 0] : (tensor<?x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x5x5xf32>
// CHECK: %[[DW2:.+]] = cnn.conv2d_weight_grad %[[R]], %[[DC2]] stride [1, 1] padding [0, 0] : (tensor<?x4x5x5xf32>, tensor<?x4x5x5xf32>) -> tensor<4x4x1x1xf32>
// CHECK: %[[DB2:.+]] = cnn.bias_grad %[[DC2]] : tensor<?x4x5x5xf32> -> tensor<4xf32>
// CHECK: %[[DC:.+]] = cnn.relu_grad %[[R]], %[[DR]] : tensor<?x4x5x5xf32>
// CHECK-NOT: cnn.conv2d_input_grad
// CHECK: %[[DW:.+]] = cnn.conv2d_weight_grad %[[X]], %[[DC]] stride [2, 2] padding [1, 1] : (tensor<?x2x9x9xf32>, tensor<?x4x5x5xf32>) -> tensor<4x2x3x3xf32>
// CHECK: %[[SUM:.+]]:3 = cnn.replica_sum %[[DW]], %[[DW2]], %[[DB2]] :
// CHECK: cnn.sgd_update %[[W]], %[[SUM]]#0,
// CHECK: cnn.sgd_update %[[W2]], %[[SUM]]#1,
// CHECK: cnn.sgd_update %[[B2]], %[[SUM]]#2,

// -----

// Fan-out: a value used twice (a residual) gets the sum of its uses'
// gradients, accumulated in reverse program order.
cnn.param @w : tensor<2x2x1x1xf32> parameter init #cnn.constant<value = 0.1>
func.func @forward(%x: tensor<?x2x1x1xf32>) -> tensor<?x2xf32> {
  %w = cnn.read @w : tensor<2x2x1x1xf32>
  %a = cnn.conv2d %x, %w stride [1, 1] padding [0, 0] : (tensor<?x2x1x1xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x1x1xf32>
  %r = cnn.relu %a : tensor<?x2x1x1xf32>
  %s = cnn.add %r, %a : (tensor<?x2x1x1xf32>, tensor<?x2x1x1xf32>) -> tensor<?x2x1x1xf32>
  %f = cnn.flatten %s : tensor<?x2x1x1xf32> -> tensor<?x2xf32>
  return %f : tensor<?x2xf32>
}
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x2x1x1xf32>
// CHECK: %[[A:.+]] = cnn.conv2d %[[X]]
// CHECK: %[[R:.+]] = cnn.relu %[[A]]
// CHECK: %[[DY:.+]] = cnn.cross_entropy_grad
// CHECK: %[[DS:.+]] = cnn.unflatten %[[DY]]
// CHECK: %[[DR:.+]] = cnn.relu_grad %[[R]], %[[DS]]
// CHECK: %[[DA:.+]] = cnn.add %[[DS]], %[[DR]]
// CHECK: %[[DW:.+]] = cnn.conv2d_weight_grad %[[X]], %[[DA]]
// CHECK: %[[SUM:.+]] = cnn.replica_sum %[[DW]]
// CHECK: cnn.write @grad.w, %[[SUM]]

// -----

// Shared weights: a parameter read twice gets the sum of both reads'
// gradients (in program order), which is both written and used.
cnn.param @w : tensor<4x4xf32> parameter init #cnn.constant<value = 0.1>
func.func @forward(%x: tensor<?x4x1x1xf32>) -> tensor<?x4xf32> {
  %f = cnn.flatten %x : tensor<?x4x1x1xf32> -> tensor<?x4xf32>
  %w1 = cnn.read @w : tensor<4x4xf32>
  %h = cnn.linear %f, %w1 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %w2 = cnn.read @w : tensor<4x4xf32>
  %y = cnn.linear %h, %w2 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
// CHECK-LABEL: func.func @train_step
// CHECK: %[[F:.+]] = cnn.flatten
// CHECK: %[[W1:.+]] = cnn.read @w
// CHECK: %[[H:.+]] = cnn.linear %[[F]], %[[W1]]
// CHECK: %[[W2:.+]] = cnn.read @w
// CHECK: %[[Y:.+]] = cnn.linear %[[H]], %[[W2]]
// CHECK: %[[DY:.+]] = cnn.cross_entropy_grad %[[Y]]
// CHECK: %[[DH:.+]] = cnn.linear_input_grad %[[DY]], %[[W2]]
// CHECK: %[[DW2:.+]] = cnn.linear_weight_grad %[[H]], %[[DY]]
// CHECK: %[[DW1:.+]] = cnn.linear_weight_grad %[[F]], %[[DH]]
// CHECK: %[[DW:.+]] = cnn.add %[[DW1]], %[[DW2]] : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK: %[[SUM:.+]] = cnn.replica_sum %[[DW]] : tensor<4x4xf32>
// CHECK: cnn.penalty l2 %{{.+}} l1 %{{.+}} of %[[W1]] : tensor<4x4xf32>
// CHECK: %[[P:[^,]+]], %{{.+}} = cnn.sgd_update %[[W1]], %[[SUM]],
// CHECK: cnn.write @grad.w, %[[SUM]]
// CHECK-NEXT: cnn.write @w, %[[P]]

// -----

// Batchnorm: the train gradient from the forward's batch statistics; γ
// and β get theirs, the buffers none. The buffers' writes come first.
cnn.param @"bn.weight" : tensor<2xf32> parameter init #cnn.constant<value = 1.0>
cnn.param @"bn.bias" : tensor<2xf32> parameter init #cnn.constant<value = 0.0>
cnn.param @"bn.running_mean" : tensor<2xf32> buffer init #cnn.constant<value = 0.0>
cnn.param @"bn.running_var" : tensor<2xf32> buffer init #cnn.constant<value = 1.0>
cnn.param @"bn.num_batches_tracked" : tensor<i64> buffer init #cnn.constant<value = 0.0>
func.func @forward(%x: tensor<?x2x2x2xf32>) -> tensor<?x8xf32> {
  %g = cnn.read @"bn.weight" : tensor<2xf32>
  %b = cnn.read @"bn.bias" : tensor<2xf32>
  %rm = cnn.read @"bn.running_mean" : tensor<2xf32>
  %rv = cnn.read @"bn.running_var" : tensor<2xf32>
  %y = cnn.batch_norm %x, %rm, %rv scale %g shift %b eps 1.0e-05 momentum 0.1 : (tensor<?x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x2x2xf32>
  %f = cnn.flatten %y : tensor<?x2x2x2xf32> -> tensor<?x8xf32>
  return %f : tensor<?x8xf32>
}
// CHECK: cnn.param @bn.num_batches_tracked
// CHECK-NEXT: cnn.param @grad.bn.weight : tensor<2xf32> gradient
// CHECK-NEXT: cnn.param @grad.bn.bias : tensor<2xf32> gradient
// CHECK-NEXT: cnn.param @momentum_buffer.bn.weight : tensor<2xf32> momentum
// CHECK-NEXT: cnn.param @momentum_buffer.bn.bias : tensor<2xf32> momentum
// CHECK-NOT: cnn.param
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x2x2x2xf32>
// CHECK: %[[G:.+]] = cnn.read @bn.weight
// CHECK: %[[B:.+]] = cnn.read @bn.bias
// CHECK: %[[Y:[^,]+]], %[[MEAN:[^,]+]], %[[INV:[^,]+]], %[[RM:[^,]+]], %[[RV:[^ ]+]] = cnn.batch_norm_train %[[X]]
// CHECK: %[[N:.+]] = cnn.increment
// CHECK: %[[DY:.+]] = cnn.unflatten
// CHECK: %{{[^,]+}}, %[[DG:[^,]+]], %[[DB:[^ ]+]] = cnn.batch_norm_train_grad %[[X]], %[[DY]], %[[MEAN]], %[[INV]] scale %[[G]]
// CHECK: %[[SUM:.+]]:2 = cnn.replica_sum %[[DG]], %[[DB]]
// CHECK: cnn.sgd_update %[[G]], %[[SUM]]#0,
// CHECK: cnn.sgd_update %[[B]], %[[SUM]]#1,
// CHECK: cnn.write @bn.running_mean, %[[RM]]
// CHECK-NEXT: cnn.write @bn.running_var, %[[RV]]
// CHECK-NEXT: cnn.write @bn.num_batches_tracked, %[[N]]
// CHECK-NEXT: cnn.write @grad.bn.weight, %[[SUM]]#0

// -----

// Dropout: the backward pass multiplies by the same mask; train_step takes
// the masks after the labels and returns the ones it used; masks_given,
// seed and step are its last three arguments.
cnn.param @w : tensor<3x4xf32> parameter init #cnn.constant<value = 0.1>
func.func @forward(%x: tensor<?x4x1x1xf32>) -> tensor<?x3xf32> {
  %d = cnn.dropout2d %x p 0.5 site 0 : tensor<?x4x1x1xf32>
  %f = cnn.flatten %d : tensor<?x4x1x1xf32> -> tensor<?x4xf32>
  %h = cnn.dropout %f p 0.25 site 1 : tensor<?x4xf32>
  %w = cnn.read @w : tensor<3x4xf32>
  %y = cnn.linear %h, %w : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4x1x1xf32>, %[[LABELS:[^:]+]]: tensor<?xi32>, %[[G0:[^:]+]]: tensor<?x4xf32>, %[[G1:[^:]+]]: tensor<?x4xf32>, %{{[^:]+}}: f32, %{{[^:]+}}: f32, %{{[^:]+}}: f32, %{{[^:]+}}: f32, %{{[^:]+}}: f32, %{{[^:]+}}: f32, %{{[^:]+}}: i32, %{{[^:]+}}: i32, %[[GIVEN:[^:]+]]: i32, %[[SEED:[^:]+]]: i64, %[[STEP:[^:]+]]: i64)
// CHECK-SAME: -> (tensor<?x3xf32>, tensor<2xf32>, tensor<?x4xf32>, tensor<?x4xf32>)
// CHECK: %[[M0:.+]] = cnn.dropout_mask p 5.000000e-01 site 0 key %[[SEED]], %[[STEP]] given %[[G0]] if %[[GIVEN]]
// CHECK: %[[D:.+]] = cnn.apply_mask %[[X]], %[[M0]]
// CHECK: %[[F:.+]] = cnn.flatten %[[D]]
// CHECK: %[[M1:.+]] = cnn.dropout_mask p 2.500000e-01 site 1 key %[[SEED]], %[[STEP]] given %[[G1]] if %[[GIVEN]]
// CHECK: %[[H:.+]] = cnn.apply_mask %[[F]], %[[M1]]
// CHECK: %[[Y:.+]] = cnn.linear %[[H]]
// CHECK: %[[DY:.+]] = cnn.cross_entropy_grad %[[Y]], %[[LABELS]]
// CHECK: %[[DW:.+]] = cnn.linear_weight_grad %[[H]], %[[DY]]
// CHECK: %[[SUM:.+]] = cnn.replica_sum %[[DW]]
// CHECK: cnn.write @grad.w, %[[SUM]]
// CHECK: return %[[Y]], %{{.+}}, %[[M0]], %[[M1]]

// -----

// A dropout between two layers: its gradient is the same mask applied to
// the incoming gradient.
cnn.param @w1 : tensor<4x4xf32> parameter init #cnn.constant<value = 0.1>
cnn.param @w2 : tensor<3x4xf32> parameter init #cnn.constant<value = 0.1>
func.func @forward(%x: tensor<?x4x1x1xf32>) -> tensor<?x3xf32> {
  %f = cnn.flatten %x : tensor<?x4x1x1xf32> -> tensor<?x4xf32>
  %w1 = cnn.read @w1 : tensor<4x4xf32>
  %h = cnn.linear %f, %w1 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %d = cnn.dropout %h p 0.5 site 0 : tensor<?x4xf32>
  %w2 = cnn.read @w2 : tensor<3x4xf32>
  %y = cnn.linear %d, %w2 : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
// CHECK-LABEL: func.func @train_step
// CHECK: %[[M:.+]] = cnn.dropout_mask
// CHECK: %[[D:.+]] = cnn.apply_mask %{{.+}}, %[[M]]
// CHECK: %[[DY:.+]] = cnn.cross_entropy_grad
// CHECK: %[[DD:.+]] = cnn.linear_input_grad %[[DY]]
// CHECK: %[[DH:.+]] = cnn.apply_mask %[[DD]], %[[M]] : tensor<?x4xf32>, tensor<?x4xf32>
// CHECK: %[[DW1:.+]] = cnn.linear_weight_grad %{{.+}}, %[[DH]]
// CHECK: %[[SUM:.+]]:2 = cnn.replica_sum %[[DW1]], %{{.+}} : tensor<4x4xf32>, tensor<3x4xf32>
// CHECK: cnn.write @grad.w1, %[[SUM]]#0

// -----

// A parameter the loss does not depend on: its gradient is zero, and it
// is still penalised and updated (weight decay applies to it).
cnn.param @w : tensor<3x4xf32> parameter init #cnn.constant<value = 0.1>
cnn.param @unused : tensor<5xf32> parameter init #cnn.constant<value = 0.1>
func.func @forward(%x: tensor<?x4x1x1xf32>) -> tensor<?x3xf32> {
  %f = cnn.flatten %x : tensor<?x4x1x1xf32> -> tensor<?x4xf32>
  %w = cnn.read @w : tensor<3x4xf32>
  %y = cnn.linear %f, %w : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
// CHECK-LABEL: func.func @train_step
// CHECK: %[[W:.+]] = cnn.read @w
// CHECK: %[[U:.+]] = cnn.read @unused : tensor<5xf32>
// CHECK: %[[Z:.+]] = arith.constant dense<0.000000e+00> : tensor<5xf32>
// CHECK: %[[SUM:.+]]:2 = cnn.replica_sum %{{.+}}, %[[Z]] : tensor<3x4xf32>, tensor<5xf32>
// CHECK: cnn.penalty l2 %{{.+}} l1 %{{.+}} of %[[W]], %[[U]]
// CHECK: cnn.sgd_update %[[U]], %[[SUM]]#1,
// CHECK: cnn.write @grad.unused, %[[SUM]]#1

// -----

// A relu after a batchnorm: its mask from the batchnorm's result recomputed
// (cnn.batch_norm_apply) from the batchnorm's input and batch statistics,
// which the batchnorm's gradient keeps anyway; the relu's output is not
// kept for the backward pass. A relu whose output a max-pool reads keeps
// it (the pooling's gradient reads it).
cnn.param @"bn.weight" : tensor<2xf32> parameter init #cnn.constant<value = 1.0>
cnn.param @"bn.bias" : tensor<2xf32> parameter init #cnn.constant<value = 0.0>
cnn.param @"bn.running_mean" : tensor<2xf32> buffer init #cnn.constant<value = 0.0>
cnn.param @"bn.running_var" : tensor<2xf32> buffer init #cnn.constant<value = 1.0>
cnn.param @"bn.num_batches_tracked" : tensor<i64> buffer init #cnn.constant<value = 0.0>
func.func @forward(%x: tensor<?x2x4x4xf32>) -> tensor<?x8xf32> {
  %g = cnn.read @"bn.weight" : tensor<2xf32>
  %b = cnn.read @"bn.bias" : tensor<2xf32>
  %rm = cnn.read @"bn.running_mean" : tensor<2xf32>
  %rv = cnn.read @"bn.running_var" : tensor<2xf32>
  %y = cnn.batch_norm %x, %rm, %rv scale %g shift %b eps 1.0e-05 momentum 0.1 : (tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %r = cnn.relu %y : tensor<?x2x4x4xf32>
  %s = cnn.add %r, %x : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %y2 = cnn.batch_norm %s, %rm, %rv scale %g shift %b eps 1.0e-05 momentum 0.1 : (tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %r2 = cnn.relu %y2 : tensor<?x2x4x4xf32>
  %p = cnn.max_pool2d %r2 kernel [2, 2] stride [2, 2] : tensor<?x2x4x4xf32> -> tensor<?x2x2x2xf32>
  %f = cnn.flatten %p : tensor<?x2x2x2xf32> -> tensor<?x8xf32>
  return %f : tensor<?x8xf32>
}
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x2x4x4xf32>
// CHECK: %[[G:.+]] = cnn.read @bn.weight
// CHECK: %[[B:.+]] = cnn.read @bn.bias
// CHECK: %[[Y:[^,]+]], %[[MEAN:[^,]+]], %[[INV:[^,]+]], %{{[^,]+}}, %{{[^ ]+}} = cnn.batch_norm_train %[[X]]
// CHECK: %[[R:.+]] = cnn.relu %[[Y]]
// CHECK: %[[S:.+]] = cnn.add %[[R]], %[[X]]
// CHECK: %[[Y2:[^,]+]], %[[MEAN2:[^,]+]], %[[INV2:[^,]+]], %{{[^,]+}}, %{{[^ ]+}} = cnn.batch_norm_train %[[S]]
// CHECK: %[[R2:.+]] = cnn.relu %[[Y2]]
// CHECK: %[[DP:.+]] = cnn.max_pool2d_grad %[[R2]]
// CHECK-NEXT: %[[DY2:.+]] = cnn.relu_grad %[[R2]], %[[DP]]
// CHECK-NEXT: %[[DS:[^,]+]], %{{[^,]+}}, %{{[^ ]+}} = cnn.batch_norm_train_grad %[[S]], %[[DY2]], %[[MEAN2]], %[[INV2]] scale %[[G]]
// CHECK-NEXT: %[[Z:.+]] = cnn.batch_norm_apply %[[X]], %[[MEAN]], %[[INV]] scale %[[G]] shift %[[B]]
// CHECK-NEXT: %[[DY:.+]] = cnn.relu_grad %[[Z]], %[[DS]]
// CHECK-NEXT: cnn.batch_norm_train_grad %[[X]], %[[DY]], %[[MEAN]], %[[INV]] scale %[[G]]
