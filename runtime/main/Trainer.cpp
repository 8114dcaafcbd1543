//===- Trainer.cpp - `train`'s loop: epochs of compiled steps -------------===//

#include "Trainer.h"

#include "DropoutMasks.h"
#include "Evaluate.h"
#include "Timing.h"

#include "cnnrt/Batching.h"
#include "cnnrt/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstring>

namespace cnnrt::cli {

namespace {

/// The first tensor of the model's state that holds a NaN or infinity, or
/// "" if all are finite. A finite loss does not rule one out: a step can
/// overflow a weight that the next loss has not seen yet.
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

/// FNV-1a of the arena: weights, buffers, gradients, momentum.
std::uint64_t arenaHash(const Model &model) {
  const std::uint8_t *p = model.arena().base();
  std::uint64_t h = 14695981039346656037ull;
  for (std::int64_t i = 0; i < model.desc().train_arena_bytes; ++i)
    h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

/// `failure` again, as this replica's alone (ReplicaFailure) under mpirun.
[[noreturn]] void rethrowAlone(const Replicas &replicas,
                               const Error &failure) {
  if (replicas.several())
    throw ReplicaFailure(failure.what());
  throw failure;
}

} // namespace

Trainer::Trainer(Model &model, const TrainPlan &plan,
                 const Replicas &replicas)
    : model_(model), plan_(plan), replicas_(replicas), state_(plan.start),
      labels_(std::size_t(plan.flags.batchSize), 0),
      checkpoints_(replicas.leader() ? plan.flags.save : "",
                   checkpointMetadata(model, plan.flags)),
      report_(plan, replicas.leader()) {}

int Trainer::run() {
  const TrainFlags &f = plan_.flags;
  report_.describe(model_);
  StepBuffers buffers(model_, f.batchSize);
  if (plan_.gpu) {
    try {
      gpu_ = std::make_unique<CudaTraining>(model_, &replicas_);
      gpu_->setData(plan_.data.train);
    } catch (const Error &e) {
      rethrowAlone(replicas_, e);
    }
  }
  if (f.shards)
    shards_ = std::make_unique<FixedShards>(model_, f.shards, f.batchSize,
                                            replicas_);
  if (state_.epoch >= f.epochs)
    report_.nothingToTrain();
  {
    // Only while training: afterwards everything is saved, and a signal
    // may end the final evaluation as it would any program.
    StopSignals signals;
    for (std::int64_t epoch = state_.epoch; epoch < f.epochs; ++epoch) {
      std::int64_t batches = trainEpoch(epoch, buffers, signals);
      if (batches < plan_.batchesPerEpoch)
        return stop(stopSignal(signals),
                    fmt::format("in epoch {}, after batch {} of {}",
                                epoch + 1, batches, plan_.batchesPerEpoch));
      if (int signal = stopSignal(signals))
        return stop(signal, fmt::format("after epoch {}", epoch + 1));
    }
  }
  if (!evaluated_)
    evaluateSplits();
  report_.finish(trainMetrics_, valMetrics_, checkpoints_.savedEpoch(),
                 state_.step);
  return 0;
}

std::int64_t Trainer::trainEpoch(std::int64_t epoch, StepBuffers &buffers,
                                 const StopSignals &signals) {
  const TrainFlags &f = plan_.flags;
  const Dataset &train = plan_.data.train;
  std::int64_t nb = plan_.batchesPerEpoch;
  std::vector<std::int64_t> order =
      epochPermutation(train.count, f.seed, std::uint32_t(epoch));
  report_.startEpoch(epoch + 1);
  Stopwatch clock;
  double lossSum = 0;
  std::int64_t images = 0;
  for (std::int64_t b = 0; b < nb; ++b) {
    std::int64_t n = 0, local = 0, offset = -1;
    StepLoss loss;
    if (gpu_) {
      std::int64_t first = b * f.batchSize;
      n = local = std::min(f.batchSize, train.count - first);
      offset = 0;
      const float *masks = nullptr;
      if (replicas_.several()) {
        // This replica's shard, with the masks the whole batch would give
        // it (the plan leaves every replica at least one sample).
        std::int64_t r = replicas_.rank(), size = replicas_.size();
        offset = n * r / size;
        local = n * (r + 1) / size - offset;
        if (model_.desc().mask_elems_per_sample > 0) {
          shardMasks_.resize(std::size_t(model_.maskFloats(local)));
          shardDropoutMasks(model_, offset, local, f.seed, state_.step,
                            shardMasks_.data());
          masks = shardMasks_.data();
        }
      }
      try {
        gpu_->step(order.data() + first + offset, local, f.sgd,
                   state_.firstStep, f.seed, state_.step, masks);
        loss = gpu_->loss();
      } catch (const Error &e) {
        try {
          report_.stepFailed(e.what(), epoch + 1, b + 1, keptText());
        } catch (const Error &stopped) {
          rethrowAlone(replicas_, stopped);
        }
      }
    } else if (shards_) {
      n = std::min(f.batchSize, train.count - b * f.batchSize);
      loss = shardedStep(order.data() + b * f.batchSize, n);
    } else if (replicas_.several()) {
      // This replica's shard of the global batch.
      std::int64_t first = b * f.batchSize;
      n = std::min(f.batchSize, train.count - first);
      std::int64_t r = replicas_.rank(), size = replicas_.size();
      offset = n * r / size;
      local = n * (r + 1) / size - offset;
      shard_.assign(order.begin() + first + offset,
                    order.begin() + first + offset + local);
      if (local)
        gatherBatch(train, shard_, 0, local, buffers.images(), labels_.data());
    } else {
      n = local = gatherBatch(train, order, b, f.batchSize, buffers.images(),
                              labels_.data());
    }
    if (!gpu_ && !shards_) {
      for (std::int64_t i = 0; i < local; ++i)
        buffers.labels()[i] = std::int32_t(labels_[std::size_t(i)]);
      loss = buffers.step(model_, local, f.sgd, state_.firstStep, f.seed,
                          state_.step, offset);
    }
    double total = loss.total();
    if (!std::isfinite(total))
      report_.lossNotFinite(loss, epoch + 1, b + 1, state_.step,
                            checkpoints_.keptText());
    state_.firstStep = false;
    ++state_.step;
    lossSum += total;
    images += n;
    report_.stepDone(epoch + 1, b + 1, total, lossSum / double(b + 1), images,
                     clock.seconds(), state_.step);
    // The last batch's signal waits for the epoch's checkpoint.
    if (stopSignal(signals) && b + 1 < nb)
      return b + 1;
  }
  // The lecture's epoch loss: the mean of the batch losses.
  endEpoch(epoch, lossSum / double(nb), images, clock.seconds());
  return nb;
}

std::string Trainer::keptText() const {
  if (replicas_.leader() || plan_.flags.save.empty())
    return checkpoints_.keptText();
  return fmt::format("{} is as rank 0 last saved it", plan_.flags.save);
}

StepLoss Trainer::shardedStep(const std::int64_t *batch, std::int64_t n) {
  const TrainFlags &f = plan_.flags;
  FixedShards &shards = *shards_;
  std::vector<std::int64_t> offsets, sizes;
  for (int j = 0; j < shards.local(); ++j) {
    std::int64_t s = shards.first() + j;
    offsets.push_back(shards.offset(s, n));
    sizes.push_back(shards.size(s, n));
    StepBuffers &buffers = shards.buffers(j);
    std::int64_t m = sizes.back();
    shard_.assign(batch + offsets.back(), batch + offsets.back() + m);
    if (m)
      gatherBatch(plan_.data.train, shard_, 0, m, buffers.images(),
                  labels_.data());
    for (std::int64_t i = 0; i < m; ++i)
      buffers.labels()[i] = std::int32_t(labels_[std::size_t(i)]);
  }
  return shards.run([&](int j) {
    return shards.buffers(j).step(shards.model(j), sizes[std::size_t(j)],
                                  f.sgd, state_.firstStep, f.seed,
                                  state_.step, offsets[std::size_t(j)]);
  });
}

void Trainer::endEpoch(std::int64_t epoch, double loss, std::int64_t images,
                       double seconds) {
  if (gpu_)
    gpu_->toHost();
  std::string bad = firstNonFinite(model_);
  if (!bad.empty())
    report_.weightsNotFinite(bad, epoch + 1, state_.step,
                             checkpoints_.keptText());
  checkReplicasAgree(epoch + 1);
  state_.epoch = epoch + 1;
  EpochRecord record;
  record.epoch = epoch + 1;
  record.step = state_.step;
  record.loss = loss;
  record.seconds = seconds;
  bool withAccuracy = report_.wantsEpochAccuracy();
  if (withAccuracy) {
    evaluateSplits();
    record.trainAccuracy = trainMetrics_.accuracy();
    record.valAccuracy = valMetrics_.accuracy();
    record.valLoss = valMetrics_.meanLoss();
  }
  report_.epochDone(record, images, withAccuracy);
  if (checkpoints_.enabled())
    checkpoints_.save(model_, state_, record.loss);
  report_.logEpoch(record);
}

int Trainer::stop(int signal, const std::string &where) {
  // Resume from this run's last checkpoint, else from the one it resumed.
  const TrainFlags &f = plan_.flags;
  std::string from = checkpoints_.savedEpoch() >= 0 ? f.save : f.resume;
  return report_.interrupted(signal, where, checkpoints_.keptText(),
                             from.empty() ? "" : plan_.resumeCommand(from));
}

void Trainer::evaluateSplits() {
  // Each replica its share of the batches, then the sums.
  int part = replicas_.rank(), parts = replicas_.size();
  for (auto [metrics, data] :
       {std::pair{&trainMetrics_, &plan_.data.train},
        std::pair{&valMetrics_, &plan_.data.test}}) {
    *metrics = gpu_ ? evaluate(gpu_->forward(), *data, plan_.flags.batchSize,
                               part, parts)
                    : evaluate(model_, *data, plan_.flags.batchSize, part,
                               parts);
    std::int64_t counts[2] = {metrics->count, metrics->correct};
    replicas_.sum(counts, 2);
    replicas_.sum(&metrics->lossSum, 1);
    metrics->count = counts[0];
    metrics->correct = counts[1];
  }
  evaluated_ = true;
}

int Trainer::stopSignal(const StopSignals &signals) const {
  int mine = signals.received();
  if (!replicas_.several())
    return mine;
  std::int64_t any = mine ? 1 : 0;
  replicas_.sum(&any, 1);
  return mine ? mine : any ? SIGTERM : 0;
}

void Trainer::checkReplicasAgree(std::int64_t epoch) const {
  for (int j = 1; shards_ && j < shards_->local(); ++j)
    if (std::memcmp(shards_->model(j).arena().base(), model_.arena().base(),
                    std::size_t(model_.desc().train_arena_bytes)) != 0)
      fail("after epoch {} the weights of shard {} differ from shard {}'s "
           "(internal error)",
           epoch, shards_->first() + j, shards_->first());
  if (!replicas_.several())
    return;
  std::vector<std::string> hashes =
      replicas_.gather(fmt::format("{:016x}", arenaHash(model_)));
  for (int r = 1; r < replicas_.size(); ++r)
    if (hashes[std::size_t(r)] != hashes[0])
      fail("after epoch {} the weights of rank {} differ from rank 0's: the "
           "replicas' sums were not the same on every rank (internal error)",
           epoch, r);
}

} // namespace cnnrt::cli
