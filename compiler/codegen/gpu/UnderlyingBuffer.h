//===- UnderlyingBuffer.h - which buffer a memref views ----------*- C++ -*-===//
#ifndef CNNC_CODEGEN_GPU_UNDERLYINGBUFFER_H
#define CNNC_CODEGEN_GPU_UNDERLYINGBUFFER_H

#include "mlir/IR/Value.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SmallVector.h"

namespace cnnc::gpu {

/// The allocation or function argument `memref` views (through subviews,
/// views, reshapes, casts). Two memrefs may overlap only if they view the
/// same one: distinct allocations and arguments do not (model_abi.h's
/// buffer conventions).
inline mlir::Value underlyingBuffer(mlir::Value memref) {
  while (mlir::Operation *def = memref.getDefiningOp()) {
    auto view = llvm::dyn_cast<mlir::ViewLikeOpInterface>(def);
    if (!view)
      break;
    memref = view.getViewSource();
  }
  return memref;
}

/// The underlying buffers `op` (not the ops nested in it) may write; a
/// null value stands for any buffer. A call writes the buffers it is
/// given (the runtime's functions touch nothing else).
inline llvm::SmallVector<mlir::Value> writtenBuffers(mlir::Operation *op) {
  llvm::SmallVector<mlir::Value> written;
  if (auto call = llvm::dyn_cast<mlir::CallOpInterface>(op)) {
    for (mlir::Value operand : call.getArgOperands())
      if (llvm::isa<mlir::BaseMemRefType>(operand.getType()))
        written.push_back(underlyingBuffer(operand));
    return written;
  }
  if (auto effects = llvm::dyn_cast<mlir::MemoryEffectOpInterface>(op)) {
    llvm::SmallVector<mlir::MemoryEffects::EffectInstance> instances;
    effects.getEffects(instances);
    for (const auto &instance : instances)
      if (llvm::isa<mlir::MemoryEffects::Write>(instance.getEffect()))
        written.push_back(instance.getValue()
                              ? underlyingBuffer(instance.getValue())
                              : mlir::Value());
    return written;
  }
  if (!op->hasTrait<mlir::OpTrait::HasRecursiveMemoryEffects>())
    written.push_back(mlir::Value());
  return written;
}

} // namespace cnnc::gpu

#endif // CNNC_CODEGEN_GPU_UNDERLYINGBUFFER_H
