//===- CpuCodegen.cpp - LLVM-dialect MLIR to LLVM IR, asm, objects --------===//

#include "codegen/cpu/CpuCodegen.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/Analysis/CGSCCPassManager.h"
#include "llvm/Analysis/LoopAnalysisManager.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/StandardInstrumentations.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#include <thread>

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
  // LLVM's own instrumentation: -time-passes (and -print-after & co.) then
  // cover the optimisation pipeline, not only code generation.
  llvm::PassInstrumentationCallbacks instrumentation;
  llvm::StandardInstrumentations standard(module.getContext(),
                                          /*DebugLogging=*/false);
  standard.registerCallbacks(instrumentation, &mam);
  // Loop load elimination forwards a value stored in one iteration to the
  // next one's load. The register tiles keep their accumulators in
  // registers already; what it analyses are the unrolled tile loops'
  // loads and stores, pairwise: a third of NetRes's LLVM time (1.8 of
  // 5.8 s, -time-passes) for no measured speed.
  instrumentation.registerShouldRunOptionalPassCallback(
      [](llvm::StringRef pass, llvm::Any) {
        return pass != "LoopLoadEliminationPass";
      });
  llvm::PassBuilder pb(&tm, tuning, std::nullopt, &instrumentation);
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

llvm::Expected<std::vector<std::string>>
emitObjectsInParallel(llvm::Module &module, const CpuTargetOptions &target,
                      unsigned parts) {
  // An LLVMContext is for one thread at a time: each part crosses to its
  // thread as bitcode.
  std::vector<llvm::SmallString<0>> bitcode;
  llvm::SplitModule(
      module, std::max(parts, 1u),
      [&](std::unique_ptr<llvm::Module> part) {
        llvm::SmallString<0> &buffer = bitcode.emplace_back();
        llvm::raw_svector_ostream os(buffer);
        llvm::WriteBitcodeToFile(*part, os);
      },
      /*PreserveLocals=*/false, /*RoundRobin=*/true);
  // The target machines here: the target registry is set up on this thread.
  std::vector<std::unique_ptr<llvm::TargetMachine>> machines;
  for (std::size_t i = 0; i < bitcode.size(); ++i) {
    auto tm = createTargetMachine(target);
    if (!tm)
      return tm.takeError();
    machines.push_back(std::move(*tm));
  }
  std::vector<std::string> objects(bitcode.size()), errors(bitcode.size());
  auto compilePart = [&](std::size_t i) {
    llvm::LLVMContext context;
    llvm::Expected<std::unique_ptr<llvm::Module>> part =
        llvm::parseBitcodeFile(
            llvm::MemoryBufferRef(llvm::StringRef(bitcode[i].data(),
                                                  bitcode[i].size()),
                                  "part"),
            context);
    if (!part) {
      errors[i] = llvm::toString(part.takeError());
      return;
    }
    if (llvm::Error err =
            optimizeLLVMModule(**part, *machines[i], target.optLevel)) {
      errors[i] = llvm::toString(std::move(err));
      return;
    }
    llvm::SmallVector<char, 0> buffer;
    llvm::raw_svector_ostream os(buffer);
    if (llvm::Error err = emitMachineCode(**part, *machines[i], os,
                                          llvm::CodeGenFileType::ObjectFile))
      errors[i] = llvm::toString(std::move(err));
    objects[i].assign(buffer.begin(), buffer.end());
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < bitcode.size(); ++i)
    threads.emplace_back(compilePart, i);
  if (!bitcode.empty())
    compilePart(0);
  for (std::thread &thread : threads)
    thread.join();
  for (const std::string &error : errors)
    if (!error.empty())
      return llvm::createStringError(error);
  return objects;
}

} // namespace cnnc::cpu
