//===- BenchCommand.cpp - `bench`: inference timing -----------------------===//

#include "Commands.h"
#include "CudaTraining.h"
#include "Device.h"
#include "Model.h"
#include "Options.h"
#include "StepBuffers.h"
#include "Timing.h"
#include "TrainOptions.h"

#include "cnnrt/Error.h"

#include <fmt/format.h>

#include <memory>
#include <random>
#include <vector>

namespace cnnrt::cli {

namespace {

/// Warm-up runs when --warmup is not given: this many, and for at least
/// kMinWarmupSeconds. A process's OpenMP threads can start out on one core
/// and stay there for its first tens of milliseconds: of 14 short `bench`
/// runs of a 0.33 ms forward pass on two threads, 3 timed 0.71 ms (both
/// threads on one vCPU); after 0.1 s of warm-up, none did.
constexpr std::int64_t kDefaultWarmupRuns = 5;
constexpr double kMinWarmupSeconds = 0.2;

/// Runs `run` untimed: `runs` times where --warmup gave it, else the
/// default; returns how many times it ran.
template <typename Run>
std::int64_t warmUp(Run &&run, std::int64_t runs, bool given) {
  Stopwatch clock;
  std::int64_t done = 0;
  while (done < runs || (!given && clock.seconds() < kMinWarmupSeconds))
    run(), ++done;
  return done;
}

/// `bench --train`: the compiled training step on one random batch (labels
/// uniform over the classes), with the model's train { } hyperparameters.
/// The weights change from run to run, as in training. On the GPU the
/// batch is a data set of its own, and a step is timed until its loss is
/// back on the host (as `train` waits for it).
int benchTrain(Model &model, std::int64_t batchSize, std::int64_t runs,
               std::int64_t warmup, bool warmupGiven, std::uint64_t seed,
               const std::string &weightText, std::string threadText,
               bool onGpu) {
  std::int64_t size = model.sampleSize(), k = model.numClasses();
  StepBuffers buffers(model, batchSize);
  float *x = buffers.images();
  std::int32_t *y = buffers.labels();
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  for (std::int64_t i = 0; i < batchSize * size; ++i)
    x[i] = normal(rng);
  std::uniform_int_distribution<std::int32_t> label(0, std::int32_t(k - 1));
  for (std::int64_t i = 0; i < batchSize; ++i)
    y[i] = label(rng);
  SgdParams sgd = defaultSgd(model);
  std::int64_t step = 0;
  std::unique_ptr<CudaTraining> gpu;
  std::vector<std::int64_t> all(static_cast<std::size_t>(batchSize));
  if (onGpu) {
    gpu = std::make_unique<CudaTraining>(model);
    gpu->setData(x, y, batchSize);
    for (std::int64_t i = 0; i < batchSize; ++i)
      all[std::size_t(i)] = i;
    threadText = gpu->forward().description();
  }
  auto run = [&] {
    if (gpu) {
      gpu->step(all.data(), batchSize, sgd, step == 0, seed, step);
      gpu->loss();
    } else {
      buffers.step(model, batchSize, sgd, step == 0, seed, step);
    }
    ++step;
  };
  warmup = warmUp(run, warmup, warmupGiven);
  std::vector<double> ms;
  for (std::int64_t i = 0; i < runs; ++i) {
    Stopwatch clock;
    run();
    ms.push_back(clock.seconds() * 1e3);
  }
  TimingSummary t = summarize(ms);
  fmt::print("model: {}\n", model.name());
  fmt::print("weights: {}\n", weightText);
  fmt::print("training step: {}\n", sgdSummary(sgd));
  fmt::print("batch size {}, {} runs after {} warm-up, {}\n", batchSize, runs,
             warmup, threadText);
  fmt::print("ms per training step: median {:.4f} min {:.4f} max {:.4f}\n",
             t.median, t.min, t.max);
  double perSecond = t.median > 0 ? 1e3 / t.median : 0;
  fmt::print("images/s: {:.0f} (median)\n", double(batchSize) * perSecond);
  return 0;
}

} // namespace

int runBench(const CommandContext &ctx, const Args &args) {
  Model model(ctx.model);
  WeightOptions weights;
  std::int64_t batchSize = 0, threads = 0, runs = 50,
               warmup = kDefaultWarmupRuns;
  bool train = false;
  std::string device;
  CommandLine cl(ctx.program, "bench",
                 "Times the eval-mode forward pass on one batch of random "
                 "inputs (standard normal, like normalised images): the "
                 "median, min and max wall-clock time per batch over the "
                 "runs that follow the warm-up runs. With --train, times the "
                 "training step instead (forward, loss, backward, SGD "
                 "update, with the model's train { } settings) on random "
                 "inputs and labels.");
  addWeightOptions(cl, weights, model);
  addBatchSizeOption(cl, batchSize, 64);
  cl.integer("runs", "N", "timed runs (default 50)", runs, 1, 1000000);
  cl.integer("warmup", "N",
             fmt::format("untimed runs first (default: {}, and for at least "
                         "{} s)",
                         kDefaultWarmupRuns, kMinWarmupSeconds),
             warmup, 0, 1000000);
  addThreadsOption(cl, threads);
  cl.flag("train", "time the training step instead of the forward pass",
          train);
  addDeviceOption(cl, device);
  if (!cl.parse(args))
    return 0;
  if (train)
    model.requireTraining("bench --train");

  std::string threadText = applyThreads(threads);
  std::string weightText = prepareWeights(model, weights);
  if (train)
    return benchTrain(model, batchSize, runs, warmup, cl.given("warmup"),
                      weights.seed, weightText, threadText,
                      trainDevice(ctx.program, model, device) == "cuda");
  std::unique_ptr<Forward> forward =
      makeForward(ctx.program, model, device, threadText);
  std::int64_t size = model.sampleSize(), k = model.numClasses();
  AlignedBuffer images(std::size_t(batchSize * size) * sizeof(float),
                       "the images of a batch");
  AlignedBuffer logits(std::size_t(batchSize * k) * sizeof(float),
                       "the logits of a batch");
  auto *x = reinterpret_cast<float *>(images.data());
  auto *y = reinterpret_cast<float *>(logits.data());
  std::mt19937_64 rng(weights.seed);
  std::normal_distribution<float> normal;
  for (std::int64_t i = 0; i < batchSize * size; ++i)
    x[i] = normal(rng);

  warmup = warmUp([&] { forward->run(x, batchSize, y); }, warmup,
                  cl.given("warmup"));
  std::vector<double> ms;
  for (std::int64_t i = 0; i < runs; ++i) {
    Stopwatch clock;
    forward->run(x, batchSize, y);
    ms.push_back(clock.seconds() * 1e3);
  }
  TimingSummary t = summarize(ms);

  fmt::print("model: {}\n", model.name());
  fmt::print("weights: {}\n", weightText);
  fmt::print("batch size {}, {} runs after {} warm-up, {}\n", batchSize, runs,
             warmup, forward->description());
  fmt::print("ms per batch: median {:.4f} min {:.4f} max {:.4f}\n", t.median,
             t.min, t.max);
  double perSecond = t.median > 0 ? 1e3 / t.median : 0;
  fmt::print("images/s: {:.0f} (median)\n", double(batchSize) * perSecond);
  fmt::print("GFLOP/s: {:.3f} (median, {} FLOPs per sample)\n",
             double(model.desc().flops_per_sample) * double(batchSize) *
                 perSecond * 1e-9,
             model.desc().flops_per_sample);
  return 0;
}

} // namespace cnnrt::cli
