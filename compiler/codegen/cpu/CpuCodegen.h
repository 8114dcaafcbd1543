//===- CpuCodegen.h - LLVM-dialect MLIR to LLVM IR, asm, objects -*- C++ -*-===//
//
// All in-process: translateModuleToLLVMIR, LLVM's new pass manager at O3,
// and a TargetMachine for the host CPU (name and features from the host,
// so AVX2/AVX-512 are used where the machine has them).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_CPUCODEGEN_H
#define CNNC_CODEGEN_CPU_CPUCODEGEN_H

#include "codegen/cpu/TargetInfo.h"
#include "codegen/cpu/CpuPipeline.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class raw_pwrite_stream;
} // namespace llvm

namespace cnnc::cpu {

using cpu::CpuTargetOptions;
using cpu::createTargetMachine;

/// Runs buildCpuPipeline on `module` (linalg on tensors -> LLVM dialect).
mlir::LogicalResult lowerToLLVMDialect(mlir::ModuleOp module,
                                       const CpuPipelineOptions &options);

/// Translates an LLVM-dialect module to LLVM IR for `tm` (triple, data
/// layout, target-cpu/target-features on every function).
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module,
                                                llvm::LLVMContext &context,
                                                llvm::TargetMachine &tm);

/// Runs LLVM's default O<optLevel> pipeline on `module`.
llvm::Error optimizeLLVMModule(llvm::Module &module, llvm::TargetMachine &tm,
                               unsigned optLevel);

/// Emits `module` as an object file or assembly into `os`.
llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                            llvm::raw_pwrite_stream &os,
                            llvm::CodeGenFileType fileType);

/// Emits `module` (not yet optimised) as object files on `threads` threads,
/// as LTO's parallel code generation does: optimisation, instruction
/// selection and scheduling are most of a model's compile time, and its
/// functions are independent there (each parallel region is a function the
/// others only call). The module is split by functions into a few parts a
/// thread of about as many instructions each, and the threads take the
/// parts, largest first, as they come free; each part is optimised at
/// `target.optLevel` and compiled in an LLVMContext and TargetMachine of
/// its own. The objects, linked together, are the module's. Deterministic:
/// the same module gives the same objects. `module` is left changed (its
/// local symbols made hidden globals).
llvm::Expected<std::vector<std::string>>
emitObjectsInParallel(llvm::Module &module, const CpuTargetOptions &target,
                      unsigned threads);

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_CPUCODEGEN_H
