//===- CpuPipeline.cpp - linalg-on-tensors to the LLVM dialect ------------===//

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/Passes.h"

#include "codegen/cpu/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/Affine/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/AllInterfaces.h"
#include "mlir/Dialect/MemRef/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/TensorInferTypeOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/TensorTilingInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/SubsetOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace cnnc::cpu {

void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options) {
  // --- Tensors: fuse elementwise chains, tile + fuse, vectorize. ---
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createCpuFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Layouts and tile sizes for the machine, as #cnn_cpu.config on the ops.
  cpu::CpuStrategyOptions strategyOptions;
  strategyOptions.cpu = options.cpu;
  strategyOptions.features = options.features;
  strategyOptions.winograd = options.winograd;
  pm.addNestedPass<func::FuncOp>(cpu::createCpuStrategy(strategyOptions));
  // Ops the strategy rewrote into the same form (a pooling and its
  // gradient's maxima) become one before they are tiled apart: their
  // sizes first resolved to the same values.
  pm.addPass(memref::createResolveShapedTypeResultDimsPass());
  pm.addPass(createCSEPass());
  CpuTileAndFuseOptions tileOptions;
  tileOptions.parallel = options.parallel;
  pm.addNestedPass<func::FuncOp>(createCpuTileAndFuse(tileOptions));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.vectorize) {
    CpuVectorizeOptions vectorizeOptions;
    vectorizeOptions.cpu = options.cpu;
    vectorizeOptions.features = options.features;
    pm.addNestedPass<func::FuncOp>(createCpuVectorize(vectorizeOptions));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    // Accumulators of the reduction loops stay in registers.
    pm.addNestedPass<func::FuncOp>(createLoopInvariantSubsetHoistingPass());
    pm.addPass(createCanonicalizerPass());
  }
  // Emitted as vector code with its accumulators already in registers
  // (nothing for the passes above to do but take time).
  CpuWinogradConvOptions winogradOptions;
  winogradOptions.cpu = options.cpu;
  winogradOptions.features = options.features;
  pm.addNestedPass<func::FuncOp>(createCpuWinogradConv(winogradOptions));

  // --- Bufferization: the function arguments are the buffers; no copies of
  // inputs; the result is computed in place in the output. ---
  pm.addNestedPass<func::FuncOp>(createCpuSplitEmptyTensors());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  // A repeated block's loop yields a new activation each iteration.
  bufferizeOptions.allowReturnAllocsFromLoops = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  // A repeated block's input read from its stack slot, not from a copy.
  pm.addNestedPass<func::FuncOp>(createCpuReadSlicesInPlace());
  // Tile temporaries and padded images on the stack, out of the tile loops.
  pm.addNestedPass<func::FuncOp>(createCpuStackBuffers());

  // --- Memrefs: vectors to 1-D, leftover linalg to loops, forall to
  // scf.parallel and on to OpenMP. ---
  if (options.vectorize) {
    CpuLowerVectorOptions lowerOptions;
    lowerOptions.cpu = options.cpu;
    lowerOptions.features = options.features;
    pm.addNestedPass<func::FuncOp>(createCpuLowerVector(lowerOptions));
  }
  pm.addNestedPass<func::FuncOp>(createCpuLinalgToLoops());
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createLoopInvariantCodeMotionPass());
  pm.addNestedPass<func::FuncOp>(createCpuPrefetchWrites());
  if (!options.lowerToLLVM)
    return;
  if (options.parallel) {
    ConvertSCFToOpenMPPassOptions ompOptions;
    ompOptions.numThreads = options.numThreads;
    pm.addPass(createConvertSCFToOpenMPPass(ompOptions));
    // Stack buffers of an iteration: once per thread, at the top of the
    // parallel region.
    pm.addNestedPass<func::FuncOp>(createCpuStackBuffers());
    // Inlines the memref.alloca_scope wrapped around each parallel body
    // when it holds no alloca (scf-to-cf cannot split a scope's region).
    pm.addPass(createCanonicalizerPass());
  }

  // --- Everything to the LLVM dialect. ---
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(arith::createArithExpandOpsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // A contraction step's sum of products as a tree of vector adds, not a
  // chain of scalar ones in lane order (whose latency made a linear layer's
  // dot products a fifth of Net's forward); the order is fixed at compile
  // time, so results stay deterministic.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  // Math, memref, arith, index, func, cf, OpenMP and ub in one conversion
  // (each dialect's ConvertToLLVMPatternInterface, registered below): the
  // same LLVM dialect as their eight passes (the same LLVM IR for every
  // lecture model), in one walk of the module instead of eight: NetDepth's
  // 0.55 s in those passes became 0.08 (one thread, --mlir-timing).
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  // No canonicalizer or CSE over the LLVM dialect: LLVM's own pipeline folds
  // and deduplicates the same (EarlyCSE, InstCombine, GVN), and here they
  // were a seventh of Net's compile time (0.9 of 6.5 s).
}

void registerCpuPipelineDialects(DialectRegistry &registry) {
  registry.insert<cpu::CnnCpuDialect, affine::AffineDialect,
                  arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect, index::IndexDialect, linalg::LinalgDialect,
                  LLVM::LLVMDialect, math::MathDialect, memref::MemRefDialect,
                  omp::OpenMPDialect, scf::SCFDialect, tensor::TensorDialect,
                  vector::VectorDialect>();
  linalg::registerAllDialectInterfaceImplementations(registry);
  tensor::registerTilingInterfaceExternalModels(registry);
  tensor::registerInferTypeOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerSubsetOpInterfaceExternalModels(registry);
  tensor::registerValueBoundsOpInterfaceExternalModels(registry);
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  arith::registerValueBoundsOpInterfaceExternalModels(registry);
  affine::registerValueBoundsOpInterfaceExternalModels(registry);
  memref::registerValueBoundsOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerValueBoundsOpInterfaceExternalModels(registry);
  vector::registerBufferizableOpInterfaceExternalModels(registry);
  vector::registerSubsetOpInterfaceExternalModels(registry);
  vector::registerValueBoundsOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  // convert-to-llvm: every dialect's patterns in one conversion.
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  registerConvertOpenMPToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
}

void registerCpuPipelinePasses() {
  registerCnncCpuPasses();
  memref::registerResolveShapedTypeResultDimsPass(); // run after the strategy
  PassPipelineRegistration<CpuPipelineOptions>(
      "cnn-cpu-pipeline",
      "linalg on tensors to the LLVM dialect: fuse, tile, vectorize, "
      "bufferize, parallelize (OpenMP), lower",
      buildCpuPipeline);
}

} // namespace cnnc::cpu
