//===- TrainPlan.cpp - What a `train` run will do -------------------------===//

#include "TrainPlan.h"

#include "CudaTraining.h"
#include "Device.h"
#include "FixedShards.h"
#include "Options.h"
#include "TrainOptions.h"

#include "cnnrt/Batching.h"
#include "cnnrt/Error.h"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace cnnrt::cli {

namespace {

/// The checkpoint's metadata key of each flag it records.
struct RecordedFlag {
  const char *key, *flag;
};
constexpr RecordedFlag kRecordedFlags[] = {
    {"seed", "seed"},         {"epochs", "epochs"},
    {"batch_size", "batch-size"}, {"lr", "lr"},
    {"momentum", "momentum"}, {"dampening", "dampening"},
    {"weight_decay", "weight-decay"}, {"nesterov", "nesterov"},
    {"penalty", "penalty"},   {"data", "data"},
    {"classes", "classes"},   {"limit", "limit"},
    {"shards", "shards"}};

} // namespace

void applyResumeDefaults(CommandLine &cl, const Metadata &m,
                         const std::string &path, TrainFlags &f) {
  auto get = [&](const char *key) -> const std::string * {
    auto it = m.find(key);
    return it == m.end() ? nullptr : &it->second;
  };
  // Each value goes through its flag's own parser: a checkpoint is checked
  // as the command line is (lr=-1 or batch_size=99999999 are refused).
  for (const RecordedFlag &r : kRecordedFlags) {
    const std::string *v = get(r.key);
    if (!v || cl.given(r.flag))
      continue;
    // What the writer records for "not given" (dataMetadata).
    std::string_view key = r.key;
    if (key == "limit" && *v == "0") {
      f.data.limit = 0;
      continue;
    }
    if (key == "classes" && *v == "default") {
      f.data.classes.clear();
      continue;
    }
    try {
      cl.apply(r.flag, *v);
    } catch (const UsageError &e) {
      fail("{}: metadata '{}' is '{}', which --{} does not take: {}", path,
           r.key, printable(*v), r.flag, printable(e.reason()));
    }
  }
  if (const std::string *v = get("normalize");
      v && !cl.given("no-normalize")) {
    if (*v != "true" && *v != "false")
      fail("{}: metadata 'normalize' is '{}', not true or false", path,
           printable(*v));
    f.data.noNormalize = *v == "false";
  }
}

namespace {

/// Fails early, before any training, if `path` cannot be created.
void checkDirectoryOf(const std::string &path, const char *flag) {
  std::size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  if (dir.empty())
    dir = "/";
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    fail("{} '{}': the directory '{}' does not exist", flag, path, dir);
  if (::access(dir.c_str(), W_OK) != 0)
    fail("{} '{}': the directory '{}' is not writable", flag, path, dir);
}

/// A checkpoint's atomic write renames a temporary file onto `path`, which
/// fails for a directory only after the first epoch's training.
void checkNotDirectory(const std::string &path, const char *flag) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    fail("{} '{}' is a directory; it takes the checkpoint's file name", flag,
         path);
}

/// A word as a POSIX shell reads it back unchanged.
std::string shellQuote(const std::string &word) {
  bool plain = !word.empty();
  for (char c : word)
    plain &= std::isalnum(static_cast<unsigned char>(c)) ||
             std::string_view("%+,-./:=@_").find(c) != std::string_view::npos;
  if (plain)
    return word;
  std::string quoted = "'";
  for (char c : word)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

} // namespace

TrainFlags defaultTrainFlags(const Model &model) {
  const cnnrt_train_config &tc = model.desc().train;
  TrainFlags f;
  f.sgd = defaultSgd(model);
  f.epochs = tc.epochs > 0 ? tc.epochs : 1;
  f.batchSize = tc.batch_size > 0 ? tc.batch_size : 64;
  f.seed = std::uint64_t(tc.seed);
  return f;
}

void addTrainFlags(CommandLine &cl, TrainFlags &f) {
  cl.integer("epochs", "N",
             fmt::format("epochs to train, counting those of a resumed run "
                         "(default {})",
                         f.epochs),
             f.epochs, 1, std::int64_t(UINT32_MAX));
  cl.integer("batch-size", "N",
             fmt::format("samples per training step (default {})", f.batchSize),
             f.batchSize, 1, std::int64_t(1) << 20);
  addSgdOptions(cl, f.sgd);
  cl.integer("shards", "S",
             "split every batch into S fixed shards whose sums are added in "
             "shard order, so that training gives the same bits under "
             "mpirun with any rank count that divides S (default: one share "
             "per rank, whose sums' rounding depends on the rank count)",
             f.shards, 1, FixedShards::kMaxShards);
  cl.u64("seed", "S",
         fmt::format("seed of the initializers, of each epoch's shuffle and "
                     "of the dropout masks (default {})",
                     f.seed),
         f.seed);
  addThreadsOption(cl, f.threads);
  addDeviceOption(cl, f.device);
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
}

