// RUN: cnnc-opt %s --pass-pipeline='builtin.module(gpu.module(cnn-gpu-approximate-math))' | FileCheck %s

// The kernels are linked with no libdevice, so the transcendental functions
// become MLIR's polynomial approximations (tanh: an odd rational polynomial
// with a clamp; exp: 2^n times a polynomial, 2^n built in the exponent
// bits). sqrt, fabs and fma are NVPTX instructions: they stay. f64 has no
// approximation: it stays too, and cnn-gpu-kernels-to-nvvm rejects it (as a
// libdevice call, see kernels-to-nvvm.mlir).

// CHECK-LABEL: gpu.func @activations
// CHECK-SAME: (%[[X:.+]]: f32, %[[D:.+]]: f64, %[[OUT:.+]]: memref<5xf32>, %[[OUT64:.+]]: memref<f64>)
// tanh: clamped input, numerator and denominator polynomials in x^2.
// CHECK: arith.cmpf ult, %[[X]]
// CHECK: %[[X2:.+]] = arith.mulf %[[CL:.+]], %[[CL]] : f32
// CHECK-COUNT-6: math.fma %[[X2]]
// CHECK: %[[NUM:.+]] = arith.mulf %[[CL]], %{{.+}} : f32
// CHECK-COUNT-3: math.fma %[[X2]]
// CHECK: %[[Q:.+]] = arith.divf %[[NUM]], %{{.+}} : f32
// CHECK: %[[TANH:.+]] = arith.select %{{.+}}, %[[CL]], %[[Q]] : f32
// exp: n = floor(x log2 e), the polynomial, 2^n from the exponent bits.
// CHECK: math.floor
// CHECK: arith.shli %{{.+}}, %{{.+}} : i32
// CHECK: %[[POW2:.+]] = arith.bitcast %{{.+}} : i32 to f32
// CHECK: %[[EXP:.+]] = arith.mulf %{{.+}}, %[[POW2]] : f32
// CHECK: %[[SQRT:.+]] = math.sqrt %[[X]] : f32
// CHECK: %[[ABS:.+]] = math.absf %[[X]] : f32
// CHECK: %[[FMA:.+]] = math.fma %[[X]], %[[X]], %[[X]] : f32
// CHECK: %[[T64:.+]] = math.tanh %[[D]] : f64
// CHECK: memref.store %[[TANH]], %[[OUT]]
// CHECK: memref.store %[[EXP]], %[[OUT]]
// CHECK: memref.store %[[SQRT]], %[[OUT]]
// CHECK: memref.store %[[ABS]], %[[OUT]]
// CHECK: memref.store %[[FMA]], %[[OUT]]
// CHECK: memref.store %[[T64]], %[[OUT64]]
// CHECK-NOT: math.tanh
// CHECK-NOT: math.exp
gpu.module @cnn_kernels {
  gpu.func @activations(%x: f32, %d: f64, %out: memref<5xf32>, %out64: memref<f64>) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %c4 = arith.constant 4 : index
    %t = math.tanh %x : f32
    %e = math.exp %x : f32
    %s = math.sqrt %x : f32
    %a = math.absf %x : f32
    %f = math.fma %x, %x, %x : f32
    %t64 = math.tanh %d : f64
    memref.store %t, %out[%c0] : memref<5xf32>
    memref.store %e, %out[%c1] : memref<5xf32>
    memref.store %s, %out[%c2] : memref<5xf32>
    memref.store %a, %out[%c3] : memref<5xf32>
    memref.store %f, %out[%c4] : memref<5xf32>
    memref.store %t64, %out64[] : memref<f64>
    gpu.return
  }
}
