//===- TrainCommand.cpp - `train`: SGD over a data set's training split ---===//
//
// The command line of `train`; the run itself is a TrainPlan (settled
// first) carried out by a Trainer.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "TrainPlan.h"
#include "Trainer.h"

namespace cnnrt::cli {

int runTrain(const CommandContext &ctx, const Args &args) {
  Model model(ctx.model);
  TrainFlags f = defaultTrainFlags(model);
  CommandLine cl(
      ctx.program, "train",
      "Trains the model with SGD on a data set's training split (a fresh "
      "shuffle each epoch, the last partial batch kept; inputs normalised "
      "with the training split's per-channel mean and std), printing the "
      "mean training loss of each epoch, then the accuracy on the training "
      "and validation (test) splits. Defaults come from the model file's "
      "train { } section.");
  addTrainFlags(cl, f);
  if (!cl.parse(args))
    return 0;
  TrainPlan plan = planTraining(model, cl, f, ctx, args);
  return Trainer(model, plan).run();
}

} // namespace cnnrt::cli
