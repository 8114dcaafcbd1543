//===- Options.cpp - Flags shared by several subcommands ------------------===//

#include "Options.h"

#include "Threads.h"

#include <fmt/format.h>

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
  cl.integer("threads", "T",
             "threads for the model's parallel loops (default: OpenMP's, "
             "OMP_NUM_THREADS or the core count)",
             threads, 1, 4096);
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
