//===- TargetInfo.cpp - what the CPU strategy knows of the machine --------===//
#include "codegen/cpu/TargetInfo.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"

#include "llvm/Analysis/TargetTransformInfo.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

namespace cnnc::cpu {

static std::string hostFeatures() {
  llvm::SubtargetFeatures features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features.AddFeature(feature.first(), feature.second);
  return features.getString();
}

/// Registers the host's target once. cnnc's training-step pipeline asks for
/// a TargetMachine on its own thread while the forward's does on another,
/// and LLVM's registration is not thread-safe: two threads registering at
/// once put the X86 target on the registry's list twice, and every lookup
/// failed with "Cannot choose between targets "x86-64" and "x86-64"".
/// A function-local static is initialised exactly once.
static void initializeNativeTarget() {
  static const bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    // LLVM's list scheduler after register allocation (which Zen's
    // scheduling model asks for) took 9% of a model's compile time for no
    // speed we could measure (bench/RESULTS.md, stop 43): off, unless the
    // command line sets it (cnnc -post-RA-scheduler=true).
    auto &options = llvm::cl::getRegisteredOptions();
    auto postRA = options.find("post-RA-scheduler");
    if (postRA != options.end() && postRA->second->getNumOccurrences() == 0)
      (void)postRA->second->addOccurrence(/*pos=*/1, "post-RA-scheduler",
                                          "false");
    return true;
  }();
  (void)initialized;
}

/// An error naming what of `target`'s CPU and features LLVM's `llvmTarget`
/// does not know. (LLVM itself only warns of an unknown CPU, then its cost
/// model stops the process from whichever thread asks first, and ignores
/// an unknown feature.)
static llvm::Error checkCpuAndFeatures(const llvm::Target &llvmTarget,
                                       const llvm::Triple &triple,
                                       const CpuTargetOptions &target) {
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      llvmTarget.createMCSubtargetInfo(triple, "", ""));
  if (!generic)
    return llvm::Error::success();
  llvm::StringRef arch = triple.getArchName();
  if (!target.cpu.empty() && target.cpu != "native" &&
      !generic->isCPUStringValid(target.cpu))
    return llvm::createStringError(
        "-mcpu=" + target.cpu + ": not a CPU of LLVM's " + arch.str() +
        " target (x86-64-v3: AVX2; x86-64-v4: AVX-512; native: this "
        "machine; `llc -mcpu=help` lists them all)");
  llvm::SmallVector<llvm::StringRef> features;
  llvm::StringRef(target.features).split(features, ',', -1, false);
  for (llvm::StringRef feature : features) {
    feature = feature.trim();
    if (!feature.starts_with("+") && !feature.starts_with("-"))
      return llvm::createStringError("-mattr=" + target.features + ": '" +
                                     feature.str() +
                                     "' needs a + (use it) or - (do not)");
    llvm::StringRef name = feature.drop_front();
    if (llvm::none_of(generic->getAllProcessorFeatures(),
                      [&](const llvm::SubtargetFeatureKV &known) {
                        return name == known.Key;
                      }))
      return llvm::createStringError(
          "-mattr=" + target.features + ": '" + name.str() +
          "' is not a feature of LLVM's " + arch.str() +
          " target (`llc -mattr=help` lists them)");
  }
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CpuTargetOptions &target) {
  initializeNativeTarget();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return llvm::createStringError(error);
  if (llvm::Error err = checkCpuAndFeatures(*llvmTarget, triple, target))
    return err;
  // -mcpu=native (or none): the host's name and features, then -mattr's
  // changes to them (as clang's -march=native -mattr=...).
  bool native = target.cpu.empty() || target.cpu == "native";
  std::string cpu = native ? llvm::sys::getHostCPUName().str() : target.cpu;
  std::string features = target.features;
  if (native)
    features = hostFeatures() + (features.empty() ? "" : "," + features);
  llvm::TargetOptions options;
  // Let the backend fuse the convolution's multiply-adds into FMAs.
  options.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  llvm::CodeGenOptLevel level = target.optLevel >= 3 ? llvm::CodeGenOptLevel::Aggressive
                                : target.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                : target.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                                       : llvm::CodeGenOptLevel::None;
  std::unique_ptr<llvm::TargetMachine> tm(llvmTarget->createTargetMachine(
      triple, cpu, features, options, llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm)
    return llvm::createStringError("cannot create a target machine for " +
                                   triple.str() + " / " + cpu);
  return tm;
}

unsigned preferredVectorBits(const llvm::TargetMachine &tm) {
  return tm.getMCSubtargetInfo()->checkFeatures("+avx512f") ? 512 : 256;
}

TargetInfo targetInfo(const llvm::TargetMachine &tm) {
  // The backend's own cost model answers for a function compiled as
  // CpuCodegen compiles the model's.
  llvm::LLVMContext context;
  llvm::Module module("target-info", context);
  module.setDataLayout(tm.createDataLayout());
  module.setTargetTriple(tm.getTargetTriple());
  auto *fn = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(context), false),
      llvm::Function::ExternalLinkage, "probe", module);
  fn->addFnAttr("target-cpu", tm.getTargetCPU());
  fn->addFnAttr("target-features", tm.getTargetFeatureString());
  fn->addFnAttr("prefer-vector-width",
                std::to_string(preferredVectorBits(tm)));
  llvm::TargetTransformInfo tti = tm.getTargetTransformInfo(*fn);

  TargetInfo info;
  info.cpu = tm.getTargetCPU().str();
  info.vectorBits = unsigned(
      tti.getRegisterBitWidth(llvm::TargetTransformInfo::RGK_FixedWidthVector)
          .getFixedValue());
  if (info.vectorBits < 128)
    info.vectorBits = 128;
  info.vectorRegisters =
      tti.getNumberOfRegisters(tti.getRegisterClassForType(/*Vector=*/true));
  using Level = llvm::TargetTransformInfo::CacheLevel;
  info.l1Bytes = tti.getCacheSize(Level::L1D).value_or(0);
  info.l2Bytes = tti.getCacheSize(Level::L2D).value_or(0);
  return info;
}

llvm::Expected<TargetInfo> targetInfoFor(const CpuTargetOptions &target) {
  auto tm = createTargetMachine(target);
  if (!tm)
    return tm.takeError();
  return targetInfo(**tm);
}

mlir::FailureOr<TargetInfo> targetInfoForPass(mlir::MLIRContext *ctx,
                                              llvm::StringRef pass,
                                              llvm::StringRef cpu,
                                              llvm::StringRef features) {
  llvm::Expected<TargetInfo> info =
      targetInfoFor({std::string(cpu), std::string(features)});
  if (!info)
    return mlir::emitError(mlir::UnknownLoc::get(ctx))
           << pass << ": " << llvm::toString(info.takeError());
  return *info;
}

} // namespace cnnc::cpu
