//===- EvalCommand.cpp - `eval`: accuracy and loss on a data set ----------===//

#include "Commands.h"
#include "Data.h"
#include "Device.h"
#include "Evaluate.h"
#include "Metrics.h"
#include "Model.h"
#include "Options.h"
#include "Timing.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace cnnrt::cli {

int runEval(const CommandContext &ctx, const Args &args) {
  Model model(ctx.model);
  WeightOptions weights;
  DataOptions data;
  std::int64_t batchSize = 0, threads = 0;
  std::string device;
  CommandLine cl(ctx.program, "eval",
                 "Accuracy and mean cross-entropy loss of the model (eval "
                 "mode) on a data set's test split, normalised per channel "
                 "with the training split's mean and std.");
  addWeightOptions(cl, weights, model);
  addDataOptions(cl, data);
  addBatchSizeOption(cl, batchSize, 64);
  addThreadsOption(cl, threads);
  addDeviceOption(cl, device);
  if (!cl.parse(args))
    return 0;

  std::string threadText = applyThreads(threads);
  std::string weightText = prepareWeights(model, weights);
  std::unique_ptr<Forward> forward =
      makeForward(ctx.program, model, device, threadText);
  PreparedData p = prepareData(data, model);
  const Dataset &d = p.data;
  fmt::print("model: {}\n", model.name());
  fmt::print("weights: {}\n", weightText);
  fmt::print("data: {}: {} samples {}x{}x{}, {} classes\n", p.description,
             d.count, d.channels, d.height, d.width, d.numClasses);
  if (p.stats.mean.empty())
    fmt::print("normalisation: none\n");
  else
    fmt::print("normalisation: mean {:.6f} std {:.6f} (training split)\n",
               fmt::join(p.stats.mean, ","), fmt::join(p.stats.std, ","));

  Stopwatch clock;
  ClassificationMetrics metrics = evaluate(*forward, d, batchSize);
  double seconds = clock.seconds();

  fmt::print("accuracy: {:.6f} ({}/{})\n", metrics.accuracy(), metrics.correct,
             metrics.count);
  fmt::print("loss: {:.6f}\n", metrics.meanLoss());
  fmt::print("time: {:.3f} s ({:.0f} images/s, batch size {}, {})\n", seconds,
             seconds > 0 ? double(metrics.count) / seconds : 0.0, batchSize,
             forward->description());
  return 0;
}

} // namespace cnnrt::cli
