//===- DeviceAccess.h - which host ops would touch device memory -*- C++ -*-===//
#ifndef CNNC_CODEGEN_GPU_DEVICEACCESS_H
#define CNNC_CODEGEN_GPU_DEVICEACCESS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace cnnc::gpu {

/// Whether `op` itself reads or writes a buffer's elements. Its metadata
/// (dim, views, allocation) is host work: after the schedule every buffer
/// is in device memory, but its descriptor is the host's.
inline bool touchesElements(mlir::Operation *op) {
  return llvm::isa<mlir::memref::LoadOp, mlir::memref::StoreOp,
                   mlir::memref::CopyOp, mlir::memref::AtomicRMWOp,
                   mlir::linalg::LinalgOp>(op);
}

} // namespace cnnc::gpu

#endif // CNNC_CODEGEN_GPU_DEVICEACCESS_H
