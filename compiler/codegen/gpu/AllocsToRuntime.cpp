//===- AllocsToRuntime.cpp - host temporaries in device memory ------------===//

#include "codegen/gpu/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUALLOCSTORUNTIME
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

// MLIR's names with use-generic-functions.
constexpr llvm::StringLiteral kGenericAlloc = "_mlir_memref_to_llvm_alloc";
constexpr llvm::StringLiteral kGenericFree = "_mlir_memref_to_llvm_free";
constexpr llvm::StringLiteral kRuntimeAlloc = "cnnrt_gpu_alloc";

struct GpuAllocsToRuntime
    : impl::GpuAllocsToRuntimeBase<GpuAllocsToRuntime> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (auto free = module.lookupSymbol<LLVM::LLVMFuncOp>(kGenericFree)) {
      free.emitError("the GPU host code frees a temporary; the runtime "
                     "expects it not to");
      return signalPassFailure();
    }
    auto alloc = module.lookupSymbol<LLVM::LLVMFuncOp>(kGenericAlloc);
    if (!alloc || !alloc.isExternal())
      return;
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    Type i64 = b.getI64Type();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    b.setInsertionPointToEnd(module.getBody());
    auto runtimeType = LLVM::LLVMFunctionType::get(i64, {i64});
    if (!module.lookupSymbol(kRuntimeAlloc))
      b.create<LLVM::LLVMFuncOp>(module.getLoc(), kRuntimeAlloc, runtimeType);
    // alloc(bytes) = (ptr) cnnrt_gpu_alloc(bytes): a device address, which
    // the host code only passes on (and aligns as an integer).
    alloc.setLinkage(LLVM::Linkage::Internal);
    Block *body = alloc.addEntryBlock(b);
    b.setInsertionPointToStart(body);
    Location loc = alloc.getLoc();
    Value address = b.create<LLVM::CallOp>(loc, runtimeType, kRuntimeAlloc,
                                           ValueRange{body->getArgument(0)})
                        .getResult();
    Value pointer = b.create<LLVM::IntToPtrOp>(loc, ptr, address);
    b.create<LLVM::ReturnOp>(loc, pointer);
  }
};

} // namespace
} // namespace cnnc::gpu
