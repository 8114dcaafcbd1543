//===- UnderlyingBuffer.h - which buffer a memref views ----------*- C++ -*-===//
#ifndef CNNC_CODEGEN_GPU_UNDERLYINGBUFFER_H
#define CNNC_CODEGEN_GPU_UNDERLYINGBUFFER_H

#include "mlir/IR/Value.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

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

} // namespace cnnc::gpu

#endif // CNNC_CODEGEN_GPU_UNDERLYINGBUFFER_H
