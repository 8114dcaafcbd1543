//===- CpuFeatures.h - what the generated code needs of the CPU -*- C++ -*-===//
//
// Code compiled for -mcpu=znver5 (or the default, this machine) uses
// AVX-512 and dies of SIGILL on a CPU without it. cnnc records in the model
// descriptor (cnnrt_model.target_cpu, target_features) the x86 features the
// code was compiled for, from the target-cpu and target-features of its
// functions (the target machine's, as -mcpu and -mattr give them); the
// runtime checks them before any generated code runs. The features are those
// of runtime/include/cnnrt/CpuFeatures.def, the ones the runtime can detect.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPUFEATURES_H
#define CNNC_CODEGEN_CPUFEATURES_H

#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace cnnc {

struct CpuRequirements {
  /// The target-cpu of the module's functions ("znver5", "x86-64-v3");
  /// "x86-64" when they name none.
  std::string cpu = "x86-64";
  /// Comma-separated LLVM feature names, in CpuFeatures.def's order: those
  /// enabled for any of the module's functions by its target-cpu and
  /// target-features. Empty for baseline x86-64 (or a non-x86 target).
  std::string features;
};

/// What the defined functions of `module` need of the CPU. The module's
/// target (its triple) must be registered.
CpuRequirements cpuRequirements(const llvm::Module &module);

} // namespace cnnc

#endif // CNNC_CODEGEN_CPUFEATURES_H
