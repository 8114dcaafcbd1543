//===- TrainCommand.cpp - `train`: SGD over a data set's training split ---===//
//
// The lecture's training loop: for each epoch a fresh shuffle, batches of
// --batch-size (the last one partial, kept), one compiled train_step per
// batch (forward, cross-entropy + penalty, backward, fused SGD update), the
// mean loss per epoch; then accuracy on the training and validation splits
// with the eval-mode forward.
//
// Reproducibility, which --resume relies on: epoch k's order depends only on
// (seed, k) (epochPermutation), a step's dropout masks only on (seed, global
// step), and everything else is the arena's state, which the checkpoint
// holds whole. So 1 epoch + resume for 1 gives the bits of 2 epochs.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Data.h"
#include "Evaluate.h"
#include "Model.h"
#include "Options.h"
#include "Progress.h"
#include "TrainCheckpoint.h"
#include "TrainLog.h"
#include "TrainOptions.h"

#include "cnnrt/Batching.h"
#include "cnnrt/Error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace cnnrt::cli {

namespace {

struct TrainFlags {
  SgdParams sgd;
  DataOptions data;
  std::int64_t epochs = 1, batchSize = 64, threads = 0, printEvery = 0;
  std::uint64_t seed = 0;
  std::string load, resume, save, log, progress = "auto";
};

/// Takes the resumed run's settings for the flags not given now, so that
/// `train --resume CKPT` continues the run that wrote CKPT.
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
}

/// The data flags as the checkpoint records them.
Metadata dataMetadata(const DataOptions &d) {
  return {{"data", d.name},
          {"classes", d.classes.empty() ? "default" : d.classes},
          {"limit", std::to_string(d.limit)},
          {"normalize", d.noNormalize ? "false" : "true"}};
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

/// The first tensor of the model's state that holds a NaN or infinity, or
/// "" if all are finite.
std::string firstNonFinite(const Model &model) {
  const Layout &layout = model.arena().layout();
  for (std::size_t i = 0; i < layout.size(); ++i) {
    if (layout[i].dtype != DType::F32)
      continue;
    const auto *p = static_cast<const float *>(model.arena().data(i));
    for (std::int64_t k = 0; k < layout[i].numel(); ++k)
      if (!std::isfinite(p[k]))
        return layout[i].name;
  }
  return "";
}

} // namespace

