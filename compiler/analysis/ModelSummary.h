//===- ModelSummary.h - a model's vital statistics from its IR --*- C++ -*-===//
#ifndef CNNC_ANALYSIS_MODELSUMMARY_H
#define CNNC_ANALYSIS_MODELSUMMARY_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {

/// Prints what a person wants to know of a `cnn` module at a glance: input
/// and output shapes, parameter and buffer counts (shared tensors counted
/// once), the ops by kind, the training configuration.
void printModelSummary(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace cnnc

#endif // CNNC_ANALYSIS_MODELSUMMARY_H
