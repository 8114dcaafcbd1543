// RUN: cnnc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(cnn-gpu-check-host-code))'

// After the mapping every buffer is device memory: the host may size,
// view and allocate it, and launch kernels that read and write it, but not
// touch its elements.

func.func @kernels_only(%buf: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d = memref.dim %buf, %c0 : memref<?xf32>
  %view = memref.subview %buf[0] [%d] [1] : memref<?xf32> to memref<?xf32, strided<[1]>>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %x = memref.load %view[%bx] : memref<?xf32, strided<[1]>>
    memref.store %x, %buf[%bx] : memref<?xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @host_load(%buf: memref<?xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{the GPU schedule left this op on the host, where it would access device memory}}
  %x = memref.load %buf[%c0] : memref<?xf32>
  return %x : f32
}

// -----

func.func @host_loop_store(%buf: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    // expected-error @below {{the GPU schedule left this op on the host}}
    memref.store %zero, %buf[%i] : memref<4xf32>
  }
  return
}

// -----

func.func @host_linalg(%a: memref<4xf32>, %b: memref<4xf32>) {
  // expected-error @below {{the GPU schedule left this op on the host}}
  linalg.copy ins(%a : memref<4xf32>) outs(%b : memref<4xf32>)
  return
}
