//===- LaunchesToRuntime.cpp - gpu.launch_func as cnnrt_gpu_launch calls --===//

#include "codegen/gpu/Passes.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc::gpu {
#define GEN_PASS_DEF_GPULAUNCHESTORUNTIME
#include "codegen/gpu/Passes.h.inc"
} // namespace cnnc::gpu

using namespace mlir;

namespace cnnc::gpu {
namespace {

constexpr llvm::StringLiteral kLaunchFunction = "cnnrt_gpu_launch";

/// The values of `operand` as the kernel receives them: a memref expanded
/// into MLIR's descriptor fields (allocated and aligned pointer, offset,
/// sizes, strides; the code never frees, so the allocated pointer is the
/// aligned one), an index as i64, anything else as it is.
void appendKernelParameters(OpBuilder &b, Location loc, Value operand,
                            SmallVectorImpl<Value> &out) {
  Type i64 = b.getI64Type();
  auto toI64 = [&](Value index) -> Value {
    return b.create<arith::IndexCastOp>(loc, i64, index);
  };
  auto memref = dyn_cast<MemRefType>(operand.getType());
  if (!memref) {
    out.push_back(operand.getType().isIndex() ? toI64(operand) : operand);
    return;
  }
  auto metadata = b.create<memref::ExtractStridedMetadataOp>(loc, operand);
  Value pointer = b.create<LLVM::IntToPtrOp>(
      loc, LLVM::LLVMPointerType::get(b.getContext()),
      toI64(b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, operand)));
  out.push_back(pointer);
  out.push_back(pointer);
  out.push_back(toI64(metadata.getOffset()));
  for (Value size : metadata.getSizes())
    out.push_back(toI64(size));
  for (Value stride : metadata.getStrides())
    out.push_back(toI64(stride));
}

struct GpuLaunchesToRuntime
    : impl::GpuLaunchesToRuntimeBase<GpuLaunchesToRuntime> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    Type i64 = b.getI64Type();
    auto ptr = LLVM::LLVMPointerType::get(ctx);

    // The kernels' PTX and target, read before their gpu.binary goes.
    SmallVector<mlir::gpu::BinaryOp> binaries(
        module.getOps<mlir::gpu::BinaryOp>());
    if (binaries.size() > 1) {
      module.emitError("expected the kernels in one gpu.binary "
                       "(cnn-gpu-merge-kernel-modules)");
      return signalPassFailure();
    }
    if (!binaries.empty()) {
      ArrayAttr objects = binaries.front().getObjects();
      auto object =
          objects.size() == 1
              ? dyn_cast<mlir::gpu::ObjectAttr>(objects[0])
              : mlir::gpu::ObjectAttr();
      auto target = object ? dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget())
                           : NVVM::NVVMTargetAttr();
      if (!target || object.getFormat() != mlir::gpu::CompilationTarget::Assembly) {
        binaries.front().emitError("expected one NVVM object in PTX form");
        return signalPassFailure();
      }
      module->setAttr("cnn.gpu_ptx", object.getObject());
      module->setAttr("cnn.gpu_arch", b.getStringAttr(target.getChip()));
    }

    // The runtime's entry point.
    b.setInsertionPointToEnd(module.getBody());
    auto launchType = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(ctx), {i64, i64, i64, i64, i64, i64, i64, i64, ptr});
    SmallVector<mlir::gpu::LaunchFuncOp> launches;
    module.walk([&](mlir::gpu::LaunchFuncOp l) { launches.push_back(l); });
    if (!launches.empty() && !module.lookupSymbol(kLaunchFunction))
      b.create<LLVM::LLVMFuncOp>(module.getLoc(), kLaunchFunction, launchType);

    SmallVector<Attribute> kernelNames;
    DenseMap<Attribute, int64_t> kernelIndex;
    for (mlir::gpu::LaunchFuncOp launch : launches) {
      if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
          launch.hasClusterSize()) {
        launch.emitError("async and cluster launches are not supported");
        return signalPassFailure();
      }
      StringAttr name = launch.getKernelName();
      auto [it, inserted] = kernelIndex.try_emplace(name, kernelNames.size());
      if (inserted)
        kernelNames.push_back(name);
      Location loc = launch.getLoc();

      b.setInsertionPoint(launch);
      SmallVector<Value> params;
      for (Value operand : launch.getKernelOperands())
        appendKernelParameters(b, loc, operand, params);
      // cuLaunchKernel's kernelParams: an array of pointers to the values,
      // on the stack of the function's entry (launches may be in loops).
      auto func = launch->getParentOfType<FunctionOpInterface>();
      OpBuilder entry = OpBuilder::atBlockBegin(&func.getFunctionBody().front());
      Value one = entry.create<LLVM::ConstantOp>(loc, i64, int64_t(1));
      auto arrayType = LLVM::LLVMArrayType::get(ptr, std::max<size_t>(1, params.size()));
      Value array = entry.create<LLVM::AllocaOp>(loc, ptr, arrayType, one);
      for (auto [i, value] : llvm::enumerate(params)) {
        Value slot =
            entry.create<LLVM::AllocaOp>(loc, ptr, value.getType(), one);
        b.create<LLVM::StoreOp>(loc, value, slot);
        Value element = b.create<LLVM::GEPOp>(
            loc, ptr, arrayType, array,
            ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
        b.create<LLVM::StoreOp>(loc, slot, element);
      }
      auto toI64 = [&](Value index) -> Value {
        return b.create<arith::IndexCastOp>(loc, i64, index);
      };
      Value shared = launch.getDynamicSharedMemorySize()
                         ? b.create<arith::ExtUIOp>(
                               loc, i64, launch.getDynamicSharedMemorySize())
                               .getResult()
                         : b.create<LLVM::ConstantOp>(loc, i64, int64_t(0))
                               .getResult();
      mlir::gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      mlir::gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
      Value kernel = b.create<LLVM::ConstantOp>(loc, i64, it->second);
      b.create<LLVM::CallOp>(
          loc, launchType, kLaunchFunction,
          ValueRange{kernel, toI64(grid.x), toI64(grid.y), toI64(grid.z),
                     toI64(block.x), toI64(block.y), toI64(block.z), shared,
                     array});
      launch.erase();
    }
    if (!kernelNames.empty())
      module->setAttr("cnn.gpu_kernels", b.getArrayAttr(kernelNames));
    for (mlir::gpu::BinaryOp binary : binaries)
      binary.erase();
    for (auto kernels : llvm::make_early_inc_range(
             module.getOps<mlir::gpu::GPUModuleOp>()))
      kernels.erase();
    module->removeAttr(mlir::gpu::GPUDialect::getContainerModuleAttrName());
  }
};

} // namespace
} // namespace cnnc::gpu
