//===- CApi.cpp - The C boundary of the runtime ---------------------------===//
//
// Thin wrappers: convert arguments, call the C++ core, and turn any exception
// into -1 (or NULL) plus a thread-local message.
//
//===----------------------------------------------------------------------===//

#include "cnnrt/cnnrt.h"
#include "cnnrt/cuda.h"

#include "cnnrt/Arena.h"
#include "cnnrt/CudaDriver.h"
#include "cnnrt/CudaForward.h"
#include "cnnrt/Error.h"
#include "cnnrt/Init.h"
#include "cnnrt/Philox.h"
#include "cnnrt/Safetensors.h"

#include <exception>
#include <memory>
#include <new>

struct cnnrt_arena {
  cnnrt::Arena arena;
};

struct cnnrt_cuda_forward {
  std::unique_ptr<cnnrt::cuda::CudaForward> gpu;
  std::string device; ///< cnnrt_cuda_forward_device's
};

namespace {

thread_local std::string lastError;
thread_local std::string cudaCheck; ///< cnnrt_model_check_cuda's result

/// Why a descriptor cannot be read, or "".
std::string badDescriptor(const cnnrt_model *model) {
  if (!model)
    return "no model descriptor (NULL)";
  if (model->abi_version != CNNRT_MODEL_ABI_VERSION)
    return fmt::format("the model descriptor has ABI version {}, but this "
                       "libcnnrt reads version {}: rebuild the model with "
                       "this cnnc",
                       model->abi_version, CNNRT_MODEL_ABI_VERSION);
  return "";
}

/// Runs `body`; on an exception records the message and returns false.
template <typename F> bool guarded(F &&body) {
  try {
    body();
    return true;
  } catch (const std::bad_alloc &) {
    lastError = "out of memory";
  } catch (const std::exception &e) {
    lastError = e.what();
  } catch (...) {
    lastError = "unknown error";
  }
  return false;
}

} // namespace

