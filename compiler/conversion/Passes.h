//===- Passes.h - lowerings out of the cnn dialect --------------*- C++ -*-===//
#ifndef CNNC_CONVERSION_PASSES_H
#define CNNC_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace cnn {

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "conversion/Passes.h.inc"

/// Inference from a mode-agnostic model to linalg on tensors:
/// cnn-specialize-eval, cnn-fold-batchnorm (when `foldBatchNorm`), cse,
/// convert-cnn-to-linalg. Registered as `cnn-eval-to-linalg` in cnnc-opt.
void buildEvalToLinalgPipeline(mlir::OpPassManager &pm, bool foldBatchNorm);

/// Registers buildEvalToLinalgPipeline as `cnn-eval-to-linalg` with the
/// option `fold-batchnorm` (default true).
void registerEvalToLinalgPipeline();

} // namespace cnn

#endif // CNNC_CONVERSION_PASSES_H
