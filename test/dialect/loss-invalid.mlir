// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @labels_type(%z: tensor<?x10xf32>, %labels: tensor<?xi64>) {
  // expected-error @+1 {{'cnn.cross_entropy' op operand #1 must be 1D tensor of 32-bit signless integer values}}
  %ce = cnn.cross_entropy %z, %labels : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  return
}

// -----

func.func @logits_rank(%z: tensor<?x10x1x1xf32>, %labels: tensor<?xi32>) {
  // expected-error @+1 {{'cnn.cross_entropy' op expects a [N, K] logits input, got 'tensor<?x10x1x1xf32>'}}
  %ce = cnn.cross_entropy %z, %labels : (tensor<?x10x1x1xf32>, tensor<?xi32>) -> tensor<f32>
  return
}

// -----

func.func @batch(%z: tensor<4x10xf32>, %labels: tensor<8xi32>) {
  // expected-error @+1 {{'cnn.cross_entropy_grad' op expects equal batch sizes, got 4 and 8}}
  %dz = cnn.cross_entropy_grad %z, %labels : tensor<4x10xf32>, tensor<8xi32>
  return
}

// -----

func.func @penalty_dynamic(%w: tensor<?xf32>, %l: f32) {
  // expected-error @+1 {{'cnn.penalty' op operand #2 must be variadic of statically shaped tensor of 32-bit float values}}
  %p = cnn.penalty l2 %l l1 %l of %w : tensor<?xf32>
  return
}

// -----

func.func @pack(%ce: tensor<f32>) {
  // expected-error @+1 {{'cnn.pack_loss' op expects a tensor<2xf32> result, got 'tensor<3xf32>'}}
  %l = cnn.pack_loss %ce, %ce : tensor<3xf32>
  return
}
