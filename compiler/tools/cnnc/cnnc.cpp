//===- cnnc.cpp - the cnnc compiler driver --------------------------------===//
//
// cnnc FILE.cnn [--emit=STAGE] [-D name=value]... [-o FILE]
//   STAGE: tokens ast graph cnn summary cnn-eval cnn-train train-linalg
//          train-llvm-mlir gpu nvvm ptx train-gpu train-nvvm train-ptx
//          linalg llvm-mlir llvm asm obj exe
//          lib
//        [--target=cpu|cuda [--gpu-arch=sm_NN] [--gpu-on-cpu]]
//
// One function per stage; --emit stops after the named one and prints it.
// MLIR's own flags (--mlir-print-ir-after-all, --mlir-timing,
// --mlir-print-debuginfo, ...) apply to the MLIR stages.
// Output is produced in memory and written only when every stage succeeded,
// through a temporary file renamed into place, so a failed run never leaves a
// half-written -o file.
//
//===----------------------------------------------------------------------===//
#include "Backend.h"
#include "Link.h"
#include "OutputFile.h"
#include "codegen/Library.h"
#include "codegen/cpu/TargetInfo.h"
#include "codegen/gpu/GpuPipeline.h"
#include "frontend/ASTPrinter.h"
#include "frontend/Diagnostics.h"
#include "frontend/GraphPrinter.h"
#include "frontend/Lexer.h"
#include "frontend/Parser.h"
#include "frontend/Sema.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <unistd.h>

using namespace cnnc;
namespace cl = llvm::cl;

namespace {

/// The stages --emit can stop after, in pipeline order.
enum class Emit {
  Tokens, AST, Graph, Cnn, Summary, CnnEval, CnnTrain, TrainLinalg,
  TrainLLVMMLIR, Gpu, Nvvm, Ptx, TrainGpu, TrainNvvm, TrainPtx, Linalg, LLVMMLIR, LLVM, Asm, Obj, Exe, Lib
};

enum class Target { Cpu, Cuda };

// --help shows these groups only; LLVM's and MLIR's own options are hidden
// from it (hideForeignOptions) and listed by --help-hidden.
cl::OptionCategory inputCategory("Input", "The model file and its parameters");
cl::OptionCategory outputCategory("Output",
                                  "What to produce and where (--emit stages)");
cl::OptionCategory targetCategory("Target and device",
                                  "The CPU and GPU the generated code runs on");
cl::OptionCategory optimisationCategory("Optimisation");
cl::OptionCategory diagnosticsCategory(
    "Diagnostics", "MLIR's flags for looking inside the pipeline (the rest: "
                   "--help-hidden)");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.cnn>"),
                               cl::Required, cl::cat(inputCategory));
cl::opt<Emit> emitAction(
    "emit", cl::desc("What to produce:"), cl::init(Emit::Exe),
    cl::cat(outputCategory),
    cl::values(clEnumValN(Emit::Tokens, "tokens", "the token stream"),
               clEnumValN(Emit::AST, "ast", "the syntax tree"),
               clEnumValN(Emit::Graph, "graph",
                          "the elaborated graph: tensors, nodes, shapes"),
               clEnumValN(Emit::Cnn, "cnn", "the cnn dialect, as MLIRGen makes it"),
               clEnumValN(Emit::Summary, "summary",
                          "shapes, parameter counts and ops of the cnn IR"),
               clEnumValN(Emit::CnnEval, "cnn-eval",
                          "the cnn dialect specialised for inference"),
               clEnumValN(Emit::CnnTrain, "cnn-train",
                          "the training step in the cnn dialect: loss, "
                          "gradients, SGD"),
               clEnumValN(Emit::TrainLinalg, "train-linalg",
                          "the training step lowered to linalg, tensor, "
                          "arith and math"),
               clEnumValN(Emit::TrainLLVMMLIR, "train-llvm-mlir",
                          "the training step in the LLVM dialect"),
               clEnumValN(Emit::Gpu, "gpu",
                          "--target=cuda: forward mapped to GPU blocks and "
                          "threads (gpu.launch)"),
               clEnumValN(Emit::Nvvm, "nvvm",
                          "--target=cuda: the kernels in the NVVM dialect"),
               clEnumValN(Emit::Ptx, "ptx", "--target=cuda: the kernels' PTX"),
               clEnumValN(Emit::TrainGpu, "train-gpu",
                          "--target=cuda: the training step mapped to GPU "
                          "blocks and threads"),
               clEnumValN(Emit::TrainNvvm, "train-nvvm",
                          "--target=cuda: the training step's kernels in "
                          "the NVVM dialect"),
               clEnumValN(Emit::TrainPtx, "train-ptx",
                          "--target=cuda: the training step's kernels' PTX"),
               clEnumValN(Emit::Linalg, "linalg",
                          "lowered to linalg, tensor, arith and math"),
               clEnumValN(Emit::LLVMMLIR, "llvm-mlir", "the LLVM dialect"),
               clEnumValN(Emit::LLVM, "llvm", "LLVM IR, optimised"),
               clEnumValN(Emit::Asm, "asm", "native assembly"),
               clEnumValN(Emit::Obj, "obj", "a native object file"),
               clEnumValN(Emit::Exe, "exe",
                          "an executable: the model linked with libcnnrt "
                          "(the default)"),
               clEnumValN(Emit::Lib, "lib",
                          "a static library lib<model>.a and its C header "
                          "<model>.h, for embedding")));
