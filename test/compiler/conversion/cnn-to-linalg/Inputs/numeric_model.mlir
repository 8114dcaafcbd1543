// The model of numeric.test: every graph op, in the shapes that exercise
// the lowering (odd sizes, asymmetric kernel/stride/padding, a conv without
// bias, a batchnorm without affine parameters, one that cannot be folded).
// torch_harness.py defines the same network as a torch.nn.Module; the
// cnn.param order is its state_dict order.
module attributes {cnn.model = "NumericCheck"} {
  cnn.param @"conv1.weight" : tensor<4x3x3x3xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"conv1.bias" : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"bn1.weight" : tensor<4xf32> parameter init #cnn.constant<value = 1.0>
  cnn.param @"bn1.bias" : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"bn1.running_mean" : tensor<4xf32> buffer init #cnn.constant<value = 0.0>
  cnn.param @"bn1.running_var" : tensor<4xf32> buffer init #cnn.constant<value = 1.0>
  cnn.param @"bn1.num_batches_tracked" : tensor<i64> buffer init #cnn.constant<value = 0.0>
  cnn.param @"conv2.weight" : tensor<4x4x3x3xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"bn2.running_mean" : tensor<4xf32> buffer init #cnn.constant<value = 0.0>
  cnn.param @"bn2.running_var" : tensor<4xf32> buffer init #cnn.constant<value = 1.0>
  cnn.param @"bn2.num_batches_tracked" : tensor<i64> buffer init #cnn.constant<value = 0.0>
  cnn.param @"bn3.weight" : tensor<4xf32> parameter init #cnn.constant<value = 1.0>
  cnn.param @"bn3.bias" : tensor<4xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"bn3.running_mean" : tensor<4xf32> buffer init #cnn.constant<value = 0.0>
  cnn.param @"bn3.running_var" : tensor<4xf32> buffer init #cnn.constant<value = 1.0>
  cnn.param @"bn3.num_batches_tracked" : tensor<i64> buffer init #cnn.constant<value = 0.0>
  cnn.param @"conv3.weight" : tensor<5x4x2x3xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"conv3.bias" : tensor<5xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"fc1.weight" : tensor<8x30xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"fc1.bias" : tensor<8xf32> parameter init #cnn.constant<value = 0.0>
  cnn.param @"fc2.weight" : tensor<3x8xf32> parameter init #cnn.constant<value = 0.0>

  func.func @forward(%x: tensor<?x3x9x9xf32>) -> tensor<?x3xf32> {
    // max_pool2d(tanh(bn1(conv1(x))), 2): conv with padding and bias.
    %w1 = cnn.read @"conv1.weight" : tensor<4x3x3x3xf32>
    %b1 = cnn.read @"conv1.bias" : tensor<4xf32>
    %c1 = cnn.conv2d %x, %w1, %b1 stride [1, 1] padding [1, 1] : (tensor<?x3x9x9xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x9x9xf32>
    %g1 = cnn.read @"bn1.weight" : tensor<4xf32>
    %s1 = cnn.read @"bn1.bias" : tensor<4xf32>
    %m1 = cnn.read @"bn1.running_mean" : tensor<4xf32>
    %v1 = cnn.read @"bn1.running_var" : tensor<4xf32>
    %n1 = cnn.batch_norm %c1, %m1, %v1 scale %g1 shift %s1 eps 1.0e-05 momentum 0.1 : (tensor<?x4x9x9xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x9x9xf32>
    %t1 = cnn.tanh %n1 : tensor<?x4x9x9xf32>
    %p1 = cnn.max_pool2d %t1 kernel [2, 2] stride [2, 2] : tensor<?x4x9x9xf32> -> tensor<?x4x4x4xf32>
    %d1 = cnn.dropout2d %p1 p 0.4 site 0 : tensor<?x4x4x4xf32>
    // relu(bn2(conv2(out))) + out: conv without bias, batchnorm without affine.
    %w2 = cnn.read @"conv2.weight" : tensor<4x4x3x3xf32>
    %c2 = cnn.conv2d %d1, %w2 stride [1, 1] padding [1, 1] : (tensor<?x4x4x4xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x4x4xf32>
    %m2 = cnn.read @"bn2.running_mean" : tensor<4xf32>
    %v2 = cnn.read @"bn2.running_var" : tensor<4xf32>
    %n2 = cnn.batch_norm %c2, %m2, %v2 eps 1.0e-03 momentum 0.1 : (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
    %r2 = cnn.relu %n2 : tensor<?x4x4x4xf32>
    %a2 = cnn.add %r2, %d1 : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
    // bn3 follows an add: it stays a batchnorm when folding is on.
    %g3 = cnn.read @"bn3.weight" : tensor<4xf32>
    %s3 = cnn.read @"bn3.bias" : tensor<4xf32>
    %m3 = cnn.read @"bn3.running_mean" : tensor<4xf32>
    %v3 = cnn.read @"bn3.running_var" : tensor<4xf32>
    %n3 = cnn.batch_norm %a2, %m3, %v3 scale %g3 shift %s3 eps 1.0e-05 momentum 0.1 : (tensor<?x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
    %p3 = cnn.avg_pool2d %n3 kernel [2, 2] stride [1, 1] : tensor<?x4x4x4xf32> -> tensor<?x4x3x3xf32>
    // An asymmetric conv: kernel 2x3, stride 2x1, padding 1x1.
    %w3 = cnn.read @"conv3.weight" : tensor<5x4x2x3xf32>
    %b3 = cnn.read @"conv3.bias" : tensor<5xf32>
    %c3 = cnn.conv2d %p3, %w3, %b3 stride [2, 1] padding [1, 1] : (tensor<?x4x3x3xf32>, tensor<5x4x2x3xf32>, tensor<5xf32>) -> tensor<?x5x2x3xf32>
    %r3 = cnn.relu %c3 : tensor<?x5x2x3xf32>
    %f = cnn.flatten %r3 : tensor<?x5x2x3xf32> -> tensor<?x30xf32>
    %fw1 = cnn.read @"fc1.weight" : tensor<8x30xf32>
    %fb1 = cnn.read @"fc1.bias" : tensor<8xf32>
    %l1 = cnn.linear %f, %fw1, %fb1 : (tensor<?x30xf32>, tensor<8x30xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %sg = cnn.sigmoid %l1 : tensor<?x8xf32>
    %d2 = cnn.dropout %sg p 0.5 site 1 : tensor<?x8xf32>
    %fw2 = cnn.read @"fc2.weight" : tensor<3x8xf32>
    %l2 = cnn.linear %d2, %fw2 : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32>
    return %l2 : tensor<?x3xf32>
  }
}
