//===- Driver.cpp - Subcommand dispatch and error reporting ---------------===//

#include "Commands.h"

#include "CommandLine.h"

#include "cnnrt/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <new>

namespace cnnrt::cli {

namespace {

struct Command {
  const char *name;
  const char *summary;
  int (*run)(const CommandContext &, const Args &);
};

const Command kCommands[] = {
    {"info", "describe the model: input, classes, tensors, sizes, FLOPs",
     runInfo},
    {"init", "write the seeded initial weights to a checkpoint", runInit},
    {"eval", "accuracy and loss on a data set's test split", runEval},
    {"infer", "logits for a batch of inputs read from a safetensors file",
     runInfer},
    {"predict", "classify image files (PNG, PGM, PPM): top classes, names",
     runPredict},
    {"train", "train with SGD on a data set; checkpoints, resume, logs",
     runTrain},
    {"train-step", "training steps on one batch from a file, everything out",
     runTrainStep},
    {"bench", "time inference (or --train: training steps) on random batches",
     runBench},
};

std::string baseName(const char *path) {
  std::string s = path && *path ? path : "model";
  std::size_t slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

std::string usage(const std::string &program, const cnnrt_model &model) {
  std::string text = fmt::format("usage: {} <command> [options]\n\n", program);
  if (model.name && model.input_shape[0] > 0)
    text += fmt::format("The compiled model {}: {}x{}x{} inputs, {} classes.\n\n",
                        model.name, model.input_shape[0], model.input_shape[1],
                        model.input_shape[2], model.num_classes);
  text += "commands:\n";
  for (const Command &c : kCommands)
    text += fmt::format("  {:<10}  {}\n", c.name, c.summary);
  text += fmt::format("\nRun '{} <command> --help' for a command's options.\n",
                      program);
  return text;
}

const Command *findCommand(const std::string &name) {
  for (const Command &c : kCommands)
    if (name == c.name)
      return &c;
  return nullptr;
}

std::string commandNames() {
  std::string names;
  for (const Command &c : kCommands)
    names += std::string(names.empty() ? "" : ", ") + c.name;
  return names;
}

} // namespace

int runMain(const cnnrt_model &model, int argc, char **argv) {
  std::string program = baseName(argc > 0 ? argv[0] : nullptr);
  auto error = [&](const std::string &message) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), message.c_str());
  };
  if (argc < 2) {
    std::fputs(usage(program, model).c_str(), stderr);
    return 2;
  }
  std::string name = argv[1];
  Args args(argv + 2, argv + argc);
  if (name == "--help" || name == "-h" || (name == "help" && args.empty())) {
    std::fputs(usage(program, model).c_str(), stdout);
    return 0;
  }
  if (name == "help") { // help <command> = <command> --help
    name = args[0];
    args = {"--help"};
  }
  const Command *command = findCommand(name);
  if (!command) {
    error(fmt::format("unknown command '{}' (commands: {}; see '{} --help')",
                      name, commandNames(), program));
    return 2;
  }
  // Before any of the model's code runs: compiled for a feature this CPU
  // lacks, it would die of SIGILL. `info` and help only read the descriptor
  // (info says what the CPU lacks).
  bool help = std::find(args.begin(), args.end(), "--help") != args.end() ||
              std::find(args.begin(), args.end(), "-h") != args.end();
  if (command->run != runInfo && !help)
    if (const char *cpu = cnnrt_model_check_cpu(&model)) {
      error(fmt::format("this executable was {}", cpu));
      return 1;
    }
  try {
    int status = command->run({program, model}, args);
    std::fflush(stdout);
    if (std::ferror(stdout)) {
      error("cannot write to standard output");
      return 1;
    }
    return status;
  } catch (const UsageError &e) {
    error(fmt::format("{}: {}", name, e.what()));
    return 2;
  } catch (const std::bad_alloc &) {
    error("out of memory");
  } catch (const std::exception &e) {
    error(e.what());
  }
  return 1;
}

} // namespace cnnrt::cli
