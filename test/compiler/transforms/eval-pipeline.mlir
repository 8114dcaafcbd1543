// RUN: cnnc-opt %S/../../dialect/model.mlir -cnn-specialize-eval -cnn-fold-batchnorm -cse | FileCheck %s

// The lecture's NetResDeep with one ResBlock shared by two uses: after
// specialisation, folding and CSE, the folded weight and bias are computed
// once and both convs use them; no batchnorm or dropout is left.
// CHECK: module attributes {cnn.mode = "eval", cnn.model = "NetResDeep"}
// CHECK-LABEL: func.func @forward
// CHECK: %[[CW:.+]] = cnn.read @resblocks.0.conv.weight
// CHECK: %[[G:.+]] = cnn.read @resblocks.0.batch_norm.weight
// CHECK: %[[B:.+]] = cnn.read @resblocks.0.batch_norm.bias
// CHECK: %[[M:.+]] = cnn.read @resblocks.0.batch_norm.running_mean
// CHECK: %[[V:.+]] = cnn.read @resblocks.0.batch_norm.running_var
// CHECK: %[[FW:.+]] = cnn.fold_bn_weight %[[CW]], %[[V]] scale %[[G]]
// CHECK: %[[FB:.+]] = cnn.fold_bn_bias %[[M]], %[[V]] scale %[[G]] shift %[[B]]
// CHECK: cnn.conv2d %{{.+}}, %[[FW]], %[[FB]]
// CHECK: cnn.conv2d %{{.+}}, %[[FW]], %[[FB]]
// CHECK-NOT: cnn.batch_norm
// CHECK-NOT: cnn.dropout
// CHECK: return
