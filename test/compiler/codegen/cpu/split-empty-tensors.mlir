// RUN: cnnc-opt %s --cnn-cpu-split-empty-tensors | FileCheck %s

// One empty tensor that CSE made the destination of 20 layers: the first
// 16 uses keep it, the next 4 share one copy, so that bufferization's
// analysis never sees more than 16 writes into one value.
// CHECK-LABEL: func.func @layers
//       CHECK:   %[[E:.+]] = tensor.empty(%{{.+}}) : tensor<?x32xf32>
//  CHECK-NEXT:   %[[E2:.+]] = tensor.empty(%{{.+}}) : tensor<?x32xf32>
//   CHECK-NOT:   tensor.empty
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E2]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E2]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E2]] : tensor<?x32xf32>)
//       CHECK:   linalg.generic {{.*}} outs(%[[E2]] : tensor<?x32xf32>)
func.func @layers(%x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x32xf32>
  %e = tensor.empty(%n) : tensor<?x32xf32>
  %r0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r0 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r1 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r3 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r2 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r4 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r3 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r4 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r6 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r5 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r6 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r7 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r9 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r8 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r10 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r9 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r11 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r10 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r12 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r11 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r13 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r12 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r14 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r13 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r15 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r14 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r16 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r15 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r17 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r16 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r18 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r17 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %r19 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r18 : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = math.tanh %in : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  return %r19 : tensor<?x32xf32>
}

// In an image loop, two per-image partial sums that start from one zero
// fill (vectorized: a transfer_write of zeros into an empty tensor, which
// CSE merged): the second gets a fill and an empty tensor of its own; the
// fill that a loop only reads stays shared. (Shared, bufferization left
// one sum in the other's output image.)
// CHECK-LABEL: func.func @partial_sums
//       CHECK:   scf.forall
//       CHECK:     %[[E:.+]] = tensor.empty() : tensor<1x16xf32>
//       CHECK:     %[[Z:.+]] = vector.transfer_write %{{.+}}, %[[E]]
//       CHECK:     %[[E2:.+]] = tensor.empty() : tensor<1x16xf32>
//       CHECK:     %[[Z2:.+]] = vector.transfer_write %{{.+}}, %[[E2]]
//       CHECK:     scf.for {{.*}} iter_args(%{{.+}} = %[[Z]])
//       CHECK:     scf.for {{.*}} iter_args(%{{.+}} = %[[Z2]])
//       CHECK:     vector.transfer_read %[[Z]]
//       CHECK:     tensor.parallel_insert_slice
//       CHECK:     tensor.parallel_insert_slice
func.func @partial_sums(%x: tensor<?x8x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant dense<0.0> : vector<1x16xf32>
  %pad = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x8x16xf32>
  %o1 = tensor.empty(%n) : tensor<?x16xf32>
  %o2 = tensor.empty(%n) : tensor<?x16xf32>
  %o3 = tensor.empty(%n) : tensor<?x16xf32>
  %r:3 = scf.forall (%i) in (%n) shared_outs(%a = %o1, %b = %o2, %c = %o3) -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) {
    %e = tensor.empty() : tensor<1x16xf32>
    %z = vector.transfer_write %zero, %e[%c0, %c0] {in_bounds = [true, true]} : vector<1x16xf32>, tensor<1x16xf32>
    %s1 = scf.for %h = %c0 to %c8 step %c1 iter_args(%acc = %z) -> (tensor<1x16xf32>) {
      %v = vector.transfer_read %x[%i, %h, %c0], %pad {in_bounds = [true, true]} : tensor<?x8x16xf32>, vector<1x16xf32>
      %w = vector.transfer_read %acc[%c0, %c0], %pad {in_bounds = [true, true]} : tensor<1x16xf32>, vector<1x16xf32>
      %sum = arith.addf %v, %w : vector<1x16xf32>
      %next = vector.transfer_write %sum, %acc[%c0, %c0] {in_bounds = [true, true]} : vector<1x16xf32>, tensor<1x16xf32>
      scf.yield %next : tensor<1x16xf32>
    }
    %s2 = scf.for %h = %c0 to %c8 step %c1 iter_args(%acc = %z) -> (tensor<1x16xf32>) {
      %v = vector.transfer_read %x[%i, %h, %c0], %pad {in_bounds = [true, true]} : tensor<?x8x16xf32>, vector<1x16xf32>
      %w = vector.transfer_read %acc[%c0, %c0], %pad {in_bounds = [true, true]} : tensor<1x16xf32>, vector<1x16xf32>
      %sq = arith.mulf %v, %v : vector<1x16xf32>
      %sum = arith.addf %sq, %w : vector<1x16xf32>
      %next = vector.transfer_write %sum, %acc[%c0, %c0] {in_bounds = [true, true]} : vector<1x16xf32>, tensor<1x16xf32>
      scf.yield %next : tensor<1x16xf32>
    }
    %read = vector.transfer_read %z[%c0, %c0], %pad {in_bounds = [true, true]} : tensor<1x16xf32>, vector<1x16xf32>
    %e3 = tensor.empty() : tensor<1x16xf32>
    %copy = vector.transfer_write %read, %e3[%c0, %c0] {in_bounds = [true, true]} : vector<1x16xf32>, tensor<1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s1 into %a[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<?x16xf32>
      tensor.parallel_insert_slice %s2 into %b[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<?x16xf32>
      tensor.parallel_insert_slice %copy into %c[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<?x16xf32>
    }
  }
  return %r#0, %r#1, %r#2 : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>
}
