//===- GraphPrinter.h - --emit=graph ----------------------------*- C++ -*-===//
#ifndef CNNC_FRONTEND_GRAPHPRINTER_H
#define CNNC_FRONTEND_GRAPHPRINTER_H

#include "frontend/Graph.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {

/// The name a node kind has in the language (the layer catalogue's), "input"
/// and "add" for the two that are not layers.
llvm::StringRef nodeKindName(NodeKind kind);

/// Prints the elaborated graph for humans and FileCheck: hyperparameters,
/// tensors in state_dict order (%i name shape role init), nodes (#i kind
/// inputs attributes -> shape @scope line:col), the output and training.
void printGraph(const Graph &g, const llvm::SourceMgr &sm,
                llvm::raw_ostream &os);

} // namespace cnnc

#endif // CNNC_FRONTEND_GRAPHPRINTER_H
