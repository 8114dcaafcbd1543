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

} // namespace cnn

#endif // CNNC_CONVERSION_PASSES_H
