//===- cnnc-opt.cpp - run cnn dialect passes on MLIR files -----------------===//
//
// MlirOptMain with exactly the dialects and passes the project uses: the
// cnn dialect and its passes, the upstream dialects the lowering to linalg
// produces, and cnnc's whole pipeline per target and mode (`cnnc-cpu-eval`,
// `cnnc-cpu-train`: what cnnc runs for each --emit level, Pipelines.h).
//
// --help lists what a reader of the tests and the pipeline needs, in groups:
// the input and output, the passes and pipelines, the test checks and the
// IR printing and timing; LLVM's and the rest of MLIR's options (hundreds,
// most of them LLVM back ends') only --help-hidden, as in cnnc.
//
//===----------------------------------------------------------------------===//

#include "cnn/CnnDialect.h"
#include "conversion/Passes.h"
#include "codegen/cpu/CpuPipeline.h"
#include "codegen/gpu/GpuPipeline.h"
#include "pipeline/Pipelines.h"
#include "transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"

namespace cl = llvm::cl;

namespace {

cl::OptionCategory ioCategory("Input and output");
cl::OptionCategory passCategory(
    "Passes and pipelines",
    "Passes run in the order given; cnnc-cpu-eval and cnnc-cpu-train are "
    "cnnc's whole pipelines, stop-after=<stage> as cnnc's --emit");
cl::OptionCategory testCategory("Checks", "What the lit tests use");
cl::OptionCategory diagnosticsCategory(
    "Diagnostics",
    "Printing the IR between passes and timing them (LLVM's and MLIR's other "
    "options: --help-hidden)");

struct Group {
  cl::OptionCategory *category;
  llvm::ArrayRef<llvm::StringLiteral> names;
};

constexpr llvm::StringLiteral kIo[] = {
    "o", "allow-unregistered-dialect", "emit-bytecode", "mlir-print-op-generic",
    "mlir-print-debuginfo", "mlir-print-local-scope", "show-dialects"};
constexpr llvm::StringLiteral kPasses[] = {"pass-pipeline", "list-passes",
                                           "dump-pass-pipeline",
                                           "mlir-disable-threading"};
constexpr llvm::StringLiteral kChecks[] = {
    "split-input-file", "verify-diagnostics", "verify-each",
    "verify-roundtrip"};
constexpr llvm::StringLiteral kDiagnostics[] = {
    "mlir-print-ir-after-all",     "mlir-print-ir-before-all",
    "mlir-print-ir-after-failure", "mlir-print-ir-after",
    "mlir-print-ir-before",        "mlir-print-ir-after-change",
    "mlir-timing",                 "mlir-pass-statistics",
    "mlir-elide-elementsattrs-if-larger"};

/// Puts the options --help shows in their groups (shown even where MLIR
/// hides one, as --mlir-print-op-generic) and hides every other one but
/// LLVM's generic ones (--help, --version). Hidden, not
/// ReallyHidden as cl::HideUnrelatedOptions would make them, so that
/// --help-hidden still lists them.
void groupOptions() {
  const Group groups[] = {{&ioCategory, kIo},
                          {&passCategory, kPasses},
                          {&testCategory, kChecks},
                          {&diagnosticsCategory, kDiagnostics}};
  for (auto &entry : cl::getRegisteredOptions()) {
    llvm::StringRef name = entry.first;
    cl::Option *option = entry.second;
    // The pass list (`--cnn-unroll-repeats`, `--cnnc-cpu-train=...`) is one
    // option registered under every pass's and pipeline's name.
    if (mlir::PassInfo::lookup(name) || mlir::PassPipelineInfo::lookup(name)) {
      option->Categories.assign({&passCategory});
      continue;
    }
    const Group *group = llvm::find_if(groups, [&](const Group &g) {
      return llvm::is_contained(g.names, name);
    });
    if (group != std::end(groups)) {
      option->Categories.assign({group->category});
      option->setHiddenFlag(cl::NotHidden);
      continue;
    }
    bool generic = llvm::any_of(option->Categories, [](cl::OptionCategory *c) {
      return c->getName() == "Generic Options";
    });
    if (!generic && option->getOptionHiddenFlag() == cl::NotHidden)
      option->setHiddenFlag(cl::Hidden);
  }
}

} // namespace

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<cnn::CnnDialect, mlir::arith::ArithDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::func::FuncDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::memref::MemRefDialect,
                  mlir::tensor::TensorDialect>();
  // func.call/func.return inline through func's extension; cnn ops through
  // the dialect's own inliner interface.
  mlir::func::registerInlinerExtension(registry);
  // The CPU code generation pipeline (linalg -> LLVM) and what it lowers to.
  cnnc::cpu::registerCpuPipelineDialects(registry);
  cnnc::cpu::registerCpuPipelinePasses();
  cnnc::gpu::registerGpuPipelineDialects(registry);
  cnnc::gpu::registerGpuPipelinePasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerInlinerPass();
  mlir::registerSymbolDCEPass();
  cnn::registerCnnPasses();
  cnn::registerCnnConversionPasses();
  cnnc::pipeline::registerPipelines();

  // mlir::registerAndParseCLIOptions, with the options grouped before the
  // command line is parsed (and --help printed).
  std::string header = mlir::registerCLIOptions(
      "cnnc-opt: runs cnn dialect passes and cnnc's pipelines on MLIR files\n",
      registry);
  static cl::opt<std::string> input(cl::Positional, cl::desc("<input file>"),
                                    cl::init("-"), cl::cat(ioCategory));
  static cl::opt<std::string> output("o", cl::desc("Output file"),
                                     cl::value_desc("filename"), cl::init("-"),
                                     cl::cat(ioCategory));
  groupOptions();
  cl::ParseCommandLineOptions(argc, argv, header);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, input, output, registry));
}
