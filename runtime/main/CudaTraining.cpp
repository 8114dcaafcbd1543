//===- CudaTraining.cpp - `train`'s steps on an NVIDIA GPU ----------------===//

#include "CudaTraining.h"

#include "CommandLine.h"

#include "cnnrt/CudaDriver.h"
#include "cnnrt/CudaTrainStep.h"
#include "cnnrt/Error.h"

#include <fmt/format.h>

#include <cstdlib>

namespace cnnrt::cli {

namespace {

const cuda::Driver &driver() {
  std::string why;
  const cuda::Driver *d = cuda::Driver::get(why);
  if (!d)
    fail("internal error: no CUDA driver: {}", why);
  return *d;
}

std::string describe(const cuda::DeviceInfo &d) {
  return fmt::format("CUDA device {}: {} ({})", d.ordinal, d.name, d.arch());
}

/// The training session's forward, as the commands' Forward.
class TrainingForward : public Forward {
public:
  TrainingForward(Model &model, cuda::CudaTrainStep &gpu)
      : Forward(model), gpu_(gpu) {}
  void run(const float *input, std::int64_t n, float *logits) override {
    gpu_.forward().forward(input, n, logits);
  }
  std::string description() const override { return describe(gpu_.device()); }

private:
  cuda::CudaTrainStep &gpu_;
};

} // namespace

std::string cudaTrainingUnavailable(const Model &model) {
  return cuda::trainingUnavailable(model.desc());
}

std::string cudaDeviceText(int ordinal) {
  return describe(driver().device(ordinal));
}

int cudaTrainingDevice(const Replicas &replicas) {
  if (!replicas.several())
    return 0;
  int devices = driver().deviceCount();
  if (replicas.localSize() <= devices)
    return replicas.localRank();
  const char *visible = std::getenv("CUDA_VISIBLE_DEVICES");
  if (visible && *visible && devices > 0)
    return replicas.localRank() % devices;
  throw UsageError(fmt::format(
      "--device cuda under mpirun: {} ranks share this machine, which has {} "
      "GPU{}; each rank trains on a GPU of its own (start at most {} ranks "
      "per machine, e.g. mpirun --npernode {}, or give each rank its GPUs "
      "with CUDA_VISIBLE_DEVICES)",
      replicas.localSize(), devices, devices == 1 ? "" : "s", devices,
      devices));
}

CudaTraining::CudaTraining(Model &model, const Replicas *replicas)
    : model_(model),
      gpu_(std::make_unique<cuda::CudaTrainStep>(
          driver(), model.desc(), replicas ? cudaTrainingDevice(*replicas) : 0)),
      forward_(std::make_unique<TrainingForward>(model, *gpu_)) {
  if (replicas && replicas->several())
    sums_ = std::make_unique<NcclSums>(*replicas, gpu_->device().ordinal,
                                       gpu_->stream());
  gpu_->uploadArena(model.arena().base());
}

CudaTraining::~CudaTraining() = default;

void CudaTraining::setData(const Dataset &data) {
  std::vector<std::int32_t> labels(data.labels.begin(), data.labels.end());
  setData(data.images.data(), labels.data(), data.count);
}

void CudaTraining::setData(const float *images, const std::int32_t *labels,
                           std::int64_t count) {
  gpu_->uploadData(images, labels, count);
}

void CudaTraining::step(const std::int64_t *indices, std::int64_t n,
                        const SgdParams &sgd, bool firstStep,
                        std::uint64_t seed, std::int64_t step,
                        const float *givenMasks) {
  indices_.assign(indices, indices + n);
  // train_step's scalar arguments, converted as Model::trainStep does.
  cnnrt_train_scalars s{};
  s.lr = float(sgd.lr);
  s.momentum = float(sgd.momentum);
  s.dampening = float(sgd.dampening);
  s.weight_decay = float(sgd.weightDecay);
  s.l2 = float(sgd.l2);
  s.l1 = float(sgd.l1);
  s.nesterov = sgd.nesterov;
  s.first_step = firstStep;
  s.masks_given = givenMasks != nullptr;
  s.seed = static_cast<std::int64_t>(seed);
  s.step = step;
  gpu_->step(indices_.data(), n, s, givenMasks);
  if (sums_)
    sums_->check();
}

StepLoss CudaTraining::loss() {
  std::array<float, 2> l = gpu_->loss();
  return {l[0], l[1]};
}

void CudaTraining::logits(float *out) { gpu_->downloadLogits(out); }

void CudaTraining::masks(float *out) { gpu_->downloadMasks(out); }

void CudaTraining::toHost() { gpu_->downloadArena(model_.arena().base()); }

} // namespace cnnrt::cli
