//===- CudaTraining.h - `train`'s steps on an NVIDIA GPU ---------*- C++ -*-===//
//
// The CUDA side of the training commands' --device (Device.h): the model's
// train_step_cuda through cnnrt/CudaTrainStep.h, on device 0 (under
// mpirun, each rank on its machine's local rank-th device, the replicas'
// sums by NCCL: NcclSums.h), in the terms
// the commands use (a Model's arena, a Dataset, SgdParams, StepLoss). The
// device holds the training state between steps; toHost() brings it back
// into the model's arena before anything on the host reads it (the weights
// check, a checkpoint, train-step's output).
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_CUDATRAINING_H
#define CNNRT_MAIN_CUDATRAINING_H

#include "Device.h"
#include "Model.h"
#include "NcclSums.h"
#include "Replicas.h"

#include "cnnrt/Dataset.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cnnrt::cuda {
class CudaTrainStep;
}

namespace cnnrt::cli {

/// Why the model's training step cannot run on a GPU here, or "".
std::string cudaTrainingUnavailable(const Model &model);

/// "CUDA device 0: NVIDIA H200 (sm_90)", as the forward describes it.
std::string cudaDeviceText(int ordinal = 0);

/// The device this replica trains on: 0 alone; under mpirun the machine's
/// local rank-th, or where the launcher gave each rank GPUs of its own
/// (CUDA_VISIBLE_DEVICES set, fewer devices visible than ranks on the
/// machine) the local rank modulo those it sees (NCCL refuses two ranks on
/// one GPU). Throws UsageError when the machine has too few GPUs for its
/// ranks. Requires a driver.
int cudaTrainingDevice(const Replicas &replicas);

class CudaTraining {
public:
  /// Device cudaTrainingDevice(replicas), with several replicas joined to
  /// the others by NCCL (collective); the model's whole arena
  /// (weights, buffers, gradients, momentum) copied to it. Requires
  /// cudaTrainingUnavailable to be "", and ncclUnavailable with several.
  explicit CudaTraining(Model &model, const Replicas *replicas = nullptr);
  ~CudaTraining();
  CudaTraining(const CudaTraining &) = delete;
  CudaTraining &operator=(const CudaTraining &) = delete;

  /// The data set the steps draw from (normalised images), copied once.
  void setData(const Dataset &data);
  void setData(const float *images, const std::int32_t *labels,
               std::int64_t count);

  /// One step on the data set's samples `indices` [n] (train_step's
  /// arguments otherwise); `givenMasks`, when not null, are used instead
  /// of generated masks. Enqueued: loss() waits for it.
  void step(const std::int64_t *indices, std::int64_t n, const SgdParams &sgd,
            bool firstStep, std::uint64_t seed, std::int64_t step,
            const float *givenMasks = nullptr);
  StepLoss loss();
  /// The last step's logits [n, K] and masks, into host buffers.
  void logits(float *out);
  void masks(float *out);

  /// The device's training state into the model's arena.
  void toHost();
  /// The eval-mode forward on the device's current weights.
  Forward &forward() { return *forward_; }

private:
  Model &model_;
  std::unique_ptr<cuda::CudaTrainStep> gpu_;
  std::unique_ptr<NcclSums> sums_; ///< with several replicas
  std::unique_ptr<Forward> forward_;
  std::vector<std::int32_t> indices_;
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_CUDATRAINING_H