int runTrain(const CommandContext &ctx, const Args &args) {
  Model model(ctx.model);
  const cnnrt_train_config &tc = model.desc().train;
  TrainFlags f;
  f.sgd = defaultSgd(model);
  f.epochs = tc.epochs > 0 ? tc.epochs : 1;
  f.batchSize = tc.batch_size > 0 ? tc.batch_size : 64;
  f.seed = std::uint64_t(tc.seed);
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
  model.requireTraining("train");
  if (!f.load.empty() && !f.resume.empty())
    throw UsageError("--load and --resume exclude each other (--resume "
                     "continues a run from its training checkpoint, --load "
                     "starts a new one from a model's weights)");

  // Weights first: a resumed run's settings are the defaults of the flags.
  TrainProgressState state;
  std::string weightText;
  Metadata resumed;
  if (!f.resume.empty()) {
    ResumePoint r = loadTrainCheckpoint(model, f.resume);
    state = r.state;
    resumed = r.metadata;
    applyResumeDefaults(cl, r.metadata, f.resume, f);
    weightText = fmt::format("{} (resumed after epoch {}, step {})", f.resume,
                             state.epoch, state.step);
  } else if (!f.load.empty()) {
    weightText = prepareWeights(model, {f.load, f.seed});
  } else {
    weightText = prepareWeights(model, {"", f.seed});
  }
  checkSgd(f.sgd);
  if (!f.save.empty())
    checkDirectoryOf(f.save, "--save");
  if (!f.log.empty())
    checkDirectoryOf(f.log, "--log");
  std::string threadText = applyThreads(f.threads);
  TrainData data = prepareTrainData(f.data, model);
  const Dataset &train = data.train;
  TrainLog log;
  if (!f.log.empty())
    log.open(f.log, /*append=*/!f.resume.empty());

  std::int64_t nb = numBatches(train.count, f.batchSize);
  std::int64_t last = train.count - (nb - 1) * f.batchSize;
  fmt::print("model: {}\n", model.name());
  fmt::print("weights: {}\n", weightText);
  fmt::print("data: {}: {} training and {} validation samples {}x{}x{}, {} "
             "classes\n",
             data.description, train.count, data.test.count, train.channels,
             train.height, train.width, train.numClasses);
  if (data.stats.mean.empty())
    fmt::print("normalisation: none\n");
  else
    fmt::print("normalisation: mean {:.6f} std {:.6f} (training split)\n",
               fmt::join(data.stats.mean, ","), fmt::join(data.stats.std, ","));
  for (const auto &[key, value] : dataMetadata(f.data)) {
    auto it = resumed.find(key);
    if (it != resumed.end() && it->second != value)
      fmt::print("note: the resumed run had {} {}, this one has {}\n", key,
                 it->second, value);
  }
  fmt::print("optimizer: {}\n", sgdSummary(f.sgd));
  fmt::print("schedule: {} epoch{}, batch size {} ({} steps per epoch{}), "
             "seed {}, {}\n",
             f.epochs, f.epochs == 1 ? "" : "s", f.batchSize, nb,
             last == f.batchSize ? "" : fmt::format(", the last of {}", last),
             f.seed, threadText);
  std::fflush(stdout);

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

  std::int64_t size = train.imageSize(), k = model.numClasses();
  AlignedBuffer images(std::size_t(f.batchSize * size) * sizeof(float));
  AlignedBuffer logits(std::size_t(f.batchSize * k) * sizeof(float));
  AlignedBuffer labels32(std::size_t(f.batchSize) * sizeof(std::int32_t));
  AlignedBuffer masks(std::size_t(model.maskFloats(f.batchSize)) *
                      sizeof(float));
  std::vector<std::int64_t> labels(std::size_t(f.batchSize), 0);
  auto *x = reinterpret_cast<float *>(images.data());
  auto *y = reinterpret_cast<std::int32_t *>(labels32.data());

  bool bar = f.progress == "bar" ||
             (f.progress == "auto" && ::isatty(::fileno(stdout)));
  Progress progress(bar);
  std::int64_t savedEpoch = -1; // saved by this run
  auto keptText = [&]() -> std::string {
    if (f.save.empty())
      return "nothing is saved (no --save)";
    if (savedEpoch >= 0)
      return fmt::format("the last checkpoint, {} (after epoch {}), is kept",
                         f.save, savedEpoch);
    struct stat st;
    if (::stat(f.save.c_str(), &st) == 0)
      return fmt::format("{} is left as it was", f.save);
    return fmt::format("{} was not written", f.save);
  };
  double windowSum = 0, trainSeconds = 0;
  std::int64_t windowSteps = 0, trained = 0;
  ClassificationMetrics trainMetrics, valMetrics;
  bool evaluated = false;
  if (state.epoch >= f.epochs)
    fmt::print("nothing to train: {} has {} of {} epochs\n", f.resume,
               state.epoch, f.epochs);
  for (std::int64_t epoch = state.epoch; epoch < f.epochs; ++epoch) {
    std::vector<std::int64_t> order =
        epochPermutation(train.count, f.seed, std::uint32_t(epoch));
    progress.startEpoch(epoch + 1, f.epochs, nb);
    Stopwatch clock;
    double lossSum = 0;
    std::int64_t seen = 0;
    for (std::int64_t b = 0; b < nb; ++b) {
      std::int64_t n =
          gatherBatch(train, order, b, f.batchSize, x, labels.data());
      for (std::int64_t i = 0; i < n; ++i)
        y[i] = std::int32_t(labels[std::size_t(i)]);
      StepLoss loss =
          model.trainStep(x, y, n, reinterpret_cast<float *>(logits.data()),
                          reinterpret_cast<float *>(masks.data()), false, f.sgd,
                          state.firstStep, f.seed, state.step);
      double total = loss.total();
      if (!std::isfinite(total)) {
        progress.clear();
        fail("the training loss is {} (cross-entropy {}, penalty {}) at epoch "
             "{}, batch {} of {} (global step {}, counted from 0): training "
             "stopped, the weights are no longer usable; {} (a smaller --lr "
             "may help)",
             total, loss.crossEntropy, loss.penalty, epoch + 1, b + 1, nb,
             state.step, keptText());
      }
      state.firstStep = false;
      ++state.step;
      lossSum += total;
      seen += n;
      progress.update(b + 1, lossSum / double(b + 1), seen, clock.seconds());
      windowSum += total;
      if (f.printEvery && ++windowSteps == f.printEvery) {
        progress.line(fmt::format("  step {}: epoch {}, batch {}/{}, loss "
                                  "{:.6f} (mean of the last {} steps)",
                                  state.step, epoch + 1, b + 1, nb,
                                  windowSum / double(windowSteps),
                                  windowSteps));
        windowSum = 0;
        windowSteps = 0;
      }
    }
    double seconds = clock.seconds();
    trainSeconds += seconds;
    trained += seen;
    std::string bad = firstNonFinite(model);
    if (!bad.empty()) {
      progress.clear();
      fail("'{}' holds a NaN or infinity after epoch {} (step {}): training "
           "stopped, the weights are no longer usable; {} (a smaller --lr "
           "may help)",
           bad, epoch + 1, state.step, keptText());
    }
    state.epoch = epoch + 1;
    EpochRecord record;
    record.epoch = epoch + 1;
    record.step = state.step;
    record.loss = lossSum / double(nb); // the lecture's: mean of batch losses
    record.seconds = seconds;
    // Six decimals as the lecture's losses need; a diverging run's huge
    // ones in exponent form.
    std::string lossText = record.loss < 1e6
                               ? fmt::format("{:.6f}", record.loss)
                               : fmt::format("{:.6e}", record.loss);
    std::string text =
        fmt::format("Epoch {}, Training loss {} ({:.3f} s, {:.0f} images/s)",
                    epoch + 1, lossText, seconds,
                    seconds > 0 ? double(seen) / seconds : 0.0);
    if (log.enabled()) {
      trainMetrics = evaluate(model, train, f.batchSize);
      valMetrics = evaluate(model, data.test, f.batchSize);
      evaluated = true;
      record.trainAccuracy = trainMetrics.accuracy();
      record.valAccuracy = valMetrics.accuracy();
      text += fmt::format(", accuracy train {:.4f} val {:.4f}",
                          record.trainAccuracy, record.valAccuracy);
    }
    progress.line(text);
    if (!f.save.empty()) {
      meta["loss"] = fmt::format("{}", record.loss);
      saveTrainCheckpoint(model, f.save, state, meta);
      savedEpoch = epoch + 1;
    }
    log.write(record);
  }
  progress.clear();

  if (!evaluated) {
    trainMetrics = evaluate(model, train, f.batchSize);
    valMetrics = evaluate(model, data.test, f.batchSize);
  }
  fmt::print("Accuracy train: {:.6f} ({}/{})\n", trainMetrics.accuracy(),
             trainMetrics.correct, trainMetrics.count);
  fmt::print("Accuracy val: {:.6f} ({}/{})\n", valMetrics.accuracy(),
             valMetrics.correct, valMetrics.count);
  if (trained)
    fmt::print("time: {:.3f} s training ({:.0f} images/s)\n", trainSeconds,
               trainSeconds > 0 ? double(trained) / trainSeconds : 0.0);
  if (savedEpoch >= 0)
    fmt::print("saved: {} (after epoch {}, step {})\n", f.save, savedEpoch,
               state.step);
  return 0;
}

} // namespace cnnrt::cli
