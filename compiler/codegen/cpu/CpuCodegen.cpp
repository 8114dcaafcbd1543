//===- CpuCodegen.cpp - LLVM-dialect MLIR to LLVM IR, asm, objects --------===//

#include "codegen/cpu/CpuCodegen.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/Analysis/CGSCCPassManager.h"
#include "llvm/Analysis/LoopAnalysisManager.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace cnnc::cpu {

LogicalResult lowerToLLVMDialect(ModuleOp module,
                                 const CpuPipelineOptions &options) {
  PassManager pm(module->getContext());
  // --mlir-print-ir-after-all, --mlir-timing & co. where a tool registered
  // them (registerPassManagerCLOptions); a no-op otherwise.
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  buildCpuPipeline(pm, options);
  return pm.run(module);
}

std::unique_ptr<llvm::Module> translateToLLVMIR(ModuleOp module,
                                                llvm::LLVMContext &context,
                                                llvm::TargetMachine &tm) {
  // LLVM's OpenMP outlining scans the whole function once per parallel
  // region: each region in a function of its own first.
  PassManager pm(module->getContext());
  pm.addPass(createCpuOutlineParallel());
  if (failed(pm.run(module)))
    return nullptr;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "cnnc");
  if (!llvmModule)
    return nullptr;
  llvmModule->setTargetTriple(tm.getTargetTriple());
  llvmModule->setDataLayout(tm.createDataLayout());
  for (llvm::Function &fn : *llvmModule) {
    if (fn.isDeclaration())
      continue;
    fn.addFnAttr("target-cpu", tm.getTargetCPU());
    fn.addFnAttr("target-features", tm.getTargetFeatureString());
    // The generated code uses wide vectors on purpose: let the backend keep
    // 512-bit ones where the CPU has them instead of splitting them.
    // (AVX-512 from -mcpu as well as from the feature string.)
    fn.addFnAttr("prefer-vector-width",
                 std::to_string(cpu::preferredVectorBits(tm)));
    fn.addFnAttr("min-legal-vector-width", "512");
  }
  return llvmModule;
}

llvm::Error optimizeLLVMModule(llvm::Module &module, llvm::TargetMachine &tm,
                               unsigned optLevel) {
  if (optLevel == 0)
    return llvm::Error::success();
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  // The MLIR pipeline has vectorized every loop worth it (register tiles,
  // flat steps). LLVM's vectorizers only find the scalar leftovers (weight
  // layout copies, strided by a 3x3 filter) and turn them into gathers
  // unrolled eight times: a third of the optimisation time and a tenth of
  // the code, for no measured speed (train and eval steps of five lecture
  // models within noise, bench/compare_builds.py).
  tuning.LoopVectorization = false;
  tuning.SLPVectorization = false;
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 1   ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
  if (llvm::verifyModule(module, &llvm::errs()))
    return llvm::createStringError("LLVM module broken after optimisation");
  return llvm::Error::success();
}

llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                            llvm::raw_pwrite_stream &os,
                            llvm::CodeGenFileType fileType) {
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, fileType))
    return llvm::createStringError("the target cannot emit this file type");
  pm.run(module);
  return llvm::Error::success();
}

} // namespace cnnc::cpu
