//===- Options.cpp - Flags shared by several subcommands ------------------===//

#include "Options.h"

#include "Threads.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace cnnrt::cli {

void addWeightOptions(CommandLine &cl, WeightOptions &o, const Model &model) {
  o.seed = std::uint64_t(model.desc().train.seed);
  cl.string("load", "CKPT",
            "weights from a safetensors checkpoint (PyTorch state_dict names); "
            "default: the declared initializers, seeded",
            o.load);
  cl.u64("seed", "S",
         fmt::format("seed of the initializers without --load (default {})",
                     o.seed),
         o.seed);
}

std::string prepareWeights(Model &model, const WeightOptions &o) {
  if (o.load.empty()) {
    model.initialize(o.seed);
    return fmt::format("initial (seed {})", o.seed);
  }
  LoadResult r = model.load(o.load);
  if (r.ignored.empty())
    return o.load;
  // A training checkpoint: its optimizer state does not matter here.
  return fmt::format("{} ({} optimizer tensor{} ignored)", o.load,
                     r.ignored.size(), r.ignored.size() == 1 ? "" : "s");
}

void addBatchSizeOption(CommandLine &cl, std::int64_t &batchSize,
                        std::int64_t defaultSize) {
  batchSize = defaultSize;
  cl.integer("batch-size", "N",
             fmt::format("samples per forward call (default {})", defaultSize),
             batchSize, 1, std::int64_t(1) << 20);
}

void addThreadsOption(CommandLine &cl, std::int64_t &threads) {
  // More threads than a few per core only slow the loops down, and a few
  // thousand make the OpenMP runtime abort on its stacks.
  std::int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  std::int64_t most = std::max<std::int64_t>(4, 4 * cores);
  cl.integer("threads", "T",
             fmt::format("threads for the model's parallel loops, at most {} "
                         "(4 per core; default: OpenMP's, OMP_NUM_THREADS or "
                         "the core count)",
                         most),
             threads, 1, most);
}

std::string applyThreads(std::int64_t threads) {
  if (threads > 0)
    setThreads(int(threads));
  int n = effectiveThreads();
  std::string text = fmt::format("{} thread{}", n, n == 1 ? "" : "s");
  if (threads > 1 && !haveOpenMP())
    text += fmt::format(" (--threads {} ignored: no OpenMP runtime in this "
                        "executable)",
                        threads);
  return text;
}

} // namespace cnnrt::cli