cl::list<std::string> defines("D", cl::Prefix, cl::value_desc("name=value"),
                              cl::desc("Set a model parameter"),
                              cl::cat(inputCategory));
cl::opt<std::string> outputFile(
    "o", cl::desc("Output file ('-' for stdout; an executable defaults to the "
                  "model file's name without .cnn)"),
    cl::value_desc("file"), cl::init(""), cl::cat(outputCategory));
cl::opt<bool> foldBatchNorm(
    "fold-batchnorm",
    cl::desc("Fold inference batchnorms into the preceding convolutions"),
    cl::init(true), cl::cat(optimisationCategory));
cl::opt<bool> winograd(
    "winograd",
    cl::desc("CPU: compute the 3x3, stride-1 convolutions that the strategy "
             "picks by Winograd's F(2x2, 3x3) or F(4x4, 3x3), whichever "
             "multiplies less (false: every convolution "
             "directly, with a direct convolution's rounding)"),
    cl::init(true), cl::cat(optimisationCategory));
cl::opt<bool> trainStep(
    "train-step",
    cl::desc("Compile the training step too (without it an executable has "
             "no `train`)"),
    cl::init(true), cl::cat(outputCategory));
cl::opt<bool> parallel("parallel",
                       cl::desc("Spread each batch over threads (OpenMP)"),
                       cl::init(true), cl::cat(optimisationCategory));
cl::opt<unsigned> codegenThreads(
    "codegen-threads",
    cl::desc("Threads for code generation: the training step's and the "
             "forward's pipelines side by side, and LLVM's code of an "
             "executable split by functions (default 0: one a CPU this "
             "process may use; 1: one thing at a time)"),
    cl::value_desc("n"), cl::init(0), cl::cat(optimisationCategory));
cl::opt<Target> target(
    "target", cl::desc("The devices the executable runs on:"),
    cl::init(Target::Cpu), cl::cat(targetCategory),
    cl::values(clEnumValN(Target::Cpu, "cpu", "the CPU (the default)"),
               clEnumValN(Target::Cuda, "cuda",
                          "an NVIDIA GPU too: eval, infer and bench take "
                          "--device cpu|cuda")));
cl::opt<std::string> gpuArch(
    "gpu-arch",
    cl::desc("With --target=cuda: the GPU, sm_80 (A100), sm_90 (H100, H200), "
             "... (default sm_90)"),
    cl::value_desc("sm_NN"), cl::init("sm_90"), cl::cat(targetCategory));
cl::opt<bool> gpuOnCpu(
    "gpu-on-cpu",
    cl::desc("With --target=cuda: no GPU code; the CPU's forward is the GPU "
             "schedule with its kernels run as loops (tests the GPU code "
             "generation without a GPU)"),
    cl::init(false), cl::cat(targetCategory));
