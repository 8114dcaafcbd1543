//===- TrainPlan.cpp - What a `train` run will do -------------------------===//

#include "TrainPlan.h"

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

/// Takes the resumed run's settings for the flags not given now, so that
/// `train --resume CKPT` continues the run that wrote CKPT: its schedule,
/// optimizer and data (--data, --classes, --limit, normalisation).
void applyResumeDefaults(const CommandLine &cl, const Metadata &m,
                         const std::string &path, TrainFlags &f) {
  auto get = [&](const char *key) -> const std::string * {
    auto it = m.find(key);
    return it == m.end() ? nullptr : &it->second;
  };
  auto bad = [&](const char *key, const std::string &value) {
    fail("{}: metadata '{}' is '{}', which --{} does not take", path, key,
         value, key);
  };
  auto integer = [&](const char *flag, const char *key, std::int64_t &out) {
    const std::string *v = get(key);
    if (cl.given(flag) || !v)
      return;
    char *end = nullptr;
    errno = 0;
    long long x = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end || errno || x < 1)
      bad(key, *v);
    out = x;
  };
  auto real = [&](const char *flag, const char *key, double &out) {
    const std::string *v = get(key);
    if (cl.given(flag) || !v)
      return;
    char *end = nullptr;
    double x = std::strtod(v->c_str(), &end);
    if (v->empty() || *end || !std::isfinite(x))
      bad(key, *v);
    out = x;
  };
  if (const std::string *v = get("seed"); v && !cl.given("seed")) {
    char *end = nullptr;
    errno = 0;
    unsigned long long x = std::strtoull(v->c_str(), &end, 10);
    if (v->empty() || (*v)[0] == '-' || *end || errno)
      bad("seed", *v);
    f.seed = x;
  }
  integer("epochs", "epochs", f.epochs);
  integer("batch-size", "batch_size", f.batchSize);
  real("lr", "lr", f.sgd.lr);
  real("momentum", "momentum", f.sgd.momentum);
  real("dampening", "dampening", f.sgd.dampening);
  real("weight-decay", "weight_decay", f.sgd.weightDecay);
  if (const std::string *v = get("nesterov"); v && !cl.given("nesterov")) {
    if (*v != "true" && *v != "false")
      bad("nesterov", *v);
    f.sgd.nesterov = *v == "true";
  }
  if (const std::string *v = get("penalty"); v && !cl.given("penalty"))
    if (!parsePenalty(*v, f.sgd).empty())
      bad("penalty", *v);
  // The data the run trained on (its folder is not recorded: a path).
  if (const std::string *v = get("data"); v && !cl.given("data")) {
    if (*v != "fashion-mnist" && *v != "cifar10")
      bad("data", *v);
    f.data.name = *v;
  }
  if (const std::string *v = get("classes"); v && !cl.given("classes"))
    f.data.classes = *v == "default" ? "" : *v;
  if (const std::string *v = get("limit"); v && !cl.given("limit")) {
    char *end = nullptr;
    errno = 0;
    long long x = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end || errno || x < 0)
      bad("limit", *v);
    f.data.limit = x;
  }
  if (const std::string *v = get("normalize");
      v && !cl.given("no-normalize")) {
    if (*v != "true" && *v != "false")
      fail("{}: metadata 'normalize' is '{}', not true or false", path, *v);
    f.data.noNormalize = *v == "false";
  }
}

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

TrainPlan planTraining(Model &model, const CommandLine &cl, TrainFlags flags,
                       const CommandContext &ctx, const Args &args) {
  model.requireTraining("train");
  TrainPlan plan;
  TrainFlags &f = plan.flags;
  f = std::move(flags);
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
  if (!f.save.empty()) {
    checkDirectoryOf(f.save, "--save");
    checkNotDirectory(f.save, "--save");
  }
  if (!f.log.empty())
    checkDirectoryOf(f.log, "--log");
  plan.threadText = applyThreads(f.threads);
  plan.data = prepareTrainData(f.data, model);
  std::int64_t count = plan.data.train.count;
  plan.batchesPerEpoch = numBatches(count, f.batchSize);
  plan.lastBatchSize = count - (plan.batchesPerEpoch - 1) * f.batchSize;
  return plan;
}

std::string TrainPlan::resumeCommand(const std::string &checkpoint) const {
  std::string command = shellQuote(program) + " train";
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
  for (const auto &kv : dataMetadata(f.data))
    meta.insert(kv);
  return meta;
}

} // namespace cnnrt::cli
