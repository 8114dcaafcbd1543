// The lecture's Net in eval mode, as the cnn->linalg lowering emits it:
// conv(3->16)+bias, tanh, maxpool2, conv(16->8)+bias, tanh, maxpool2, flatten,
// linear 512->32 + tanh, linear 32->2. Parameters live in the arena at
// 64-byte aligned offsets (see net_arena.py):
//   conv1.weight 0, conv1.bias 1728, conv2.weight 1792, conv2.bias 6400,
//   fc1.weight 6464, fc1.bias 72000, fc2.weight 72128, fc2.bias 72384; 72392 bytes.
#id4 = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch4 = affine_map<(n, c, h, w) -> (c)>
#id2 = affine_map<(m, n) -> (m, n)>
#col2 = affine_map<(m, n) -> (n)>
func.func @forward(%arena: memref<?xi8>, %input: memref<?x3x32x32xf32>, %output: memref<?x2xf32>) attributes {llvm.emit_c_interface} {
  %o_w1 = arith.constant 0 : index
  %o_b1 = arith.constant 1728 : index
  %o_w2 = arith.constant 1792 : index
  %o_b2 = arith.constant 6400 : index
  %o_f1w = arith.constant 6464 : index
  %o_f1b = arith.constant 72000 : index
  %o_f2w = arith.constant 72128 : index
  %o_f2b = arith.constant 72384 : index
  %w1m = memref.view %arena[%o_w1][] : memref<?xi8> to memref<16x3x3x3xf32>
  %w1 = bufferization.to_tensor %w1m restrict : memref<16x3x3x3xf32> to tensor<16x3x3x3xf32>
  %b1m = memref.view %arena[%o_b1][] : memref<?xi8> to memref<16xf32>
  %b1 = bufferization.to_tensor %b1m restrict : memref<16xf32> to tensor<16xf32>
  %w2m = memref.view %arena[%o_w2][] : memref<?xi8> to memref<8x16x3x3xf32>
  %w2 = bufferization.to_tensor %w2m restrict : memref<8x16x3x3xf32> to tensor<8x16x3x3xf32>
  %b2m = memref.view %arena[%o_b2][] : memref<?xi8> to memref<8xf32>
  %b2 = bufferization.to_tensor %b2m restrict : memref<8xf32> to tensor<8xf32>
  %f1wm = memref.view %arena[%o_f1w][] : memref<?xi8> to memref<32x512xf32>
  %f1w = bufferization.to_tensor %f1wm restrict : memref<32x512xf32> to tensor<32x512xf32>
  %f1bm = memref.view %arena[%o_f1b][] : memref<?xi8> to memref<32xf32>
  %f1b = bufferization.to_tensor %f1bm restrict : memref<32xf32> to tensor<32xf32>
  %f2wm = memref.view %arena[%o_f2w][] : memref<?xi8> to memref<2x32xf32>
  %f2w = bufferization.to_tensor %f2wm restrict : memref<2x32xf32> to tensor<2x32xf32>
  %f2bm = memref.view %arena[%o_f2b][] : memref<?xi8> to memref<2xf32>
  %f2b = bufferization.to_tensor %f2bm restrict : memref<2xf32> to tensor<2xf32>

  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %n = memref.dim %input, %c0 : memref<?x3x32x32xf32>
  %x = bufferization.to_tensor %input restrict : memref<?x3x32x32xf32> to tensor<?x3x32x32xf32>

  // conv1 + bias, tanh, max_pool2d
  %xp = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<?x3x32x32xf32> to tensor<?x3x34x34xf32>
  %e1 = tensor.empty(%n) : tensor<?x16x32x32xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?x16x32x32xf32>) -> tensor<?x16x32x32xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%xp, %w1 : tensor<?x3x34x34xf32>, tensor<16x3x3x3xf32>) outs(%z1 : tensor<?x16x32x32xf32>) -> tensor<?x16x32x32xf32>
  %cb1 = linalg.generic {indexing_maps = [#id4, #ch4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c1, %b1 : tensor<?x16x32x32xf32>, tensor<16xf32>) outs(%e1 : tensor<?x16x32x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x16x32x32xf32>
  %t1 = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%cb1 : tensor<?x16x32x32xf32>) outs(%e1 : tensor<?x16x32x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.tanh %a : f32
    linalg.yield %t : f32
  } -> tensor<?x16x32x32xf32>
  %ep1 = tensor.empty(%n) : tensor<?x16x16x16xf32>
  %m1 = linalg.fill ins(%ninf : f32) outs(%ep1 : tensor<?x16x16x16xf32>) -> tensor<?x16x16x16xf32>
  %win = tensor.empty() : tensor<2x2xf32>
  %p1 = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%t1, %win : tensor<?x16x32x32xf32>, tensor<2x2xf32>) outs(%m1 : tensor<?x16x16x16xf32>) -> tensor<?x16x16x16xf32>

  // conv2 + bias, tanh, max_pool2d
  %pp = tensor.pad %p1 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<?x16x16x16xf32> to tensor<?x16x18x18xf32>
  %e2 = tensor.empty(%n) : tensor<?x8x16x16xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x8x16x16xf32>) -> tensor<?x8x16x16xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%pp, %w2 : tensor<?x16x18x18xf32>, tensor<8x16x3x3xf32>) outs(%z2 : tensor<?x8x16x16xf32>) -> tensor<?x8x16x16xf32>
  %t2 = linalg.generic {indexing_maps = [#id4, #ch4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c2, %b2 : tensor<?x8x16x16xf32>, tensor<8xf32>) outs(%e2 : tensor<?x8x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  } -> tensor<?x8x16x16xf32>
  %ep2 = tensor.empty(%n) : tensor<?x8x8x8xf32>
  %m2 = linalg.fill ins(%ninf : f32) outs(%ep2 : tensor<?x8x8x8xf32>) -> tensor<?x8x8x8xf32>
  %p2 = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%t2, %win : tensor<?x8x16x16xf32>, tensor<2x2xf32>) outs(%m2 : tensor<?x8x8x8xf32>) -> tensor<?x8x8x8xf32>

  // flatten, fc1 + tanh, fc2
  %flat = tensor.collapse_shape %p2 [[0], [1, 2, 3]] : tensor<?x8x8x8xf32> into tensor<?x512xf32>
  %e3 = tensor.empty(%n) : tensor<?x32xf32>
  %z3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %l1 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%flat, %f1w : tensor<?x512xf32>, tensor<32x512xf32>) outs(%z3 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %h1 = linalg.generic {indexing_maps = [#id2, #col2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%l1, %f1b : tensor<?x32xf32>, tensor<32xf32>) outs(%e3 : tensor<?x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  } -> tensor<?x32xf32>
  %e4 = tensor.empty(%n) : tensor<?x2xf32>
  %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<?x2xf32>) -> tensor<?x2xf32>
  %l2 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%h1, %f2w : tensor<?x32xf32>, tensor<2x32xf32>) outs(%z4 : tensor<?x2xf32>) -> tensor<?x2xf32>
  %y = linalg.generic {indexing_maps = [#id2, #col2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%l2, %f2b : tensor<?x2xf32>, tensor<2xf32>) outs(%e4 : tensor<?x2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x2xf32>
  bufferization.materialize_in_destination %y in restrict writable %output : (tensor<?x2xf32>, memref<?x2xf32>) -> ()
  return
}