cl::opt<bool> gpuHostKernels(
    "gpu-host-kernels",
    cl::desc("With --target=cuda: also compile the kernels for the host, "
             "for the runtime's fake CUDA driver (testing)"),
    cl::init(false), cl::Hidden, cl::cat(targetCategory));
cl::opt<std::string> targetCpu("mcpu",
                               cl::desc("Target CPU, e.g. x86-64-v3 (AVX2), x86-64-v4 (AVX-512); "
                                        "default native: this machine's"),
                               cl::value_desc("name"), cl::init(""),
                               cl::cat(targetCategory));
cl::opt<std::string> targetFeatures(
    "mattr",
    cl::desc("Target features, e.g. +avx2,-avx512f (with -mcpu=native: "
             "changes to this machine's)"),
    cl::value_desc("features"), cl::init(""), cl::cat(targetCategory));

/// MLIR's flags that --help shows, under Diagnostics.
constexpr llvm::StringLiteral kShownMlirFlags[] = {
    "mlir-print-ir-after-all", "mlir-print-ir-after-failure", "mlir-timing",
    "mlir-print-debuginfo"};

/// Hides every option but cnnc's own, LLVM's generic ones (--help,
/// --version) and a few of MLIR's from --help: the LLVM and MLIR libraries
/// register hundreds. Hidden, not ReallyHidden as cl::HideUnrelatedOptions
/// would make them, so that --help-hidden still lists them.
void hideForeignOptions() {
  const cl::OptionCategory *ours[] = {&inputCategory, &outputCategory,
                                      &targetCategory, &optimisationCategory,
                                      &diagnosticsCategory};
  for (auto &entry : cl::getRegisteredOptions()) {
    cl::Option *option = entry.second;
    if (llvm::is_contained(kShownMlirFlags, entry.first)) {
      option->Categories.assign({&diagnosticsCategory});
      continue;
    }
    bool shown = llvm::any_of(option->Categories, [&](cl::OptionCategory *c) {
      return llvm::is_contained(ours, c) || c->getName() == "Generic Options";
    });
    if (!shown && option->getOptionHiddenFlag() == cl::NotHidden)
      option->setHiddenFlag(cl::Hidden);
  }
}

void driverError(const llvm::Twine &msg) {
  llvm::errs() << "cnnc: error: " << msg << "\n";
}

/// Reads the input into sm; false (reported) when it cannot be read.
/// Model files are a few kilobytes; reading stops past this (`cnnc
/// /dev/zero` would otherwise read until memory runs out).
constexpr size_t kMaxSourceBytes = size_t(16) << 20;

bool loadSource(llvm::SourceMgr &sm) {
  bool stdinInput = inputFile == "-";
  int fd = stdinInput ? 0 : ::open(inputFile.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    driverError("cannot read '" + inputFile + "': " + std::strerror(errno));
    return false;
  }
  std::string text;
  char chunk[1 << 16];
  while (text.size() <= kMaxSourceBytes) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      if (!stdinInput)
        ::close(fd);
      driverError("cannot read '" + inputFile + "': " + std::strerror(err));
      return false;
    }
    if (n == 0)
      break;
    text.append(chunk, size_t(n));
  }
  if (!stdinInput)
    ::close(fd);
  if (text.size() > kMaxSourceBytes) {
    driverError((stdinInput ? std::string("the standard input")
                            : "'" + inputFile + "'") +
                " is larger than " + std::to_string(kMaxSourceBytes >> 20) +
                " MiB: not a model file");
    return false;
  }
  sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(
                            text, stdinInput ? std::string("<stdin>")
                                             : std::string(inputFile)),
                        llvm::SMLoc());
  return true;
}