extern "C" {

const char *cnnrt_last_error(void) { return lastError.c_str(); }

cnnrt_arena *cnnrt_arena_create_with_aliases(const cnnrt_tensor_desc *descs,
                                             int64_t count,
                                             const cnnrt_alias *aliases,
                                             int64_t num_aliases) {
  cnnrt_arena *result = nullptr;
  guarded([&] {
    if (count < 0 || (count > 0 && !descs))
      cnnrt::fail("cnnrt_arena_create: invalid descriptor array");
    if (num_aliases < 0 || (num_aliases > 0 && !aliases))
      cnnrt::fail("cnnrt_arena_create: invalid alias array");
    std::vector<cnnrt::TensorSpec> specs;
    for (int64_t i = 0; i < count; ++i) {
      const cnnrt_tensor_desc &d = descs[i];
      if (!d.name || d.rank < 0 || (d.rank > 0 && !d.shape))
        cnnrt::fail("cnnrt_arena_create: descriptor {} is invalid", i);
      if (d.dtype != CNNRT_F32 && d.dtype != CNNRT_I64)
        cnnrt::fail("cnnrt_arena_create: tensor '{}' has dtype code {}",
                    d.name, d.dtype);
      if (d.role != CNNRT_PARAMETER && d.role != CNNRT_BUFFER)
        cnnrt::fail("cnnrt_arena_create: tensor '{}' has role code {}", d.name,
                    d.role);
      specs.push_back({d.name, cnnrt::Shape(d.shape, d.shape + d.rank),
                       static_cast<cnnrt::DType>(d.dtype),
                       static_cast<cnnrt::TensorRole>(d.role),
                       /*aliases=*/{}});
    }
    for (int64_t i = 0; i < num_aliases; ++i) {
      const cnnrt_alias &a = aliases[i];
      if (!a.name || a.tensor < 0 || a.tensor >= count)
        cnnrt::fail("cnnrt_arena_create: alias {} is invalid", i);
      specs[std::size_t(a.tensor)].aliases.push_back(a.name);
    }
    result = new cnnrt_arena{cnnrt::Arena(cnnrt::Layout(specs))};
  });
  return result;
}

cnnrt_arena *cnnrt_arena_create(const cnnrt_tensor_desc *descs,
                                int64_t count) {
  return cnnrt_arena_create_with_aliases(descs, count, nullptr, 0);
}

void cnnrt_arena_destroy(cnnrt_arena *arena) { delete arena; }

void *cnnrt_arena_base(cnnrt_arena *arena) { return arena->arena.base(); }

int64_t cnnrt_arena_size(const cnnrt_arena *arena) {
  return int64_t(arena->arena.sizeBytes());
}

int64_t cnnrt_arena_offset(const cnnrt_arena *arena, int64_t index) {
  const cnnrt::Layout &layout = arena->arena.layout();
  if (index < 0 || std::size_t(index) >= layout.size())
    return -1;
  return int64_t(layout[std::size_t(index)].offset);
}

int64_t cnnrt_arena_find(const cnnrt_arena *arena, const char *name) {
  return name ? int64_t(arena->arena.layout().resolve(name)) : -1;
}

int cnnrt_arena_init(cnnrt_arena *arena, const cnnrt_init_spec *specs,
                     uint64_t seed) {
  return guarded([&] {
           std::size_t n = arena->arena.layout().size();
           std::vector<cnnrt::InitSpec> v;
           for (std::size_t i = 0; i < n; ++i) {
             if (specs[i].kind < CNNRT_INIT_UNIFORM ||
                 specs[i].kind > CNNRT_INIT_CONSTANT)
               cnnrt::fail("cnnrt_arena_init: tensor '{}' has init kind {}",
                           arena->arena.layout()[i].name, specs[i].kind);
             v.push_back({static_cast<cnnrt::InitSpec::Kind>(specs[i].kind),
                          specs[i].a, specs[i].b});
           }
           cnnrt::initArena(arena->arena, v, seed);
         })
             ? 0
             : -1;
}

int cnnrt_arena_load(cnnrt_arena *arena, const char *path, int strict) {
  return guarded([&] {
           cnnrt::LoadOptions options;
           options.allowUnexpected = strict == 0;
           cnnrt::loadArena(arena->arena, path, options);
         })
             ? 0
             : -1;
}

int cnnrt_arena_save(const cnnrt_arena *arena, const char *path) {
  return guarded([&] { cnnrt::saveArena(arena->arena, path); }) ? 0 : -1;
}

void cnnrt_philox4x32_10(const uint32_t counter[4], const uint32_t key[2],
                         uint32_t out[4]) {
  auto r = cnnrt::philox4x32_10({counter[0], counter[1], counter[2], counter[3]},
                                {key[0], key[1]});
  for (int i = 0; i < 4; ++i)
    out[i] = r[std::size_t(i)];
}

float cnnrt_uniform_from_u32(uint32_t x) { return cnnrt::uniformFromU32(x); }

const char *cnnrt_model_check_cuda(const cnnrt_model *model) {
  std::string why = badDescriptor(model);
  if (why.empty() && !guarded([&] { why = cnnrt::cuda::unavailable(*model); }))
    why = lastError;
  if (why.empty())
    return nullptr;
  cudaCheck = std::move(why);
  return cudaCheck.c_str();
}

cnnrt_cuda_forward *cnnrt_cuda_forward_create(const cnnrt_model *model,
                                              const void *arena) {
  cnnrt_cuda_forward *result = nullptr;
  guarded([&] {
    std::string why = badDescriptor(model);
    if (why.empty())
      why = cnnrt::cuda::unavailable(*model);
    if (!why.empty())
      throw cnnrt::Error(why);
    if (!arena && model->arena_bytes > 0)
      cnnrt::fail("cnnrt_cuda_forward_create: no arena (NULL)");
    const cnnrt::cuda::Driver *driver = cnnrt::cuda::Driver::get(why);
    if (!driver)
      throw cnnrt::Error(why);
    auto f = std::make_unique<cnnrt_cuda_forward>();
    f->gpu = std::make_unique<cnnrt::cuda::CudaForward>(*driver, *model, 0);
    f->gpu->uploadArena(arena);
    const cnnrt::cuda::DeviceInfo &d = f->gpu->device();
    f->device = fmt::format("CUDA device {}: {} ({})", d.ordinal, d.name,
                            d.arch());
    result = f.release();
  });
  return result;
}

int cnnrt_cuda_forward_upload(cnnrt_cuda_forward *forward, const void *arena) {
  return guarded([&] {
           if (!forward || !arena)
             cnnrt::fail("cnnrt_cuda_forward_upload: NULL {}",
                         forward ? "arena" : "handle");
           forward->gpu->uploadArena(arena);
         })
             ? 0
             : -1;
}

int cnnrt_cuda_forward_run(cnnrt_cuda_forward *forward, const float *input,
                           int64_t batch, float *logits) {
  return guarded([&] {
           if (!forward)
             cnnrt::fail("cnnrt_cuda_forward_run: NULL handle");
           if (batch < 0)
             cnnrt::fail("cnnrt_cuda_forward_run: batch size {}", batch);
           if (batch > 0 && (!input || !logits))
             cnnrt::fail("cnnrt_cuda_forward_run: NULL {}",
                         input ? "logits" : "input");
           forward->gpu->forward(input, batch, logits);
         })
             ? 0
             : -1;
}

const char *cnnrt_cuda_forward_device(const cnnrt_cuda_forward *forward) {
  return forward ? forward->device.c_str() : "";
}

void cnnrt_cuda_forward_destroy(cnnrt_cuda_forward *forward) { delete forward; }

} // extern "C"
