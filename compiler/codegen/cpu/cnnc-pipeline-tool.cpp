//===- cnnc-pipeline-tool.cpp - run the CPU pipeline on a .mlir file ------===//
//
// linalg-on-tensors MLIR in; LLVM-dialect MLIR, LLVM IR, assembly or an
// object file out. The test and benchmark driver of the CPU wing:
//
//   cnnc-pipeline-tool net.mlir -o net.o                  # object (default)
//   cnnc-pipeline-tool net.mlir --emit=llvm -o -          # LLVM IR after O3
//   cnnc-pipeline-tool net.mlir --emit=mlir-llvm          # LLVM dialect
//
// The object defines forward and _mlir_ciface_forward and needs libomp (the
// parallel batch loop; not with --parallel=false) and libc (malloc/free):
//
//   g++ main.cpp net.o -L/usr/lib/llvm-22/lib -lomp -Wl,-rpath,/usr/lib/llvm-22/lib
//
// (libomp from Debian's libomp-22-dev.) OMP_NUM_THREADS picks the threads.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CpuCodegen.h"
#include "codegen/cpu/CpuPipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/AsmState.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace cnnc::cpu;

namespace {
enum class Emit { MLIRLLVM, LLVM, Asm, Obj };

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input .mlir>"),
                               cl::init("-"));
cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                cl::value_desc("filename"), cl::init("-"));
cl::opt<Emit> emit(
    "emit", cl::desc("What to write"), cl::init(Emit::Obj),
    cl::values(clEnumValN(Emit::MLIRLLVM, "mlir-llvm", "LLVM-dialect MLIR"),
               clEnumValN(Emit::LLVM, "llvm", "LLVM IR (after optimisation)"),
               clEnumValN(Emit::Asm, "asm", "assembly"),
               clEnumValN(Emit::Obj, "obj", "object file")));
cl::opt<bool> parallel("parallel",
                       cl::desc("OpenMP over the batch (link with -lomp)"),
                       cl::init(true));
cl::opt<bool> vectorize("vectorize", cl::desc("Vectorize the tiles"),
                        cl::init(true));
cl::opt<unsigned> numThreads("num-threads",
                             cl::desc("OpenMP threads (0: runtime default)"),
                             cl::init(0));
cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimisation level"),
                           cl::init(3), cl::Prefix);
cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU (default: host)"),
                          cl::init(""));
cl::opt<std::string> mattr("mattr", cl::desc("Target features (default: host)"),
                           cl::init(""));
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "cnnc CPU code generation pipeline\n");

  mlir::DialectRegistry registry;
  registerCpuPipelineDialects(registry);
  mlir::MLIRContext context(registry);

  SourceMgr sourceMgr;
  std::string error;
  std::unique_ptr<MemoryBuffer> input = mlir::openInputFile(inputFile, &error);
  if (!input) {
    errs() << error << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(input), SMLoc());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  CpuPipelineOptions options;
  options.cpu = mcpu.empty() ? std::string("native") : std::string(mcpu);
  options.features = std::string(mattr);
  options.parallel = parallel;
  options.vectorize = vectorize;
  options.numThreads = numThreads;
  if (mlir::failed(lowerToLLVMDialect(*module, options)))
    return 1;

  std::unique_ptr<ToolOutputFile> output =
      mlir::openOutputFile(outputFile, &error);
  if (!output) {
    errs() << error << "\n";
    return 1;
  }
  if (emit == Emit::MLIRLLVM) {
    module->print(output->os());
    output->keep();
    return 0;
  }

  CpuTargetOptions target;
  target.cpu = mcpu;
  target.features = mattr;
  target.optLevel = optLevel;
  Expected<std::unique_ptr<TargetMachine>> tm = createTargetMachine(target);
  if (!tm) {
    errs() << toString(tm.takeError()) << "\n";
    return 1;
  }
  LLVMContext llvmContext;
  std::unique_ptr<Module> llvmModule =
      translateToLLVMIR(*module, llvmContext, **tm);
  if (!llvmModule) {
    errs() << "cannot translate to LLVM IR\n";
    return 1;
  }
  if (Error err = optimizeLLVMModule(*llvmModule, **tm, optLevel)) {
    errs() << toString(std::move(err)) << "\n";
    return 1;
  }
  if (emit == Emit::LLVM) {
    llvmModule->print(output->os(), nullptr);
  } else {
    if (Error err = emitMachineCode(
            *llvmModule, **tm, output->os(),
            emit == Emit::Asm ? CodeGenFileType::AssemblyFile
                              : CodeGenFileType::ObjectFile)) {
      errs() << toString(std::move(err)) << "\n";
      return 1;
    }
  }
  output->keep();
  return 0;
}
