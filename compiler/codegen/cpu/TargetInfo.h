//===- TargetInfo.h - what the CPU strategy knows of the machine -*- C++ -*-===//
//
// The CPU the code is compiled for, as the strategy needs it: the vector
// width, the number of vector registers and the data caches. It comes from
// LLVM's TargetMachine for the CPU and features that -mcpu/-mattr name (or
// the host's), through the TargetTransformInfo the backend itself uses, so
// the strategy and the code generator agree on the machine.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_TARGETINFO_H
#define CNNC_CODEGEN_CPU_TARGETINFO_H

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LLVM.h"

#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdint>
#include <memory>
#include <string>

namespace cnnc::cpu {

struct CpuTargetOptions {
  /// CPU name and feature string. An empty or "native" cpu is the host's,
  /// with the host's features changed by `features` (+avx2,-avx512f).
  std::string cpu;
  std::string features;
  /// LLVM optimisation level, 0-3.
  unsigned optLevel = 3;
};

/// A TargetMachine for the host triple and `target`'s CPU (PIC, so objects
/// link into executables and shared libraries alike); an error naming the
/// CPU or feature that LLVM does not know.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CpuTargetOptions &target);

/// The vector width the generated code may use on `tm`: 512 bits where the
/// CPU has AVX-512 (the code asks LLVM to keep them, CpuCodegen's
/// prefer-vector-width), else the widest registers it has.
unsigned preferredVectorBits(const llvm::TargetMachine &tm);

struct TargetInfo {
  std::string cpu;
  /// Bits of one vector register the code uses (512 AVX-512, 256 AVX2).
  unsigned vectorBits = 128;
  /// Vector registers (32 with AVX-512, 16 otherwise on x86-64).
  unsigned vectorRegisters = 16;
  /// Data cache sizes in bytes (0: unknown).
  uint64_t l1Bytes = 0;
  uint64_t l2Bytes = 0;

  /// f32 values in one vector register.
  int64_t f32Lanes() const { return vectorBits / 32; }
};

/// `tm`'s TargetInfo.
TargetInfo targetInfo(const llvm::TargetMachine &tm);

/// The TargetInfo of the CPU `target` names.
llvm::Expected<TargetInfo> targetInfoFor(const CpuTargetOptions &target);

/// The TargetInfo of a pass's `cpu` and `features` options, or an error
/// (at an unknown location of `ctx`) that names `pass`.
mlir::FailureOr<TargetInfo> targetInfoForPass(mlir::MLIRContext *ctx,
                                              llvm::StringRef pass,
                                              llvm::StringRef cpu,
                                              llvm::StringRef features);

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_TARGETINFO_H
