//===- Backend.cpp - cnnc's MLIR and LLVM stages --------------------------===//
//
// The MLIR stages are pipeline::buildPipeline's (Pipelines.h), run up to the
// one asked for; MLIR's --mlir-print-ir-after-all and --mlir-timing see
// them. Here: translation to LLVM IR, linking, the model descriptor, LLVM's
// optimisation and object emission. The descriptor is gathered before
// lowering (it needs the cnn.param records, which are stripped before
// translation to LLVM IR).
//
// An object or executable holds two entry points compiled from two copies
// of the model: `forward` (the eval pipeline) and `train_step` (the train
// pipeline), linked into one LLVM module.
//
//===----------------------------------------------------------------------===//
#include "Backend.h"

#include "analysis/ModelSummary.h"
#include "cnn/CnnNames.h"
#include "codegen/Library.h"
#include "codegen/ModelDescriptor.h"
#include "mlirgen/MLIRGen.h"
#include "codegen/cpu/CpuCodegen.h"
#include "codegen/cpu/CpuPipeline.h"
#include "codegen/gpu/GpuPipeline.h"
#include "codegen/gpu/KernelCode.h"
#include "pipeline/Pipelines.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Pass.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/raw_ostream.h"

#include <thread>

namespace cnnc {
namespace {

void backendError(const llvm::Twine &msg) {
  llvm::errs() << "cnnc: error: " << msg << "\n";
}

/// The pipeline's stages from `startAfter` to `stopAfter` in `mode`, with
/// cnnc's options.
pipeline::PipelineOptions pipelineOptions(const BackendOptions &options,
                                          pipeline::Mode mode,
                                          pipeline::Stage startAfter,
                                          pipeline::Stage stopAfter) {
  pipeline::PipelineOptions out;
  out.target = pipeline::Target::Cpu;
  out.mode = mode;
  out.startAfter = startAfter;
  out.stopAfter = stopAfter;
  out.foldBatchNorm = options.foldBatchNorm;
  out.parallel = options.parallel;
  out.winograd = options.winograd;
  out.cpu = options.cpu;
  out.features = options.features;
  out.gpuArch = options.gpuArch;
  if (options.target == BackendTarget::Cuda && options.gpuOnCpu)
    out.target = pipeline::Target::CudaOnCpu;
  return out;
}

/// The GPU's entry points, as cnnc names them beside the CPU's
/// (cnn-gpu-train-entry names the training step's).
constexpr llvm::StringLiteral kForwardCudaName = "forward_cuda";
constexpr llvm::StringLiteral kTrainStepCudaName = "train_step_cuda";

/// Renames `module`'s entry `from` (nothing in the module calls it).
bool renameEntry(mlir::ModuleOp module, llvm::StringRef from,
                 llvm::StringRef to) {
  auto entry = module.lookupSymbol<mlir::func::FuncOp>(from);
  if (!entry) {
    backendError("the lowered module has no function '" + from + "'");
    return false;
  }
  entry.setSymName(to);
  return true;
}

/// Copies `from`'s functions into `to`, but for declarations `to` already
/// has (the runtime functions both entries call).
void mergeFunctions(mlir::ModuleOp from, mlir::ModuleOp to) {
  mlir::OpBuilder builder = mlir::OpBuilder::atBlockEnd(to.getBody());
  for (auto function : from.getOps<mlir::func::FuncOp>())
    if (!to.lookupSymbol(function.getSymName()))
      builder.clone(*function);
}

/// The GPU branch's pipeline options, up to --emit's stage.
pipeline::PipelineOptions gpuPipelineOptions(const BackendOptions &options,
                                             pipeline::Stage startAfter,
                                             pipeline::Stage stopAfter,
                                             gpu::GpuStage gpuStopAfter) {
  pipeline::PipelineOptions out =
      pipelineOptions(options, pipeline::Mode::Eval, startAfter, stopAfter);
  out.target = pipeline::Target::Cuda;
  out.gpuStopAfter = gpuStopAfter;
  out.gpuHostKernels = options.gpuHostKernels;
  return out;
}

/// The last MLIR stage `stage` needs.
pipeline::Stage lastPipelineStage(BackendStage stage) {
  switch (stage) {
  case BackendStage::Cnn:
  case BackendStage::Summary:
    return pipeline::Stage::Cnn;
  case BackendStage::CnnEval:
  case BackendStage::CnnTrain:
    return pipeline::Stage::Specialized;
  case BackendStage::Linalg:
  case BackendStage::TrainLinalg:
    return pipeline::Stage::Linalg;
  default:
    return pipeline::Stage::LLVMDialect;
  }
}

/// Gives `module`'s private function definitions internal linkage, so that
/// helpers of the same name in two copies of the model (the buffer
/// deallocation's dealloc_helper) do not clash when the copies are linked.
void internalizePrivateFunctions(mlir::ModuleOp module) {
  mlir::MLIRContext *ctx = module.getContext();
  for (auto function : module.getOps<mlir::LLVM::LLVMFuncOp>())
    if (function.isPrivate() && !function.isExternal())
      function.setLinkageAttr(
          mlir::LLVM::LinkageAttr::get(ctx, mlir::LLVM::Linkage::Internal));
}

/// `module`'s LLVM IR in `context`, its private functions internal (see
/// above); null, reported, where `what` cannot be translated.
std::unique_ptr<llvm::Module> translate(mlir::ModuleOp module,
                                        llvm::LLVMContext &context,
                                        llvm::TargetMachine &tm,
                                        const llvm::Twine &what) {
  internalizePrivateFunctions(module);
  std::unique_ptr<llvm::Module> code =
      cpu::translateToLLVMIR(module, context, tm);
  if (!code)
    backendError("cannot translate " + what + " to LLVM IR");
  return code;
}

/// The code generator's settings from cnnc's options.
cpu::CpuTargetOptions cpuTarget(const BackendOptions &options) {
  return {options.cpu, options.features, /*optLevel=*/3};
}

/// `module`'s code alone, optimised, as an object (forward's, compiled
/// while train_step's MLIR pipeline runs on the other thread).
bool emitObject(mlir::ModuleOp module, const BackendOptions &options,
                std::string &object) {
  cpu::CpuTargetOptions target = cpuTarget(options);
  auto tm = cpu::createTargetMachine(target);
  if (!tm) {
    backendError(llvm::toString(tm.takeError()));
    return false;
  }
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translate(module, llvmContext, **tm, "the LLVM dialect");
  if (!llvmModule)
    return false;
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  if (llvm::Error err =
          cpu::optimizeLLVMModule(*llvmModule, **tm, target.optLevel)) {
    backendError(llvm::toString(std::move(err)));
    return false;
  }
  if (llvm::Error err = cpu::emitMachineCode(
          *llvmModule, **tm, os, llvm::CodeGenFileType::ObjectFile)) {
    backendError(llvm::toString(std::move(err)));
    return false;
  }
  object.assign(buffer.begin(), buffer.end());
  return true;
}

/// LLVM IR, the descriptor, and the stage asked for, from the lowered
/// modules. A null `module`: forward is compiled already (emitObject), and
/// the descriptor declares it.
bool emitMachineStages(mlir::ModuleOp module, mlir::ModuleOp trainModule,
                       mlir::ModuleOp gpuModule, const Graph &graph,
                       const ModelDescriptor &model,
                       const BackendOptions &options, BackendOutput &out,
                       LibraryParts *library) {
  cpu::CpuTargetOptions target = cpuTarget(options);
  auto tm = cpu::createTargetMachine(target);
  if (!tm) {
    backendError(llvm::toString(tm.takeError()));
    return false;
  }
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = translate(
      module ? module : trainModule, llvmContext, **tm, "the LLVM dialect");
  if (!llvmModule)
    return false;
  // Another copy of the model's code (train_step, forward_cuda), translated
  // and linked into the one module.
  auto linkIn = [&](mlir::ModuleOp other, llvm::StringRef function) {
    std::unique_ptr<llvm::Module> code =
        translate(other, llvmContext, **tm, function + "'s LLVM dialect");
    if (!code)
      return false;
    if (llvm::Linker::linkModules(*llvmModule, std::move(code))) {
      backendError("cannot link " + function + " with forward");
      return false;
    }
    return true;
  };
  if (module && trainModule && !linkIn(trainModule, "train_step"))
    return false;
  std::optional<GpuCode> gpuCode;
  if (gpuModule) {
    mlir::FailureOr<gpu::KernelCode> kernels = gpu::takeKernelCode(gpuModule);
    if (mlir::failed(kernels) || !linkIn(gpuModule, kForwardCudaName))
      return false;
    gpuCode = GpuCode{("_mlir_ciface_" + kForwardCudaName).str(),
                      trainModule
                          ? ("_mlir_ciface_" + kTrainStepCudaName).str()
                          : std::string(),
                      kernels->arch, std::move(kernels->ptx),
                      std::move(kernels->kernelNames)};
  }
  if (llvm::Error err = emitModelDescriptor(
          *llvmModule, model, cnn::kForwardCInterfaceName,
          trainModule ? cnn::kTrainStepCInterfaceName : "",
          gpuCode ? &*gpuCode : nullptr)) {
    backendError(llvm::toString(std::move(err)));
    return false;
  }
  if (options.library) {
    addLibraryEntryPoints(*llvmModule, model, cnn::kForwardCInterfaceName);
    if (library) {
      library->prefix = libraryPrefix(model.name);
      library->header =
          libraryHeader(model, graph.file, gpuCode ? &*gpuCode : nullptr,
                        options.gpuHostKernels);
    }
  }
  // Objects on several threads: each part optimised on its own thread.
  // (Not with LLVM's -time-passes: its timers are the process's.)
  if (options.stage == BackendStage::Obj && options.splitObjects &&
      options.codegenThreads > 1 && !llvm::TimePassesIsEnabled) {
    llvm::Expected<std::vector<std::string>> objects =
        cpu::emitObjectsInParallel(*llvmModule, target,
                                   options.codegenThreads);
    if (!objects) {
      backendError(llvm::toString(objects.takeError()));
      return false;
    }
    out.objects.insert(out.objects.end(),
                       std::make_move_iterator(objects->begin()),
                       std::make_move_iterator(objects->end()));
    return true;
  }
  if (llvm::Error err =
          cpu::optimizeLLVMModule(*llvmModule, **tm, target.optLevel)) {
    backendError(llvm::toString(std::move(err)));
    return false;
  }
  if (options.stage == BackendStage::LLVM) {
    llvm::raw_string_ostream os(out.text);
    llvmModule->print(os, nullptr);
    return true;
  }
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  auto fileType = options.stage == BackendStage::Asm
                      ? llvm::CodeGenFileType::AssemblyFile
                      : llvm::CodeGenFileType::ObjectFile;
  if (llvm::Error err =
          cpu::emitMachineCode(*llvmModule, **tm, os, fileType)) {
    backendError(llvm::toString(std::move(err)));
    return false;
  }
  if (options.stage == BackendStage::Obj)
    out.objects.emplace_back(buffer.begin(), buffer.end());
  else
    out.text.append(buffer.begin(), buffer.end());
  return true;
}

} // namespace

bool runBackend(const Graph &graph, llvm::SourceMgr &sourceMgr,
                const BackendOptions &options, BackendOutput &out,
                LibraryParts *library) {
  mlir::DialectRegistry registry;
  cpu::registerCpuPipelineDialects(registry);
  gpu::registerGpuPipelineDialects(registry);
  mlir::MLIRContext context(registry);
  mlir::SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      buildModule(context, graph, sourceMgr);
  if (!module || mlir::failed(mlir::verify(*module)))
    return false;

  mlir::DefaultTimingManager timing;
  mlir::applyDefaultTimingManagerCLOptions(timing);
  mlir::TimingScope rootTiming = timing.getRootScope();
  auto runPipeline = [&](mlir::ModuleOp ir,
                         const pipeline::PipelineOptions &stages) {
    mlir::PassManager pm(&context);
    if (mlir::failed(mlir::applyPassManagerCLOptions(pm)))
      return false;
    pm.enableTiming(rootTiming);
    pipeline::buildPipeline(pm, stages);
    return mlir::succeeded(pm.run(ir));
  };
  using pipeline::Mode;
  using pipeline::Stage;

  // train_step, from its own copy of the model: cnn-train first, since the
  // descriptor reads its parameter records.
  mlir::OwningOpRef<mlir::ModuleOp> trainModule;
  bool training = options.training && !options.library &&
                  options.stage >= BackendStage::LLVM;
  if (training) {
    trainModule = module->clone();
    if (!runPipeline(*trainModule, pipelineOptions(options, Mode::Train,
                                                   Stage::Cnn,
                                                   Stage::Specialized)))
      return false;
  }

  // The GPU branches (--emit=gpu, nvvm, ptx; train-gpu, train-nvvm,
  // train-ptx) print forward's or train_step's GPU code.
  using Stage_ = BackendStage;
  bool trainGpu = options.stage == Stage_::TrainGpu ||
                  options.stage == Stage_::TrainNvvm ||
                  options.stage == Stage_::TrainPtx;
  if (trainGpu || options.stage == Stage_::Gpu ||
      options.stage == Stage_::Nvvm || options.stage == Stage_::Ptx) {
    gpu::GpuStage stop =
        options.stage == Stage_::Gpu || options.stage == Stage_::TrainGpu
            ? gpu::GpuStage::Schedule
        : options.stage == Stage_::Nvvm || options.stage == Stage_::TrainNvvm
            ? gpu::GpuStage::Kernels
            : gpu::GpuStage::Binary;
    pipeline::PipelineOptions stages =
        gpuPipelineOptions(options, Stage::Cnn, Stage::LLVMDialect, stop);
    if (trainGpu)
      stages.mode = Mode::Train;
    if (!runPipeline(*module, stages))
      return false;
    llvm::raw_string_ostream os(out.text);
    if (stop != gpu::GpuStage::Binary) {
      module->print(os);
      return true;
    }
    mlir::FailureOr<std::string> ptx = gpu::binaryPtx(*module);
    if (mlir::failed(ptx))
      return false;
    os << *ptx;
    return true;
  }

  // forward_cuda and train_step_cuda, from their own copies of the model,
  // in one module (one gpu.module: one PTX, one kernel list). Renamed once
  // in linalg: the eval and train passes look for `forward`.
  mlir::OwningOpRef<mlir::ModuleOp> gpuModule;
  if (options.target == BackendTarget::Cuda && !options.gpuOnCpu &&
      options.stage >= BackendStage::LLVM) {
    gpuModule = module->clone();
    if (!runPipeline(*gpuModule,
                     gpuPipelineOptions(options, Stage::Cnn, Stage::Linalg,
                                        gpu::GpuStage::Host)) ||
        !renameEntry(*gpuModule, cnn::kForwardFnName, kForwardCudaName))
      return false;
    if (training) {
      mlir::OwningOpRef<mlir::ModuleOp> trainGpuModule = trainModule->clone();
      // (cnn-gpu-train-entry names it train_step_cuda.)
      if (!runPipeline(*trainGpuModule,
                       pipelineOptions(options, Mode::Train,
                                       Stage::Specialized, Stage::Linalg)))
        return false;
      mergeFunctions(*trainGpuModule, *gpuModule);
    }
    if (!runPipeline(*gpuModule,
                     gpuPipelineOptions(options, Stage::Linalg,
                                        Stage::LLVMDialect,
                                        gpu::GpuStage::Host)))
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
  // The training step's pipeline and the printed or compiled module's
  // (forward, or for --emit=cnn-train, train-linalg and train-llvm-mlir the
  // training step) work on separate modules: on two threads where asked
  // and MLIR may use threads (not with --mlir-disable-threading, which IR
  // dumps want).
  bool trainBranch = options.stage == BackendStage::CnnTrain ||
                     options.stage == BackendStage::TrainLinalg ||
                     options.stage == BackendStage::TrainLLVMMLIR;
  Mode mode = trainBranch ? Mode::Train : Mode::Eval;
  bool trainLowered = true;
  auto lowerTrainStep = [&] {
    trainLowered = runPipeline(*trainModule,
                               pipelineOptions(options, Mode::Train,
                                               Stage::Specialized,
                                               Stage::LLVMDialect));
  };
  std::thread trainThread;
  if (training && options.codegenThreads > 1 &&
      context.isMultithreadingEnabled()) {
    // A pass manager loads its passes' dialects as it starts, which the
    // context allows on one thread only: every dialect loaded first.
    context.loadAllAvailableDialects();
    trainThread = std::thread(lowerTrainStep);
  }
  else if (training)
    lowerTrainStep();
  bool lowered = runPipeline(
      *module, pipelineOptions(options, mode, Stage::Cnn,
                               lastPipelineStage(options.stage)));
  // Forward's pipeline is the shorter: its LLVM code generation runs while
  // train_step's MLIR pipeline still holds the other thread, as an object
  // of its own, where the executable's code may be several objects.
  bool forwardApart =
      lowered && trainThread.joinable() && options.stage == BackendStage::Obj &&
      options.splitObjects && !gpuModule && !llvm::TimePassesIsEnabled;
  if (forwardApart) {
    out.objects.emplace_back();
    lowered = emitObject(*module, options, out.objects.back());
  }
  if (trainThread.joinable())
    trainThread.join();
  if (!trainLowered || !lowered)
    return false;

  if (options.stage >= BackendStage::LLVM)
    return emitMachineStages(forwardApart ? mlir::ModuleOp() : *module,
                             trainModule ? *trainModule : mlir::ModuleOp(),
                             gpuModule ? *gpuModule : mlir::ModuleOp(), graph,
                             model, options, out, library);
  llvm::raw_string_ostream os(out.text);
  if (options.stage == BackendStage::Summary)
    printModelSummary(*module, os);
  else
    module->print(os);
  return true;
}

} // namespace cnnc
