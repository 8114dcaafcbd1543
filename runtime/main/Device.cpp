//===- Device.cpp - --device: where the eval-mode forward runs ------------===//

#include "Device.h"

#include "CudaDevice.h"
#include "CudaTraining.h"
#include "NcclSums.h"

#include "cnnrt/Error.h"

#include <fmt/format.h>

#include <cstdio>

namespace cnnrt::cli {

void addDeviceOption(CommandLine &cl, std::string &device) {
  cl.choice("device", "cpu|cuda",
            "where the model runs: 'cuda' needs a model compiled with "
            "--target=cuda, an NVIDIA driver and GPU (default: cuda when "
            "all are there, else cpu)",
            device, {"cpu", "cuda"});
}

std::unique_ptr<Forward> makeForward(const std::string &program, Model &model,
                                     const std::string &device,
                                     const std::string &threadText) {
  if (device == "cpu")
    return std::make_unique<CpuForward>(model, threadText);
  if (device == "cuda") {
    std::string why = cudaUnavailable(model);
    if (!why.empty())
      fail("--device cuda: {}", why);
    return makeCudaForward(model);
  }
  // The default: the GPU when the model has code for it and it can run.
  if (!model.desc().forward_cuda)
    return std::make_unique<CpuForward>(model, threadText);
  std::string why = cudaUnavailable(model);
  if (why.empty()) {
    try {
      return makeCudaForward(model);
    } catch (const Error &e) {
      // Not asked for: say how to do without it.
      fail("{} (--device cpu runs the model on the CPU)", e.what());
    }
  }
  std::fflush(stdout);
  std::fprintf(stderr, "%s: note: %s: running on the CPU\n", program.c_str(),
               why.c_str());
  return std::make_unique<CpuForward>(model, threadText);
}

std::string trainDevice(const std::string &program, const Model &model,
                        const std::string &device, bool dataParallel,
                        bool note) {
  if (device == "cpu")
    return "cpu";
  std::string why = cudaTrainingUnavailable(model);
  // The GPUs of a data-parallel run sum with NCCL.
  if (why.empty() && dataParallel) {
    why = ncclUnavailable();
    if (!why.empty())
      why = fmt::format("a data-parallel run (mpirun) on GPUs needs NCCL, "
                        "and there is {}",
                        why);
  }
  if (device == "cuda") {
    if (!why.empty())
      fail("--device cuda: {}", why);
    return "cuda";
  }
  // The default: the GPU when the model has training code for it and it
  // can run.
  if (!model.desc().train_step_cuda)
    return "cpu";
  if (why.empty())
    return "cuda";
  if (note) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: note: %s: training on the CPU\n",
                 program.c_str(), why.c_str());
  }
  return "cpu";
}

} // namespace cnnrt::cli
