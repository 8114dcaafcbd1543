//===- CpuPipeline.h - linalg-on-tensors to the LLVM dialect ----*- C++ -*-===//
//
// The CPU code generation pipeline: elementwise fusion, the CPU strategy
// (layouts and tile sizes for the target machine), tiling with producer
// fusion (bias, activation and pooling in the conv's loops), vectorization,
// one-shot bufferization, deallocation, OpenMP for the batch loop, and the
// lowering of everything to the LLVM dialect. Input: a module whose functions
// take memrefs and work on tensors inside (bufferization.to_tensor of the
// arguments, bufferization.materialize_in_destination into the output).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_CPUPIPELINE_H
#define CNNC_CODEGEN_CPU_CPUPIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
class DialectRegistry;
class ModuleOp;
} // namespace mlir

namespace cnnc::cpu {

struct CpuPipelineOptions
    : public mlir::PassPipelineOptions<CpuPipelineOptions> {
  Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("Target CPU the strategy plans for (native: this "
                     "machine), as cnnc's -mcpu"),
      llvm::cl::init("native")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("Target features, as cnnc's -mattr (+avx2,-avx512f)"),
      llvm::cl::init("")};
  Option<bool> vectorize{*this, "vectorize",
                         llvm::cl::desc("Vectorize the tiles"),
                         llvm::cl::init(true)};
  Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run the batch loop on OpenMP threads (link libomp)"),
      llvm::cl::init(true)};
  Option<bool> winograd{
      *this, "winograd",
      llvm::cl::desc("3x3 convs by Winograd's F(2x2, 3x3) where the "
                     "strategy picks it (cnn-cpu-strategy's option)"),
      llvm::cl::init(true)};
  Option<unsigned> numThreads{
      *this, "num-threads",
      llvm::cl::desc("OpenMP threads (0: the runtime's default, "
                     "OMP_NUM_THREADS)"),
      llvm::cl::init(0)};
  Option<bool> lowerToLLVM{
      *this, "lower-to-llvm",
      llvm::cl::desc("Lower to the LLVM dialect (off: stop after "
                     "bufferization and vector lowering)"),
      llvm::cl::init(true)};
};

/// Appends the pipeline to `pm` (a module-level pass manager).
void buildCpuPipeline(mlir::OpPassManager &pm, const CpuPipelineOptions &options);

/// The dialects and external interface models the pipeline needs, from the
/// input (func, arith, math, memref, tensor, linalg, bufferization) down to
/// llvm and omp, plus the LLVM IR translations of llvm and omp.
void registerCpuPipelineDialects(mlir::DialectRegistry &registry);

/// Registers the pipeline's own passes and, for cnnc-opt, the
/// `cnn-cpu-pipeline` pipeline: this CPU code generation alone, from linalg
/// without parameter records (cnnc-pipeline-tool's input). cnnc's whole
/// pipeline, which ends with it, is Pipelines.h's `cnnc-cpu-eval` and
/// `cnnc-cpu-train`.
void registerCpuPipelinePasses();

} // namespace cnnc::cpu

#endif // CNNC_CODEGEN_CPU_CPUPIPELINE_H
