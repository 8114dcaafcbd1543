//===- Flops.h - arithmetic of one forward pass -----------------*- C++ -*-===//
#ifndef CNNC_ANALYSIS_FLOPS_H
#define CNNC_ANALYSIS_FLOPS_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>

namespace cnnc {

/// Floating-point operations of one sample's forward pass through the cnn
/// ops of `forward`: a multiply-add counts 2 (conv2d, linear), bias, batch
/// normalisation (2), activations, residual adds and pooling windows count
/// per element. Parameter-only work (batchnorm folding) is not counted.
int64_t forwardFlopsPerSample(mlir::ModuleOp module);

} // namespace cnnc

#endif // CNNC_ANALYSIS_FLOPS_H
