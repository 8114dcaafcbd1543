//===- CpuPipeline.h - linalg-on-tensors to the LLVM dialect ----*- C++ -*-===//
//
// The CPU code generation pipeline: elementwise fusion, tiling with producer
// fusion (bias, activation and pooling in the conv's loops), vectorization,
// one-shot bufferization, deallocation, OpenMP for the batch loop, and the
// lowering of everything to the LLVM dialect. Input: a module whose functions
// take memrefs and work on tensors inside (bufferization.to_tensor of the
// arguments, bufferization.materialize_in_destination into the output).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_PIPELINE_CPUPIPELINE_H
#define CNNC_PIPELINE_CPUPIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
class DialectRegistry;
class ModuleOp;
} // namespace mlir

namespace cnnc::pipeline {

struct CpuPipelineOptions
    : public mlir::PassPipelineOptions<CpuPipelineOptions> {
  Option<int64_t> channelTile{*this, "channel-tile",
                              llvm::cl::desc("Output channels per register tile"),
                              llvm::cl::init(8)};
  Option<int64_t> reductionTile{
      *this, "reduction-tile",
      llvm::cl::desc("Reduction slice of a matmul per step"),
      llvm::cl::init(64)};
  Option<bool> vectorize{*this, "vectorize",
                         llvm::cl::desc("Vectorize the tiles"),
                         llvm::cl::init(true)};
  Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run the batch loop on OpenMP threads (link libomp)"),
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

} // namespace cnnc::pipeline

#endif // CNNC_PIPELINE_CPUPIPELINE_H
