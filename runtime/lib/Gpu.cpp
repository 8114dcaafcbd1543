//===- Gpu.cpp - model_abi.h's cnnrt_gpu_alloc and cnnrt_gpu_launch -------===//
//
// What a model's forward_cuda calls, routed to the current GpuCalls (see
// cnnrt/Gpu.h). Defined in libcnnrt whether or not the machine has a GPU,
// so every model links.
//
//===----------------------------------------------------------------------===//

#include "cnnrt/Gpu.h"
#include "cnnrt/model_abi.h"

namespace cnnrt {

namespace {
GpuCalls *gCalls = nullptr;
} // namespace

GpuCallsScope::GpuCallsScope(GpuCalls *calls) : previous_(gCalls) {
  gCalls = calls;
}

GpuCallsScope::~GpuCallsScope() { gCalls = previous_; }

} // namespace cnnrt

extern "C" {

int64_t cnnrt_gpu_alloc(int64_t bytes) {
  return cnnrt::gCalls ? cnnrt::gCalls->alloc(bytes) : 0;
}

void cnnrt_gpu_launch(int64_t kernel, int64_t gx, int64_t gy, int64_t gz,
                      int64_t bx, int64_t by, int64_t bz, int64_t shared_bytes,
                      void **params) {
  if (!cnnrt::gCalls)
    return;
  const int64_t grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
  cnnrt::gCalls->launch(kernel, grid, block, shared_bytes, params);
}

} // extern "C"
