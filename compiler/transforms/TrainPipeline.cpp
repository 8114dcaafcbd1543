//===- TrainPipeline.cpp - a model to its train_step, in cnn ops ----------===//
#include "transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace cnn {

void buildTrainPipeline(OpPassManager &pm) {
  // Reverse-mode differentiation sees the whole graph: repeated blocks
  // unrolled (loops in the training step are the next step).
  pm.addPass(createUnrollRepeats());
  pm.addPass(createSpecializeTrain());
  pm.addPass(createBuildTrainStep());
  // Reads of one parameter merge (no write between them in the forward
  // part), and the gradients nobody uses go.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void registerTrainPipeline() {
  PassPipelineRegistration<>(
      "cnn-train",
      "Specialise for training and build train_step: loss, gradients, SGD",
      buildTrainPipeline);
}

} // namespace cnn
