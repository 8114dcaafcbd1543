//===- Backend.cpp - cnnc's MLIR and LLVM stages --------------------------===//
//
// One PassManager runs every MLIR stage up to the one asked for, so MLIR's
// --mlir-print-ir-after-all and --mlir-timing see the whole pipeline. The
// model descriptor is gathered before lowering (it needs the cnn.param
// records, which are stripped before translation to LLVM IR).
//
// An object or executable holds two entry points compiled from two copies
// of the model: `forward` (eval mode) and `train_step` (the cnn-train
// pipeline), each through the CPU pipeline, linked into one LLVM module.
//
//===----------------------------------------------------------------------===//
#include "Backend.h"

#include "analysis/ModelSummary.h"
#include "codegen/Library.h"
#include "codegen/ModelDescriptor.h"
#include "conversion/Passes.h"
#include "mlirgen/MLIRGen.h"
#include "pipeline/CpuCodegen.h"
#include "pipeline/CpuPipeline.h"
#include "transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {
namespace {

void backendError(const llvm::Twine &msg) {
  llvm::errs() << "cnnc: error: " << msg << "\n";
}

/// Adds the MLIR passes of every stage up to `stage`.
void buildPassPipeline(mlir::PassManager &pm, const BackendOptions &options) {
  using S = BackendStage;
  if (options.stage == S::CnnTrain) {
    cnn::buildTrainPipeline(pm);
    return;
  }
  if (options.stage < S::CnnEval)
    return;
  pm.addPass(cnn::createSpecializeEval());
  if (options.foldBatchNorm)
    pm.addPass(cnn::createFoldBatchNorm());
  pm.addPass(mlir::createCSEPass());
  if (options.stage < S::Linalg)
    return;
  pm.addPass(cnn::createConvertCnnToLinalg());
  if (options.stage < S::LLVMMLIR)
    return;
  pm.addPass(cnn::createStripParams());
  pipeline::CpuPipelineOptions cpu;
  cpu.parallel = options.parallel;
  pipeline::buildCpuPipeline(pm, cpu);
}

bool emitMachineStages(mlir::ModuleOp module, mlir::ModuleOp trainModule,
                       const Graph &graph, const ModelDescriptor &model,
                       const BackendOptions &options, std::string &out,
                       LibraryParts *library) {
  auto tm = pipeline::createTargetMachine(
      {options.cpu, options.features, /*optLevel=*/3});
  if (!tm) {
    backendError(llvm::toString(tm.takeError()));
    return false;
  }
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      pipeline::translateToLLVMIR(module, llvmContext, **tm);
  if (!llvmModule) {
    backendError("cannot translate the LLVM dialect to LLVM IR");
    return false;
  }
  if (trainModule) {
    std::unique_ptr<llvm::Module> train =
        pipeline::translateToLLVMIR(trainModule, llvmContext, **tm);
    if (!train) {
      backendError("cannot translate train_step's LLVM dialect to LLVM IR");
      return false;
    }
    if (llvm::Linker::linkModules(*llvmModule, std::move(train))) {
      backendError("cannot link train_step with forward");
      return false;
    }
  }
  emitModelDescriptor(*llvmModule, model, "_mlir_ciface_forward",
                      trainModule ? "_mlir_ciface_train_step" : "");
  if (options.library) {
    addLibraryEntryPoints(*llvmModule, model, "_mlir_ciface_forward");
    if (library) {
      library->prefix = libraryPrefix(model.name);
      library->header = libraryHeader(model, graph.file);
    }
  }
  if (llvm::Error err = pipeline::optimizeLLVMModule(*llvmModule, **tm, 3)) {
    backendError(llvm::toString(std::move(err)));
    return false;
  }
  if (options.stage == BackendStage::LLVM) {
    llvm::raw_string_ostream os(out);
    llvmModule->print(os, nullptr);
    return true;
  }
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  auto fileType = options.stage == BackendStage::Asm
                      ? llvm::CodeGenFileType::AssemblyFile
                      : llvm::CodeGenFileType::ObjectFile;
  if (llvm::Error err =
          pipeline::emitMachineCode(*llvmModule, **tm, os, fileType)) {
    backendError(llvm::toString(std::move(err)));
    return false;
  }
  out.append(buffer.begin(), buffer.end());
  return true;
}

} // namespace

bool runBackend(const Graph &graph, llvm::SourceMgr &sourceMgr,
                const BackendOptions &options, std::string &out,
                LibraryParts *library) {
  mlir::DialectRegistry registry;
  pipeline::registerCpuPipelineDialects(registry);
  mlir::MLIRContext context(registry);
  mlir::SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      buildModule(context, graph, sourceMgr);
  if (!module || mlir::failed(mlir::verify(*module)))
    return false;

  mlir::DefaultTimingManager timing;
  mlir::applyDefaultTimingManagerCLOptions(timing);
  mlir::TimingScope rootTiming = timing.getRootScope();
  auto makePassManager = [&]() -> std::unique_ptr<mlir::PassManager> {
    auto pm = std::make_unique<mlir::PassManager>(&context);
    if (mlir::failed(mlir::applyPassManagerCLOptions(*pm)))
      return nullptr;
    pm->enableTiming(rootTiming);
    return pm;
  };

  // train_step, from its own copy of the model.
  mlir::OwningOpRef<mlir::ModuleOp> trainModule;
  bool training = options.training && !options.library &&
                  options.stage >= BackendStage::LLVM;
  if (training) {
    trainModule = module->clone();
    std::unique_ptr<mlir::PassManager> pm = makePassManager();
    if (!pm)
      return false;
    cnn::buildTrainPipeline(*pm);
    if (mlir::failed(pm->run(*trainModule)))
      return false;
  }

  ModelDescriptor model;
  if (options.stage >= BackendStage::LLVM) {
    mlir::FailureOr<ModelDescriptor> described =
        describeModel(*module, trainModule ? *trainModule : mlir::ModuleOp());
    if (mlir::failed(described))
      return false;
    model = std::move(*described);
  }
  if (training) {
    std::unique_ptr<mlir::PassManager> pm = makePassManager();
    if (!pm)
      return false;
    pm->addPass(cnn::createConvertCnnToLinalg());
    pm->addPass(cnn::createStripParams());
    pipeline::CpuPipelineOptions cpu;
    cpu.parallel = options.parallel;
    pipeline::buildCpuPipeline(*pm, cpu);
    if (mlir::failed(pm->run(*trainModule)))
      return false;
  }

  std::unique_ptr<mlir::PassManager> pm = makePassManager();
  if (!pm)
    return false;
  buildPassPipeline(*pm, options);
  if (mlir::failed(pm->run(*module)))
    return false;

  if (options.stage >= BackendStage::LLVM)
    return emitMachineStages(*module,
                             trainModule ? *trainModule : mlir::ModuleOp(),
                             graph, model, options, out, library);
  llvm::raw_string_ostream os(out);
  if (options.stage == BackendStage::Summary)
    printModelSummary(*module, os);
  else
    module->print(os);
  return true;
}

} // namespace cnnc