/// -D name=value, checked for shape only; Sema checks the name and value.
std::optional<std::vector<Override>> parseDefines() {
  std::vector<Override> out;
  bool ok = true;
  for (const std::string &d : defines) {
    auto [name, value] = llvm::StringRef(d).split('=');
    bool ident = !name.empty() && !std::isdigit((unsigned char)name[0]) &&
                 name.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_") == llvm::StringRef::npos;
    if (llvm::StringRef(d).find('=') == llvm::StringRef::npos) {
      driverError("-D " + d + ": expected name=value");
      ok = false;
    } else if (name.empty()) {
      driverError("-D " + d + ": missing parameter name before '='");
      ok = false;
    } else if (!ident) {
      driverError("-D " + d + ": '" + name + "' is not a parameter name");
      ok = false;
    } else if (value.empty()) {
      driverError("-D " + d + ": missing value after '='");
      ok = false;
    } else {
      out.push_back({name.str(), value.str()});
    }
  }
  if (!ok)
    return std::nullopt;
  return out;
}

bool emitTokens(llvm::SourceMgr &sm, Diagnostics &diag, llvm::raw_ostream &os) {
  llvm::StringRef text =
      sm.getMemoryBuffer(sm.getMainFileID())->getBuffer();
  Lexer lexer(text, diag);
  for (;;) {
    Token t = lexer.next();
    auto [line, col] = sm.getLineAndColumn(t.loc());
    os << line << ":" << col << " " << tokName(t.kind);
    if (!t.is(Tok::Eof))
      os << " '" << t.text << "'";
    os << "\n";
    if (t.is(Tok::Eof))
      break;
  }
  return diag.errorCount() == 0;
}

BackendStage backendStage() {
  switch (emitAction) {
  case Emit::Summary: return BackendStage::Summary;
  case Emit::CnnEval: return BackendStage::CnnEval;
  case Emit::CnnTrain: return BackendStage::CnnTrain;
  case Emit::TrainLinalg: return BackendStage::TrainLinalg;
  case Emit::TrainLLVMMLIR: return BackendStage::TrainLLVMMLIR;
  case Emit::Gpu: return BackendStage::Gpu;
  case Emit::Nvvm: return BackendStage::Nvvm;
  case Emit::Ptx: return BackendStage::Ptx;
  case Emit::TrainGpu: return BackendStage::TrainGpu;
  case Emit::TrainNvvm: return BackendStage::TrainNvvm;
  case Emit::TrainPtx: return BackendStage::TrainPtx;
  case Emit::Linalg: return BackendStage::Linalg;
  case Emit::LLVMMLIR: return BackendStage::LLVMMLIR;
  case Emit::LLVM: return BackendStage::LLVM;
  case Emit::Asm: return BackendStage::Asm;
  case Emit::Obj: case Emit::Exe: case Emit::Lib: return BackendStage::Obj;
  default: return BackendStage::Cnn;
  }
}

/// -mcpu and -mattr name what LLVM knows, and the GPU flags fit together;
/// false (reported) if not.
bool checkTargetFlags() {
  // (Before any pipeline starts its threads.)
  if (auto tm = cpu::createTargetMachine({targetCpu, targetFeatures}); !tm) {
    driverError(llvm::toString(tm.takeError()));
    return false;
  }
  bool gpuStage = emitAction == Emit::Gpu || emitAction == Emit::Nvvm ||
                  emitAction == Emit::Ptx || emitAction == Emit::TrainGpu ||
                  emitAction == Emit::TrainNvvm || emitAction == Emit::TrainPtx;
  if (target != Target::Cuda) {
    if (gpuStage) {
      driverError("--emit=gpu, nvvm, ptx and their train- forms need --target=cuda");
      return false;
    }
    if (gpuOnCpu || gpuHostKernels || gpuArch.getNumOccurrences()) {
      driverError(std::string(gpuOnCpu         ? "--gpu-on-cpu"
                              : gpuHostKernels ? "--gpu-host-kernels"
                                               : "--gpu-arch") +
                  " needs --target=cuda");
      return false;
    }
    return true;
  }
  if (!gpu::isKnownArch(gpuArch)) {
    driverError("--gpu-arch=" + gpuArch +
                ": not a GPU cnnc knows (sm_70, sm_72, sm_75, sm_80, sm_86, "
                "sm_87, sm_89, sm_90, sm_90a, sm_100, sm_120)");
    return false;
  }
  if (gpuOnCpu && gpuStage) {
    driverError("--gpu-on-cpu makes no GPU code: --emit=gpu, nvvm, ptx and "
                "their train- forms need it off");
    return false;
  }
  return true;
}

