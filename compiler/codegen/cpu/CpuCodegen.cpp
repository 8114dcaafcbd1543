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
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

#include <atomic>
#include <numeric>
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

namespace {

/// Parts of a module per code generation thread.
constexpr unsigned kPartsPerThread = 3;

/// Splits `module` into `parts` modules that link back into it, with about
/// as many instructions each: every function goes, largest first, to the
/// part with the fewest so far. (llvm::SplitModule deals functions out by
/// name or in turn: a training step's two largest parallel regions, which
/// take most of the time, could land in one part.) Local symbols become
/// hidden globals, for the parts to reach each other's.
void splitModuleBySize(
    llvm::Module &module, std::size_t parts,
    llvm::function_ref<void(std::unique_ptr<llvm::Module>)> emit) {
  unsigned unnamed = 0;
  for (llvm::GlobalValue &value : module.global_values()) {
    if (value.isDeclaration() || !value.hasLocalLinkage())
      continue;
    if (!value.hasName())
      value.setName("cnnc.part." + llvm::Twine(unnamed++));
    value.setLinkage(llvm::GlobalValue::ExternalLinkage);
    value.setVisibility(llvm::GlobalValue::HiddenVisibility);
  }
  std::vector<llvm::Function *> functions;
  for (llvm::Function &function : module)
    if (!function.isDeclaration())
      functions.push_back(&function);
  // No more parts than functions (and at least one, for the variables).
  parts =
      std::max<std::size_t>(1, std::min<std::size_t>(parts, functions.size()));
  llvm::stable_sort(functions, [](llvm::Function *a, llvm::Function *b) {
    return a->getInstructionCount() > b->getInstructionCount();
  });
  llvm::DenseMap<const llvm::GlobalValue *, unsigned> partOf;
  std::vector<uint64_t> size(parts, 0);
  for (llvm::Function *function : functions) {
    unsigned smallest =
        std::min_element(size.begin(), size.end()) - size.begin();
    partOf[function] = smallest;
    size[smallest] += function->getInstructionCount();
  }
  // Largest first; variables and aliases go with it.
  std::vector<unsigned> order(parts);
  std::iota(order.begin(), order.end(), 0u);
  llvm::stable_sort(order,
                    [&](unsigned a, unsigned b) { return size[a] > size[b]; });
  // (Every part has a function: there are no more parts than functions.)
  for (unsigned i : order) {
    llvm::ValueToValueMapTy map;
    emit(llvm::CloneModule(module, map, [&](const llvm::GlobalValue *value) {
      auto it = partOf.find(value);
      return (it == partOf.end() ? order.front() : it->second) == i;
    }));
  }
}

} // namespace

llvm::Expected<std::vector<std::string>>
emitObjectsInParallel(llvm::Module &module, const CpuTargetOptions &target,
                      unsigned threads) {
  // An LLVMContext is for one thread at a time: each part crosses to its
  // thread as bitcode. A few parts a thread, which the threads take largest
  // first as they come free: instruction counts only estimate LLVM's time.
  threads = std::max(threads, 1u);
  std::vector<llvm::SmallString<0>> bitcode;
  splitModuleBySize(module, std::size_t(kPartsPerThread) * threads,
                    [&](std::unique_ptr<llvm::Module> part) {
                      llvm::SmallString<0> &buffer = bitcode.emplace_back();
                      llvm::raw_svector_ostream os(buffer);
                      llvm::WriteBitcodeToFile(*part, os);
                    });
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
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < bitcode.size(); i = next++)
      compilePart(i);
  };
  std::vector<std::thread> workers;
  // (No more threads than parts: --codegen-threads may ask for any.)
  for (std::size_t i = 1; i < std::min<std::size_t>(threads, bitcode.size());
       ++i)
    workers.emplace_back(work);
  work();
  for (std::thread &worker : workers)
    worker.join();
  for (const std::string &error : errors)
    if (!error.empty())
      return llvm::createStringError(error);
  return objects;
}

} // namespace cnnc::cpu
