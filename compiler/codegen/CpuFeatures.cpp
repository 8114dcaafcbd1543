//===- CpuFeatures.cpp - what the generated code needs of the CPU ---------===//
#include "codegen/CpuFeatures.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"

#include <memory>
#include <vector>

namespace cnnc {
namespace {

// The features the runtime can check (cnnrt_cpu_missing_features), in the
// order it lists them.
const char *const kFeatures[] = {
#define CNNRT_CPU_FEATURE(name, leaf, subleaf, reg, bit, state, avx10) name,
#include "cnnrt/CpuFeatures.def"
};

} // namespace

CpuRequirements cpuRequirements(const llvm::Module &module) {
  CpuRequirements result;
  const llvm::Triple &triple = module.getTargetTriple();
  if (!triple.isX86())
    return result;
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return result;

  std::vector<bool> needed(std::size(kFeatures), false);
  llvm::StringMap<bool> seen; // cpu + features already looked at
  bool named = false;
  for (const llvm::Function &fn : module) {
    if (fn.isDeclaration())
      continue;
    llvm::StringRef cpu = fn.getFnAttribute("target-cpu").getValueAsString();
    llvm::StringRef fs =
        fn.getFnAttribute("target-features").getValueAsString();
    if (cpu.empty() && fs.empty())
      continue;
    if (!named && !cpu.empty()) {
      result.cpu = cpu.str();
      named = true;
    }
    if (!seen.try_emplace((cpu + "\n" + fs).str(), true).second)
      continue;
    std::unique_ptr<llvm::MCSubtargetInfo> sti(
        target->createMCSubtargetInfo(triple, cpu, fs));
    if (!sti)
      continue;
    for (size_t i = 0; i < std::size(kFeatures); ++i)
      if (!needed[i] && sti->checkFeatures(std::string("+") + kFeatures[i]))
        needed[i] = true;
  }
  for (size_t i = 0; i < std::size(kFeatures); ++i)
    if (needed[i])
      result.features += (result.features.empty() ? "" : ",") +
                         std::string(kFeatures[i]);
  return result;
}

} // namespace cnnc
