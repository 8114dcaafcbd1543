//===- MLIRGen.h - the elaborated graph as cnn dialect IR -------*- C++ -*-===//
#ifndef CNNC_MLIRGEN_MLIRGEN_H
#define CNNC_MLIRGEN_MLIRGEN_H

#include "frontend/Graph.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace cnnc {

/// Builds the `cnn` module of a graph: one `cnn.param` per state_dict entry,
/// the training configuration, and `func.func @forward`. Every op carries the
/// FileLineColLoc of the source that made it (wrapped in a NameLoc holding the
/// layer's module path), so `--mlir-print-debuginfo` ties IR to model lines.
mlir::OwningOpRef<mlir::ModuleOp> buildModule(mlir::MLIRContext &context,
                                              const Graph &graph,
                                              const llvm::SourceMgr &sourceMgr);

} // namespace cnnc

#endif // CNNC_MLIRGEN_MLIRGEN_H
