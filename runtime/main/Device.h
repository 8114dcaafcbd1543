//===- Device.h - --device: where the eval-mode forward runs -----*- C++ -*-===//
//
// eval, infer and bench run the model's eval-mode forward through a Forward:
// on the CPU (the model's forward, OpenMP threads) or, for a model compiled
// with --target=cuda, on an NVIDIA GPU (CudaDevice.h). `--device cpu|cuda`
// chooses; without it a model with GPU code runs on the GPU when this
// machine has a CUDA driver and a GPU that can run it, else on the CPU with
// a one-line note on stderr saying why. train, train-step and bench
// --train choose alike for the training step (trainDevice).
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_DEVICE_H
#define CNNRT_MAIN_DEVICE_H

#include "CommandLine.h"
#include "Model.h"

#include <cstdint>
#include <memory>
#include <string>

namespace cnnrt::cli {

/// The eval-mode forward on some device, with the model's weights as they
/// were when it was made.
class Forward {
public:
  explicit Forward(Model &model) : model_(model) {}
  virtual ~Forward() = default;
  Model &model() { return model_; }
  /// n samples: `input` [n, C, H, W], `logits` [n, K], host buffers,
  /// 64-byte aligned.
  virtual void run(const float *input, std::int64_t n, float *logits) = 0;
  /// Where it runs, for the commands' output: "1 thread", "CUDA device 0:
  /// NVIDIA H200 (sm_90)".
  virtual std::string description() const = 0;

private:
  Model &model_;
};

/// The model's own forward on this CPU.
class CpuForward : public Forward {
public:
  CpuForward(Model &model, std::string threadText)
      : Forward(model), threadText_(std::move(threadText)) {}
  void run(const float *input, std::int64_t n, float *logits) override {
    model().forward(input, n, logits);
  }
  std::string description() const override { return threadText_; }

private:
  std::string threadText_;
};

/// --device cpu|cuda; "" when not given.
void addDeviceOption(CommandLine &cl, std::string &device);

/// The forward on the device `device` names ("" for the default), made
/// after the weights are loaded or initialised (a GPU gets a copy).
/// `threadText` describes the CPU's threads (applyThreads). Throws Error
/// when `--device cuda` cannot run: no GPU code, no driver, no GPU.
std::unique_ptr<Forward> makeForward(const std::string &program, Model &model,
                                     const std::string &device,
                                     const std::string &threadText);

/// Where `train`, `train-step` and `bench --train` run the training steps:
/// "cpu" or "cuda", as makeForward decides for the forward but on the
/// model's GPU training code (train_step_cuda). `dataParallel`: a run of
/// several replicas (mpirun), whose GPUs also need NCCL (NcclSums.h). The
/// default's note goes to stderr when `note`. Throws Error when `--device
/// cuda` cannot run.
std::string trainDevice(const std::string &program, const Model &model,
                        const std::string &device, bool dataParallel = false,
                        bool note = true);

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_DEVICE_H