TrainPlan planTraining(Model &model, CommandLine &cl, TrainFlags &f,
                       const CommandContext &ctx, const Args &args,
                       const Replicas &replicas) {
  model.requireTraining("train");
  TrainPlan plan;
  plan.program = ctx.program;
  plan.args = args;
  if (!f.load.empty() && !f.resume.empty())
    throw UsageError("--load and --resume exclude each other (--resume "
                     "continues a run from its training checkpoint, --load "
                     "starts a new one from a model's weights)");

  // Weights first: a resumed run's settings are the defaults of the flags.
  if (!f.resume.empty()) {
    ResumePoint r = loadTrainCheckpoint(model, f.resume);
    plan.start = r.state;
    plan.resumed = r.metadata;
    applyResumeDefaults(cl, r.metadata, f.resume, f);
    plan.weightText = fmt::format("{} (resumed after epoch {}, step {})",
                                  f.resume, r.state.epoch, r.state.step);
  } else {
    plan.weightText = prepareWeights(model, {f.load, f.seed});
  }
  checkSgd(f.sgd);
  if (!f.save.empty() && replicas.leader()) {
    checkDirectoryOf(f.save, "--save");
    checkNotDirectory(f.save, "--save");
  }
  if (!f.log.empty() && replicas.leader())
    checkDirectoryOf(f.log, "--log");
  plan.replicas = replicas.size();
  if (f.shards % replicas.size() != 0)
    throw UsageError(fmt::format(
        "--shards {} needs a number of ranks that divides it, not {}",
        f.shards, replicas.size()));
  plan.threadText = applyThreads(f.threads);
  plan.gpu = trainDevice(ctx.program, model, f.device, replicas.several(),
                         replicas.leader()) == "cuda";
  if (plan.gpu)
    plan.threadText = cudaDeviceText(cudaTrainingDevice(replicas));
  if (plan.gpu && f.shards)
    throw UsageError("--shards is for training on the CPU (--device cpu); "
                     "a GPU trains the whole batch at once");
  plan.flags = f;
  plan.data = prepareTrainData(f.data, model);
  std::int64_t count = plan.data.train.count;
  plan.batchesPerEpoch = numBatches(count, f.batchSize);
  plan.lastBatchSize = count - (plan.batchesPerEpoch - 1) * f.batchSize;
  // A GPU replica's step needs a sample: its kernels have no empty grid.
  if (plan.gpu && plan.lastBatchSize < replicas.size())
    throw UsageError(fmt::format(
        "--device cuda under mpirun: the {} of {} sample{} has fewer than "
        "one per rank ({} ranks); choose a --batch-size or --limit that "
        "leaves each rank a sample of every batch",
        plan.lastBatchSize == f.batchSize ? "batch" : "last batch",
        plan.lastBatchSize, plan.lastBatchSize == 1 ? "" : "s",
        replicas.size()));
  return plan;
}

std::string TrainPlan::resumeCommand(const std::string &checkpoint) const {
  std::string command = shellQuote(program) + " train";
  if (replicas > 1)
    command = fmt::format("mpirun -np {} {}", replicas, command);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (a == "--load" || a == "--resume") {
      ++i; // and its value
      continue;
    }
    if (a.rfind("--load=", 0) == 0 || a.rfind("--resume=", 0) == 0)
      continue;
    command += " " + shellQuote(a);
  }
  return command + " --resume " + shellQuote(checkpoint);
}

Metadata dataMetadata(const DataOptions &d) {
  return {{"data", d.name},
          {"classes", d.classes.empty() ? "default" : d.classes},
          {"limit", std::to_string(d.limit)},
          {"normalize", d.noNormalize ? "false" : "true"}};
}

Metadata checkpointMetadata(const Model &model, const TrainFlags &f) {
  Metadata meta = {{"format", "pt"},
                   {"model", model.name()},
                   {"seed", std::to_string(f.seed)},
                   {"epochs", std::to_string(f.epochs)},
                   {"batch_size", std::to_string(f.batchSize)},
                   {"lr", fmt::format("{}", f.sgd.lr)},
                   {"momentum", fmt::format("{}", f.sgd.momentum)},
                   {"dampening", fmt::format("{}", f.sgd.dampening)},
                   {"weight_decay", fmt::format("{}", f.sgd.weightDecay)},
                   {"nesterov", boolText(f.sgd.nesterov)},
                   {"penalty", penaltyText(f.sgd)}};
  if (f.shards)
    meta["shards"] = std::to_string(f.shards);
  for (const auto &kv : dataMetadata(f.data))
    meta.insert(kv);
  return meta;
}

} // namespace cnnrt::cli
