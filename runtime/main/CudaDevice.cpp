//===- CudaDevice.cpp - The model's forward on an NVIDIA GPU --------------===//

#include "CudaDevice.h"

#include "cnnrt/CudaDriver.h"
#include "cnnrt/CudaForward.h"
#include "cnnrt/CudaModule.h"
#include "cnnrt/Error.h"

#include <fmt/format.h>

namespace cnnrt::cli {

namespace {

class GpuForward : public Forward {
public:
  GpuForward(Model &model, const cuda::Driver &driver)
      : Forward(model), gpu_(driver, model.desc(), 0) {
    gpu_.uploadArena(model.arena().base());
  }
  void run(const float *input, std::int64_t n, float *logits) override {
    gpu_.forward(input, n, logits);
  }
  std::string description() const override {
    const cuda::DeviceInfo &d = gpu_.device();
    return fmt::format("CUDA device {}: {} ({})", d.ordinal, d.name, d.arch());
  }

private:
  cuda::CudaForward gpu_;
};

} // namespace

std::string cudaUnavailable(const Model &model) {
  return cuda::unavailable(model.desc());
}

std::unique_ptr<Forward> makeCudaForward(Model &model) {
  std::string why;
  const cuda::Driver *driver = cuda::Driver::get(why);
  if (!driver)
    fail("internal error: no CUDA driver: {}", why);
  return std::make_unique<GpuForward>(model, *driver);
}

std::string cudaMachineSummary(const Model &model) {
  std::string why;
  const cuda::Driver *driver = cuda::Driver::get(why);
  if (!driver)
    return why;
  cuda::DeviceInfo d;
  try {
    d = driver->device(0);
  } catch (const Error &e) {
    return e.what();
  }
  std::string summary = fmt::format(
      "device 0: {}, {}, {} SMs, {}; driver {} ({} device{})", d.name,
      d.arch(), d.multiprocessors, byteSize(d.memoryBytes),
      driver->versionString(), driver->deviceCount(),
      driver->deviceCount() == 1 ? "" : "s");
  std::string mismatch = cuda::archMismatch(model.desc(), d);
  return mismatch.empty() ? summary : summary + "; " + mismatch;
}

} // namespace cnnrt::cli
