//===- FixedShards.h - Training that does not depend on the rank count -*- C++ -*-===//
//
// `train --shards S` splits every global batch of n samples into S fixed
// shards, [n·s/S, n·(s+1)/S) for s < S, whatever the number of processes
// R (which must divide S): each process hosts S/R consecutive shards and
// runs one compiled train_step per shard, taking turns on its thread
// (Fibers.h). Where a step sums over the batch (batchnorm's statistics,
// the gradients, the loss), every shard's partial sum is gathered on every
// process, and the S partials are added in shard order. So the additions
// are associated the same way for 1, 2 or 4 processes of a run with
// --shards 4: their checkpoints are bit-identical, where the rank-ordered
// sums of an unsharded run differ in the last bits (enough for batchnorm
// networks to drift apart by 1e-4 over a few hundred steps).
//
// Each hosted shard has its own copy of the model's arena: the compiled
// step updates the weights in place once its sums are in, and the copies
// stay bit-identical (the Trainer checks the first's, which it saves).
// The price: S/R copies of the arena and of the step's buffers per
// process, S partials exchanged instead of one sum, and the kernels' work
// cut into smaller batches.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_FIXEDSHARDS_H
#define CNNRT_MAIN_FIXEDSHARDS_H

#include "Fibers.h"
#include "Model.h"
#include "Replicas.h"
#include "StepBuffers.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace cnnrt::cli {

class FixedShards {
public:
  /// The most shards a run may have.
  static constexpr std::int64_t kMaxShards = 64;

  /// This process's shards of `shards` (a multiple of replicas.size()),
  /// with copies of `model`'s arena as it is now, and step buffers for
  /// batches of up to `batchSize`. Hooks the compiled steps' sums up.
  FixedShards(Model &model, std::int64_t shards, std::int64_t batchSize,
              const Replicas &replicas);
  /// Gives the sums back to the Replicas.
  ~FixedShards();
  FixedShards(const FixedShards &) = delete;
  FixedShards &operator=(const FixedShards &) = delete;

  /// The shards this process hosts, and the first one's index.
  int local() const { return int(models_.size()); }
  std::int64_t first() const { return first_; }
  /// Where shard s of a batch of n starts, and its samples.
  std::int64_t offset(std::int64_t s, std::int64_t n) const {
    return n * s / shards_;
  }
  std::int64_t size(std::int64_t s, std::int64_t n) const {
    return offset(s + 1, n) - offset(s, n);
  }
  /// Hosted shard j's step buffers and model (j = 0 is the Trainer's).
  StepBuffers &buffers(int j) { return *buffers_[std::size_t(j)]; }
  Model &model(int j) { return *models_[std::size_t(j)]; }
  /// Runs step(j) for every hosted shard j, each taking its turn at the
  /// sums; returns hosted shard 0's result.
  StepLoss run(const std::function<StepLoss(int)> &step);

private:
  static void hook(void *data, std::int64_t count, std::int32_t dtype,
                   void *context);
  /// The hosted shards' partials of one sum are in pending_: gathers all
  /// shards', adds them in shard order, and writes the total back to each.
  template <typename T> void combine(std::int64_t count);

  std::int64_t shards_, first_;
  const Replicas &replicas_;
  std::vector<Model *> models_;
  std::vector<std::unique_ptr<Model>> copies_;
  std::vector<std::unique_ptr<StepBuffers>> buffers_;
  Fibers fibers_;
  std::vector<void *> pending_;     ///< each hosted shard's buffer of a sum
  std::vector<unsigned char> mine_, all_; ///< the exchange's buffers
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_FIXEDSHARDS_H