/// Runs the stages up to --emit and prints the last into `out`.
bool compile(llvm::SourceMgr &sm, const std::vector<Override> &overrides,
             BackendOutput &out, LibraryParts &library) {
  Diagnostics diag(sm);
  llvm::raw_string_ostream os(out.text);
  if (emitAction == Emit::Tokens)
    return emitTokens(sm, diag, os);

  File file = parseFile(sm.getMemoryBuffer(sm.getMainFileID())->getBuffer(),
                        diag);
  if (diag.errorCount())
    return false;
  if (emitAction == Emit::AST) {
    printAST(file, sm, os);
    return true;
  }

  Graph graph = analyze(file, inputFile, overrides, diag);
  if (diag.errorCount())
    return false;
  if (emitAction == Emit::Graph) {
    printGraph(graph, sm, os);
    return true;
  }
  BackendOptions options;
  options.stage = backendStage();
  options.foldBatchNorm = foldBatchNorm;
  options.parallel = parallel;
  options.winograd = winograd;
  options.training = trainStep;
  options.cpu = targetCpu;
  options.features = targetFeatures;
  options.library = emitAction == Emit::Lib;
  options.target =
      target == Target::Cuda ? BackendTarget::Cuda : BackendTarget::Cpu;
  options.gpuArch = gpuArch;
  options.gpuOnCpu = gpuOnCpu;
  options.gpuHostKernels = gpuHostKernels;
  options.codegenThreads =
      codegenThreads ? unsigned(codegenThreads)
                     : llvm::hardware_concurrency().compute_thread_count();
  // An executable's code may be several objects, which the linker joins;
  // an object file is one, and a library's members keep every symbol but
  // its two entry points local (two models in one program).
  options.splitObjects = emitAction == Emit::Exe;
  return runBackend(graph, sm, options, out, &library);
}

/// -o, or for an executable the model file's name without ".cnn", for a
/// library lib<prefix>.a.
std::string outputPath(const LibraryParts &library) {
  if (!outputFile.empty())
    return outputFile;
  if (emitAction == Emit::Lib)
    return "lib" + library.prefix + ".a";
  if (emitAction != Emit::Exe)
    return "-";
  llvm::StringRef stem = llvm::sys::path::stem(inputFile);
  return stem.empty() || inputFile == "-" ? "a.out" : stem.str();
}

bool writeFile(const std::string &path, llvm::StringRef text) {
  std::string error;
  if (!writeOutputFile(path, text, /*executable=*/false, error)) {
    driverError(error);
    return false;
  }
  return true;
}

/// The archive, then its header <prefix>.h beside it.
bool writeLibrary(const std::vector<std::string> &objects,
                  const LibraryParts &library) {
  std::string archive = outputPath(library), error;
  if (archive == "-") {
    driverError("a library needs a file name (-o lib<model>.a)");
    return false;
  }
  llvm::SmallString<128> header = llvm::sys::path::parent_path(archive);
  llvm::sys::path::append(header, library.prefix + ".h");
  if (!writeStaticLibrary(archive, objects, library.prefix, error)) {
    driverError("cannot write '" + archive + "': " + error);
    return false;
  }
  return writeFile(std::string(header), library.header);
}

bool writeOutput(const BackendOutput &out, const LibraryParts &library) {
  if (emitAction == Emit::Exe)
    return linkExecutable(out.objects, outputPath(library),
                          /*exportHostKernels=*/gpuHostKernels);
  if (emitAction == Emit::Lib)
    return writeLibrary(out.objects, library);
  if (emitAction == Emit::Obj)
    return writeFile(outputPath(library), out.objects.front());
  return writeFile(outputPath(library), out.text);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  hideForeignOptions();
  cl::ParseCommandLineOptions(argc, argv, "cnnc: a compiler for small CNNs\n");

  auto overrides = parseDefines();
  llvm::SourceMgr sm;
  if (!overrides || !checkTargetFlags() || !loadSource(sm))
    return 1;
  BackendOutput out;
  LibraryParts library;
  if (!compile(sm, *overrides, out, library))
    return 1;
  return writeOutput(out, library) ? 0 : 1;
}
