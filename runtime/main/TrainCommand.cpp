//===- TrainCommand.cpp - `train`: SGD over a data set's training split ---===//
//
// The command line of `train`; the run itself is a TrainPlan (settled
// first) carried out by a Trainer.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Options.h"
#include "TrainOptions.h"
#include "TrainPlan.h"
#include "Trainer.h"

#include <fmt/format.h>

#include <utility>

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
  cl.integer("epochs", "N",
             fmt::format("epochs to train, counting those of a resumed run "
                         "(default {})",
                         f.epochs),
             f.epochs, 1, std::int64_t(UINT32_MAX));
  cl.integer("batch-size", "N",
             fmt::format("samples per training step (default {})", f.batchSize),
             f.batchSize, 1, std::int64_t(1) << 20);
  addSgdOptions(cl, f.sgd);
  cl.u64("seed", "S",
         fmt::format("seed of the initializers, of each epoch's shuffle and "
                     "of the dropout masks (default {})",
                     f.seed),
         f.seed);
  addThreadsOption(cl, f.threads);
  addDataOptions(cl, f.data, /*withSplit=*/false);
  cl.string("load", "CKPT",
            "start from a model checkpoint's weights (PyTorch state_dict "
            "names; optimizer tensors in it are ignored) instead of the "
            "seeded initializers",
            f.load);
  cl.string("resume", "CKPT",
            "continue the run that wrote CKPT with --save from its epoch and "
            "step, with its weights and momentum buffers, and its seed, "
            "epochs, batch size and optimizer flags unless given here (the "
            "result is bit-identical to an uninterrupted run)",
            f.resume);
  cl.string("save", "CKPT",
            "write a training checkpoint at the end of every epoch, "
            "atomically: the weights under their state_dict names (for eval "
            "--load and PyTorch), 'optimizer.momentum_buffer.<name>', and "
            "the run's epoch, step and flags as metadata",
            f.save);
  cl.string("log", "FILE",
            "per-epoch metrics: epoch, step, loss, train and validation "
            "accuracy, seconds; CSV, or JSON lines if FILE ends in .jsonl "
            "(both splits are then evaluated after every epoch)",
            f.log);
  cl.integer("print-every", "K", "also print the mean loss of every K steps",
             f.printEvery, 1, std::int64_t(1) << 40);
  cl.choice("progress", "MODE",
            "auto (a progress bar on a terminal, else lines), bar or lines",
            f.progress, {"auto", "bar", "lines"});
  if (!cl.parse(args))
    return 0;
  TrainPlan plan = planTraining(model, cl, std::move(f), ctx, args);
  return Trainer(model, plan).run();
}

} // namespace cnnrt::cli
