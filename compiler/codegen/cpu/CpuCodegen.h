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

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_CPUCODEGEN_H
