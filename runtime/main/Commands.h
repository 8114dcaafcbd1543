//===- Commands.h - The model executable's subcommands -----------*- C++ -*-===//
//
// One function per subcommand, each in its own file. A command parses its own
// flags (CommandLine), prints its results to stdout and returns the exit
// status; it throws UsageError for a bad command line and cnnrt::Error (or
// any std::exception) for a failure, which the driver reports.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_COMMANDS_H
#define CNNRT_MAIN_COMMANDS_H

#include "cnnrt/model_abi.h"

#include <string>
#include <vector>

namespace cnnrt::cli {

struct CommandContext {
  std::string program; ///< argv[0]'s base name, for messages and usage
  const cnnrt_model &model;
};

using Args = std::vector<std::string>;

int runInfo(const CommandContext &ctx, const Args &args);
int runInit(const CommandContext &ctx, const Args &args);
int runEval(const CommandContext &ctx, const Args &args);
int runInfer(const CommandContext &ctx, const Args &args);
int runPredict(const CommandContext &ctx, const Args &args);
int runBench(const CommandContext &ctx, const Args &args);
int runTrain(const CommandContext &ctx, const Args &args);
int runTrainStep(const CommandContext &ctx, const Args &args);

/// The whole program: dispatches argv[1] to a subcommand, reports errors as
/// "<prog>: error: <message>" on stderr. Exit status 0 on success, 1 on a
/// failure (a bad checkpoint, a missing data set), 2 on a bad command line.
int runMain(const cnnrt_model &model, int argc, char **argv);

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_COMMANDS_H
