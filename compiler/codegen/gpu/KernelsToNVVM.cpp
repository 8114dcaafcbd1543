//===- KernelsToNVVM.cpp - kernels to NVVM without libdevice --------------===//

#include "codegen/gpu/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/LLVMCommon/LoweringOptions.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Analysis/DataLayoutAnalysis.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPUKERNELSTONVVM
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

struct GpuKernelsToNVVM : impl::GpuKernelsToNVVMBase<GpuKernelsToNVVM> {
  void runOnOperation() override {
    mlir::gpu::GPUModuleOp kernels = getOperation();
    MLIRContext *ctx = &getContext();
    LowerToLLVMOptions options(
        ctx, getAnalysis<DataLayoutAnalysis>().getAtOrAbove(kernels));
    // Memrefs as MLIR's descriptors, as cnn-gpu-launches-to-runtime passes
    // them (the batch dimension is dynamic).
    options.useBarePtrCallConv = false;
    LLVMTypeConverter converter(ctx, options);
    configureGpuToNVVMTypeConverter(converter);

    RewritePatternSet patterns(ctx);
    arith::populateArithToLLVMConversionPatterns(converter, patterns);
    cf::populateControlFlowToLLVMConversionPatterns(converter, patterns);
    populateFuncToLLVMConversionPatterns(converter, patterns);
    populateFinalizeMemRefToLLVMConversionPatterns(converter, patterns);
    index::populateIndexToLLVMConversionPatterns(converter, patterns);
    populateGpuToNVVMConversionPatterns(converter, patterns);

    // configureGpuToNVVMConversionLegality, less its ban on LLVM's math
    // intrinsics (which it rewrites to libdevice).
    LLVMConversionTarget target(*ctx);
    target.addLegalDialect<NVVM::NVVMDialect>();
    target.addIllegalDialect<mlir::gpu::GPUDialect>();
    target.addIllegalOp<func::FuncOp, cf::AssertOp>();
    target.addLegalOp<mlir::gpu::GPUModuleOp, mlir::gpu::YieldOp>();
    if (failed(applyPartialConversion(kernels, target, std::move(patterns))))
      return signalPassFailure();
    // LLVM's transcendental intrinsics, which the NVPTX back end would
    // turn into libcalls or abort on: the function has no polynomial here.
    static constexpr llvm::StringLiteral kNoInstruction[] = {
        "llvm.intr.pow",  "llvm.intr.powi", "llvm.intr.exp",  "llvm.intr.exp2",
        "llvm.intr.exp10", "llvm.intr.log", "llvm.intr.log2", "llvm.intr.log10",
        "llvm.intr.sin",  "llvm.intr.cos",  "llvm.intr.tan",  "llvm.intr.asin",
        "llvm.intr.acos", "llvm.intr.atan", "llvm.intr.atan2", "llvm.intr.sinh",
        "llvm.intr.cosh", "llvm.intr.tanh"};
    WalkResult unsupported = kernels.walk([&](Operation *op) {
      if (!llvm::is_contained(kNoInstruction, op->getName().getStringRef()))
        return WalkResult::advance();
      op->emitError("no GPU code for ")
          << op->getName()
          << " in a kernel: cnn-gpu-approximate-math has no polynomial for it";
      return WalkResult::interrupt();
    });
    if (unsupported.wasInterrupted())
      return signalPassFailure();
    // Nothing may call out: the PTX is linked with no library.
    WalkResult external = kernels.walk([&](LLVM::LLVMFuncOp fn) {
      if (!fn.isExternal())
        return WalkResult::advance();
      fn.emitError("kernel code calls the external function ")
          << fn.getName() << ", which the PTX cannot link";
      return WalkResult::interrupt();
    });
    if (external.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
} // namespace cnnc::gpu
