//===- Options.h - Flags shared by several subcommands -----------*- C++ -*-===//
//
// Where the weights come from (--load CKPT, else the declared initializers
// with --seed), and how the model runs (--batch-size, --threads).
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_OPTIONS_H
#define CNNRT_MAIN_OPTIONS_H

#include "CommandLine.h"
#include "Model.h"

#include <cstdint>
#include <string>

namespace cnnrt::cli {

struct WeightOptions {
  std::string load;        ///< "" = initialise
  std::uint64_t seed = 0;  ///< defaults to the model's train { seed }
};

/// --load CKPT and --seed S.
void addWeightOptions(CommandLine &cl, WeightOptions &o, const Model &model);

/// Loads or initialises the arena; returns what to print after "weights: ".
std::string prepareWeights(Model &model, const WeightOptions &o);

/// --batch-size N, default `defaultSize`.
void addBatchSizeOption(CommandLine &cl, std::int64_t &batchSize,
                        std::int64_t defaultSize);

/// --threads T (0 = leave the OpenMP default).
void addThreadsOption(CommandLine &cl, std::int64_t &threads);

/// Calls setThreads for a given --threads; returns a description for the
/// output: "4 threads", "1 thread (--threads 4 ignored: ...)".
std::string applyThreads(std::int64_t threads);

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_OPTIONS_H
