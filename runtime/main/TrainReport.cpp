//===- TrainReport.cpp - What `train` prints and logs ---------------------===//

#include "TrainReport.h"

#include "StopSignals.h"
#include "TrainOptions.h"

#include "cnnrt/Error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <unistd.h>

namespace cnnrt::cli {

namespace {

bool wantsBar(const std::string &mode) {
  return mode == "bar" || (mode == "auto" && ::isatty(::fileno(stdout)));
}

} // namespace

TrainReport::TrainReport(const TrainPlan &plan, bool leader)
    : plan_(plan), progress_(wantsBar(plan.flags.progress)) {
  if (!plan.flags.log.empty() && leader)
    log_.open(plan.flags.log, /*append=*/!plan.flags.resume.empty());
}

void TrainReport::describe(const Model &model) const {
  const TrainFlags &f = plan_.flags;
  const TrainData &data = plan_.data;
  const Dataset &train = data.train;
  fmt::print("model: {}\n", model.name());
  fmt::print("weights: {}\n", plan_.weightText);
  fmt::print("data: {}: {} training and {} validation samples {}x{}x{}, {} "
             "classes\n",
             data.description, train.count, data.test.count, train.channels,
             train.height, train.width, train.numClasses);
  if (data.stats.mean.empty())
    fmt::print("normalisation: none\n");
  else
    fmt::print("normalisation: mean {:.6f} std {:.6f} (training split)\n",
               fmt::join(data.stats.mean, ","), fmt::join(data.stats.std, ","));
  // --resume does not take the data flags back (a run may move to more
  // data); it says where they differ.
  for (const auto &[key, value] : dataMetadata(f.data)) {
    auto it = plan_.resumed.find(key);
    if (it != plan_.resumed.end() && it->second != value)
      fmt::print("note: the resumed run had {} {}, this one has {}\n", key,
                 it->second, value);
  }
  fmt::print("optimizer: {}\n", sgdSummary(f.sgd));
  if (f.shards)
    fmt::print("data-parallel: {}, every batch of {} split into {} fixed "
               "shards ({} a process)\n",
               plan_.replicas > 1 ? plan_.replicaText : "one process",
               f.batchSize, f.shards, f.shards / plan_.replicas);
  else if (plan_.replicas > 1)
    fmt::print("data-parallel: {}, each a share of every batch of {}\n",
               plan_.replicaText, f.batchSize);
  std::int64_t nb = plan_.batchesPerEpoch, last = plan_.lastBatchSize;
  fmt::print("schedule: {} epoch{}, batch size {} ({} steps per epoch{}), "
             "seed {}, {}\n",
             f.epochs, f.epochs == 1 ? "" : "s", f.batchSize, nb,
             last == f.batchSize ? "" : fmt::format(", the last of {}", last),
             f.seed, plan_.threadText);
  std::fflush(stdout);
}

void TrainReport::nothingToTrain() const {
  fmt::print("nothing to train: {} has {} of {} epochs\n", plan_.flags.resume,
             plan_.start.epoch, plan_.flags.epochs);
}

void TrainReport::startEpoch(std::int64_t epoch) {
  progress_.startEpoch(epoch, plan_.flags.epochs, plan_.batchesPerEpoch);
}

void TrainReport::stepDone(std::int64_t epoch, std::int64_t batch,
                           double loss, double meanLoss, std::int64_t images,
                           double seconds, std::int64_t stepsRun) {
  progress_.update(batch, meanLoss, images, seconds);
  windowLoss_ += loss;
  std::int64_t every = plan_.flags.printEvery;
  if (every && ++windowSteps_ == every) {
    progress_.line(fmt::format("  step {}: epoch {}, batch {}/{}, loss {:.6f} "
                               "(mean of the last {} steps)",
                               stepsRun, epoch, batch, plan_.batchesPerEpoch,
                               windowLoss_ / double(windowSteps_),
                               windowSteps_));
    windowLoss_ = 0;
    windowSteps_ = 0;
  }
}

void TrainReport::epochDone(const EpochRecord &r, std::int64_t images,
                            bool withAccuracy) {
  trainSeconds_ += r.seconds;
  trainedImages_ += images;
  // Six decimals as the lecture's losses need; a diverging run's huge ones
  // in exponent form.
  auto lossText = [](double loss) {
    return loss < 1e6 ? fmt::format("{:.6f}", loss) : fmt::format("{:.6e}", loss);
  };
  std::string text = fmt::format(
      "Epoch {}, Training loss {} ({:.3f} s, {:.0f} images/s)", r.epoch,
      lossText(r.loss), r.seconds,
      r.seconds > 0 ? double(images) / r.seconds : 0.0);
  if (withAccuracy)
    text += fmt::format(", accuracy train {:.4f} val {:.4f}, validation loss {}",
                        r.trainAccuracy, r.valAccuracy, lossText(r.valLoss));
  progress_.line(text);
}

void TrainReport::finish(const ClassificationMetrics &train,
                         const ClassificationMetrics &val,
                         std::int64_t savedEpoch, std::int64_t stepsRun) {
  progress_.clear();
  fmt::print("Accuracy train: {:.6f} ({}/{})\n", train.accuracy(),
             train.correct, train.count);
  fmt::print("Accuracy val: {:.6f} ({}/{})\n", val.accuracy(), val.correct,
             val.count);
  if (trainedImages_)
    fmt::print("time: {:.3f} s training ({:.0f} images/s)\n", trainSeconds_,
               trainSeconds_ > 0 ? double(trainedImages_) / trainSeconds_
                                 : 0.0);
  if (savedEpoch >= 0)
    fmt::print("saved: {} (after epoch {}, step {})\n", plan_.flags.save,
               savedEpoch, stepsRun);
}

void TrainReport::stepFailed(const std::string &why, std::int64_t epoch,
                             std::int64_t batch, const std::string &kept) {
  progress_.clear();
  fail("{}: at epoch {}, batch {} of {}: training stopped; {}", why, epoch,
       batch, plan_.batchesPerEpoch, kept);
}

void TrainReport::lossNotFinite(const StepLoss &loss, std::int64_t epoch,
                                std::int64_t batch, std::int64_t step,
                                const std::string &kept) {
  progress_.clear();
  fail("the training loss is {} (cross-entropy {}, penalty {}) at epoch {}, "
       "batch {} of {} (global step {}, counted from 0): training stopped, "
       "the weights are no longer usable; {} (a smaller --lr may help)",
       loss.total(), loss.crossEntropy, loss.penalty, epoch, batch,
       plan_.batchesPerEpoch, step, kept);
}

void TrainReport::weightsNotFinite(const std::string &tensor,
                                   std::int64_t epoch, std::int64_t step,
                                   const std::string &kept) {
  progress_.clear();
  fail("'{}' holds a NaN or infinity after epoch {} (step {}): training "
       "stopped, the weights are no longer usable; {} (a smaller --lr may "
       "help)",
       tensor, epoch, step, kept);
}

int TrainReport::interrupted(int signal, const std::string &where,
                             const std::string &kept,
                             const std::string &resume) {
  progress_.clear();
  std::fflush(stdout);
  std::string text = fmt::format("{}: train interrupted by {} {}: {}",
                                 plan_.program, StopSignals::name(signal),
                                 where, kept);
  if (!resume.empty())
    text += "; to resume: " + resume;
  std::fputs((text + "\n").c_str(), stderr);
  return 128 + signal;
}

} // namespace cnnrt::cli
