// Two residual blocks of NetResDeep at 16x16 with 12 channels (too few to fill vector registers: NCHW convs on every CPU), eval mode with
// the batchnorm folded into the conv (weights scaled, shift as bias):
//   out = relu(conv(x) + b) + x, twice, distinct weights.
// Arena: block0.weight 0, block0.bias 5184, block1.weight 5248,
// block1.bias 10432; 10496 bytes.
#id4 = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch4 = affine_map<(n, c, h, w) -> (c)>
func.func @forward(%arena: memref<?xi8>, %input: memref<?x12x16x16xf32>, %output: memref<?x12x16x16xf32>) attributes {llvm.emit_c_interface} {
  %i0c = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %input, %i0c : memref<?x12x16x16xf32>
  %x0 = bufferization.to_tensor %input restrict : memref<?x12x16x16xf32> to tensor<?x12x16x16xf32>

  // block 0
  %ow0 = arith.constant 0 : index
  %ob0 = arith.constant 5184 : index
  %wm0 = memref.view %arena[%ow0][] : memref<?xi8> to memref<12x12x3x3xf32>
  %w0 = bufferization.to_tensor %wm0 restrict : memref<12x12x3x3xf32> to tensor<12x12x3x3xf32>
  %bm0 = memref.view %arena[%ob0][] : memref<?xi8> to memref<12xf32>
  %b0 = bufferization.to_tensor %bm0 restrict : memref<12xf32> to tensor<12xf32>
  %xp0 = tensor.pad %x0 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<?x12x16x16xf32> to tensor<?x12x18x18xf32>
  %e0 = tensor.empty(%n) : tensor<?x12x16x16xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<?x12x16x16xf32>) -> tensor<?x12x16x16xf32>
  %c0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%xp0, %w0 : tensor<?x12x18x18xf32>, tensor<12x12x3x3xf32>) outs(%z0 : tensor<?x12x16x16xf32>) -> tensor<?x12x16x16xf32>
  %r0 = linalg.generic {indexing_maps = [#id4, #ch4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c0, %b0 : tensor<?x12x16x16xf32>, tensor<12xf32>) outs(%e0 : tensor<?x12x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x12x16x16xf32>
  %x1 = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%r0, %x0 : tensor<?x12x16x16xf32>, tensor<?x12x16x16xf32>) outs(%e0 : tensor<?x12x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x12x16x16xf32>

  // block 1
  %ow1 = arith.constant 5248 : index
  %ob1 = arith.constant 10432 : index
  %wm1 = memref.view %arena[%ow1][] : memref<?xi8> to memref<12x12x3x3xf32>
  %w1 = bufferization.to_tensor %wm1 restrict : memref<12x12x3x3xf32> to tensor<12x12x3x3xf32>
  %bm1 = memref.view %arena[%ob1][] : memref<?xi8> to memref<12xf32>
  %b1 = bufferization.to_tensor %bm1 restrict : memref<12xf32> to tensor<12xf32>
  %xp1 = tensor.pad %x1 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<?x12x16x16xf32> to tensor<?x12x18x18xf32>
  %e1 = tensor.empty(%n) : tensor<?x12x16x16xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?x12x16x16xf32>) -> tensor<?x12x16x16xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%xp1, %w1 : tensor<?x12x18x18xf32>, tensor<12x12x3x3xf32>) outs(%z1 : tensor<?x12x16x16xf32>) -> tensor<?x12x16x16xf32>
  %r1 = linalg.generic {indexing_maps = [#id4, #ch4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c1, %b1 : tensor<?x12x16x16xf32>, tensor<12xf32>) outs(%e1 : tensor<?x12x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x12x16x16xf32>
  %x2 = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%r1, %x1 : tensor<?x12x16x16xf32>, tensor<?x12x16x16xf32>) outs(%e1 : tensor<?x12x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x12x16x16xf32>
  bufferization.materialize_in_destination %x2 in restrict writable %output : (tensor<?x12x16x16xf32>, memref<?x12x16x16xf32>) -> ()
  return
}
