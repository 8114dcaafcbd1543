//===- Pipelines.cpp - cnn to linalg, as one pipeline ---------------------===//
#include "conversion/Passes.h"
#include "transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace cnn {

void buildEvalToLinalgPipeline(OpPassManager &pm, bool foldBatchNorm) {
  pm.addPass(createSpecializeEval());
  if (foldBatchNorm)
    pm.addPass(createFoldBatchNorm());
  pm.addPass(createCSEPass());
  pm.addPass(createConvertCnnToLinalg());
}

namespace {
struct EvalToLinalgOptions : PassPipelineOptions<EvalToLinalgOptions> {
  Option<bool> foldBatchNorm{
      *this, "fold-batchnorm",
      llvm::cl::desc("Fold eval batchnorms into the preceding convolutions"),
      llvm::cl::init(true)};
};
} // namespace

void registerEvalToLinalgPipeline() {
  PassPipelineRegistration<EvalToLinalgOptions>(
      "cnn-eval-to-linalg",
      "Specialise for inference and lower the cnn dialect to linalg",
      [](OpPassManager &pm, const EvalToLinalgOptions &options) {
        buildEvalToLinalgPipeline(pm, options.foldBatchNorm);
      });
}

} // namespace cnn
