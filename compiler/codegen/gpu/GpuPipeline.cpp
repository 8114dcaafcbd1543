//===- GpuPipeline.cpp - linalg-on-tensors to NVIDIA kernels --------------===//

#include "codegen/gpu/GpuPipeline.h"
#include "codegen/gpu/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUCommon/GPUToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/Affine/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/AllInterfaces.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/TensorInferTypeOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/TensorTilingInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace cnnc::gpu {

std::string ptxFeatures(llvm::StringRef arch) {
  // The lowest PTX ISA each GPU needs (NVIDIA's PTX ISA notes), so that
  // older drivers still load the code.
  llvm::StringRef ptx = llvm::StringSwitch<llvm::StringRef>(arch)
                            .Case("sm_70", "+ptx60")
                            .Case("sm_72", "+ptx61")
                            .Case("sm_75", "+ptx63")
                            .Case("sm_80", "+ptx70")
                            .Case("sm_86", "+ptx71")
                            .Case("sm_87", "+ptx74")
                            .Case("sm_89", "+ptx78")
                            .Case("sm_90", "+ptx78")
                            .Case("sm_90a", "+ptx80")
                            .Case("sm_100", "+ptx86")
                            .Case("sm_120", "+ptx87")
                            .Default("");
  return ptx.str();
}

bool isKnownArch(llvm::StringRef arch) { return !ptxFeatures(arch).empty(); }

namespace {

/// Tensors to the gpu.launches of the host function.
void addSchedulePasses(OpPassManager &pm, const GpuPipelineOptions &options) {
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createGpuSplitReductions());
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Into the function's buffers and temporaries the host allocates (in
  // device memory: cnn-gpu-allocs-to-runtime); nothing is freed.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createGpuCopiesToLinalg());
  pm.addNestedPass<func::FuncOp>(createGpuReductionsInner());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createGpuFoldPadding());
  pm.addNestedPass<func::FuncOp>(createGpuAccumulateInRegisters());
  pm.addNestedPass<func::FuncOp>(createGpuSerialKernels());
  pm.addNestedPass<func::FuncOp>(createGpuHoistInvariantKernels());
  // Equal loop bounds as one value, so that loops over the same space fuse.
  pm.addPass(createCSEPass());
  GpuMapToThreadsOptions map;
  map.threadsPerBlock = options.threadsPerBlock;
  pm.addNestedPass<func::FuncOp>(createGpuMapToThreads(map));
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createGpuCheckHostCode());
}

/// A function's remaining ops (host or emulated kernels) to the LLVM
/// dialect.
void addLowerToLLVMPasses(OpPassManager &pm, bool deviceAllocations) {
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(arith::createArithExpandOpsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  FinalizeMemRefToLLVMConversionPassOptions memref;
  memref.useGenericFunctions = deviceAllocations;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memref));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// The launches' bodies to one gpu.module of NVVM kernels.
void addKernelPasses(OpPassManager &pm, const GpuPipelineOptions &options) {
  // Constants and index arithmetic into the kernels: else they become
  // parameters and the loops do not unroll.
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createGpuMergeKernelModules());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.arch;
  target.features = ptxFeatures(options.arch);
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<mlir::gpu::GPUModuleOp>();
  kernels.addPass(createGpuApproximateMath());
  kernels.addPass(createGpuFuseMultiplyAdd());
  // The rest of math as LLVM intrinsics, before the NVVM patterns, which
  // would make them libdevice calls.
  kernels.addPass(createConvertMathToLLVMPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createGpuKernelsToNVVM());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
}

} // namespace

void buildGpuPipeline(OpPassManager &pm, const GpuPipelineOptions &options) {
  // On the GPU the training step reads a data set on the device and its
  // scalars from device memory (one CUDA graph for every step); emulated on
  // the CPU it keeps the CPU's signature.
  if (!options.emulate)
    pm.addPass(createGpuTrainEntry());
  addSchedulePasses(pm, options);
  if (options.stopAfter == GpuStage::Schedule)
    return;
  if (options.emulate) {
    pm.addNestedPass<func::FuncOp>(createGpuLaunchToLoops());
    // On the CPU the temporaries are the heap's: freed when last used (on
    // the GPU the runtime keeps them from call to call).
    bufferization::buildBufferDeallocationPipeline(pm);
    pm.addNestedPass<func::FuncOp>(createGpuApproximateMath());
    pm.addNestedPass<func::FuncOp>(createGpuFuseMultiplyAdd());
    addLowerToLLVMPasses(pm, /*deviceAllocations=*/false);
    return;
  }
  addKernelPasses(pm, options);
  if (options.stopAfter == GpuStage::Kernels)
    return;
  if (options.hostKernels)
    pm.addPass(createGpuHostKernels());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa"; // PTX: no ptxas needed
  pm.addPass(createGpuModuleToBinaryPass(binary));
  if (options.stopAfter == GpuStage::Binary)
    return;
  pm.addPass(createGpuLaunchesToRuntime());
  addLowerToLLVMPasses(pm, /*deviceAllocations=*/true);
  pm.addPass(createGpuAllocsToRuntime());
}

void registerGpuPipelineDialects(DialectRegistry &registry) {
  registry.insert<mlir::gpu::GPUDialect, NVVM::NVVMDialect,
                  cf::ControlFlowDialect, index::IndexDialect>();
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

void registerGpuPipelinePasses() {
  registerCnncGpuPasses();
  PassPipelineRegistration<GpuPipelineOptions>(
      "cnn-gpu-pipeline",
      "linalg on tensors to NVIDIA kernels (PTX) and a host function that "
      "starts them through libcnnrt",
      buildGpuPipeline);
}

} // namespace cnnc::gpu
