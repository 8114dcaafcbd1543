//===- FixedShards.cpp - Training that does not depend on the rank count --===//

#include "FixedShards.h"

#include "cnnrt/model_abi.h"

#include <cstring>

namespace cnnrt::cli {

FixedShards::FixedShards(Model &model, std::int64_t shards,
                         std::int64_t batchSize, const Replicas &replicas)
    : shards_(shards), first_(shards / replicas.size() * replicas.rank()),
      replicas_(replicas), fibers_(int(shards / replicas.size())) {
  int hosted = fibers_.count();
  // A shard has at most ceil(batch / shards) samples.
  std::int64_t capacity = (batchSize + shards - 1) / shards;
  models_.push_back(&model);
  for (int j = 1; j < hosted; ++j) {
    copies_.push_back(std::make_unique<Model>(model.desc()));
    std::memcpy(copies_.back()->arena().base(), model.arena().base(),
                std::size_t(model.desc().train_arena_bytes));
    models_.push_back(copies_.back().get());
  }
  for (int j = 0; j < hosted; ++j)
    buffers_.push_back(std::make_unique<StepBuffers>(model, capacity));
  pending_.assign(std::size_t(hosted), nullptr);
  cnnrt_set_replica_sum(&FixedShards::hook, this);
}

FixedShards::~FixedShards() { replicas_.hookStepSums(); }

StepLoss FixedShards::run(const std::function<StepLoss(int)> &step) {
  std::vector<StepLoss> losses(static_cast<std::size_t>(local()));
  fibers_.run([&](int j) { losses[std::size_t(j)] = step(j); });
  return losses[0];
}

void FixedShards::hook(void *data, std::int64_t count, std::int32_t dtype,
                       void *context) {
  auto *self = static_cast<FixedShards *>(context);
  int j = self->fibers_.current();
  self->pending_[std::size_t(j)] = data;
  // The last hosted shard to arrive does the sum for all; each then
  // continues in turn.
  if (j + 1 == self->local()) {
    if (dtype == CNNRT_F64)
      self->combine<double>(count);
    else
      self->combine<float>(count);
  }
  self->fibers_.yieldToNext();
}

template <typename T> void FixedShards::combine(std::int64_t count) {
  std::size_t bytes = std::size_t(count) * sizeof(T);
  std::size_t hosted = pending_.size();
  mine_.resize(bytes * hosted);
  all_.resize(bytes * std::size_t(shards_));
  for (std::size_t j = 0; j < hosted; ++j)
    std::memcpy(mine_.data() + j * bytes, pending_[j], bytes);
  replicas_.allgather(mine_.data(), std::int64_t(bytes * hosted), all_.data());
  // Shard order, left to right: the same additions for every rank count.
  auto *total = reinterpret_cast<T *>(all_.data());
  for (std::int64_t s = 1; s < shards_; ++s) {
    const T *part = total + s * count;
    for (std::int64_t i = 0; i < count; ++i)
      total[i] += part[i];
  }
  for (void *p : pending_)
    std::memcpy(p, total, bytes);
}

} // namespace cnnrt::cli
