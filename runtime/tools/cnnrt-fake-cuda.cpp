//===- cnnrt-fake-cuda.cpp - A CUDA driver on the host, for tests ---------===//
//
// Built as libcuda.so.1 in a directory of its own (build/lib/fake-cuda), so
// a test that puts that directory on LD_LIBRARY_PATH (or names the file in
// CNNRT_CUDA_DRIVER) runs the runtime's whole driver path without a GPU:
// dlopen, cuInit, the PTX load, the arena's copy, eager launches, stream
// capture, graph replay, the copies back. It implements exactly the entry
// points of cnnrt/CudaApi.h, and cuLaunchHostFunc for the fake NCCL
// (cnnrt-fake-nccl.cpp), which the runtime itself does not call:
//
// - Device memory is host memory (256-byte aligned, filled with 0xA5 so
//   that a forgotten copy shows); copies check that they stay inside one
//   allocation.
// - A "PTX" module is parsed for what the driver would check first:
//   `.version X.Y` against the driver version, `.target sm_NN` against the
//   device, and the `.entry NAME(...)` kernels with their `.param` sizes.
// - A kernel runs as the host function `cnnrt_fake_kernel_<NAME>` the
//   executable exports (found with dlsym), called with the grid, the block
//   and the parameters; launches on a capturing stream are recorded (their
//   parameters copied, as the driver copies them) and run on cuGraphLaunch.
// - A host function (cuLaunchHostFunc) is a launch too: run at once, or
//   recorded in the graph in order with the kernels.
//
// Environment switches:
//   FAKE_CUDA_NO_DEVICE=1     cuInit fails with CUDA_ERROR_NO_DEVICE
//   FAKE_CUDA_DEVICES=N       devices seen (default 1)
//   FAKE_CUDA_VERSION=V       cuDriverGetVersion (default 13000, CUDA 13.0)
//   FAKE_CUDA_CC=NN           compute capability (default 90)
//   FAKE_CUDA_FAIL_ALLOC=K    the K-th cuMemAlloc fails (out of memory)
//   FAKE_CUDA_FAIL_LAUNCH=K   the K-th cuLaunchKernel fails (out of resources)
//   FAKE_CUDA_TRACE=FILE      appends a line per call that matters
//
//===----------------------------------------------------------------------===//

#include "FakeTrace.h"

#include "cnnrt/CudaApi.h"

#include <dlfcn.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

using namespace cnnrt::cuda;

namespace {

constexpr CUresult kNoBinaryForGpu = 209, kInvalidHandle = 400,
                   kIllegalState = 401, kCaptureUnsupported = 900,
                   kNotPermitted = 800;

int envInt(const char *name, int fallback) {
  const char *v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

using fake::trace;

using HostKernel = void (*)(const unsigned *grid, const unsigned *block,
                            void **params);

struct Kernel {
  std::string name;
  std::vector<std::size_t> paramSizes;
  HostKernel host = nullptr;
};

using HostFunction = void (*)(void *data);

struct Launch {
  const Kernel *kernel;
  unsigned grid[3], block[3];
  std::vector<unsigned char> params; ///< the values, back to back
  HostFunction function = nullptr;   ///< instead of a kernel
  void *data = nullptr;              ///< the function's
};

struct Graph {
  std::vector<Launch> launches;
};

struct Stream {
  bool capturing = false;
  Graph *graph = nullptr;
};

struct Module {
  std::vector<Kernel> kernels;
};

struct State {
  bool initialised = false;
  int allocs = 0, launches = 0, contextRefs = 0;
  std::map<std::uintptr_t, std::size_t> memory;
  ~State() {
    if (initialised)
      trace("exit: %zu allocations live, %d context references", memory.size(),
            contextRefs);
  }
} state;

// Any address will do for the one context: it is only compared.
int theContext;

CUcontext contextHandle() { return reinterpret_cast<CUcontext>(&theContext); }

/// Whether [p, p + n) lies inside one allocation.
bool inside(CUdeviceptr p, std::size_t n) {
  auto it = state.memory.upper_bound(std::uintptr_t(p));
  if (it == state.memory.begin())
    return false;
  --it;
  return p >= it->first && p + n <= it->first + it->second;
}

void run(const Launch &l) {
  if (l.function) {
    l.function(l.data);
    return;
  }
  std::vector<void *> params;
  std::size_t at = 0;
  for (std::size_t size : l.kernel->paramSizes) {
    params.push_back(const_cast<unsigned char *>(l.params.data() + at));
    at += size;
  }
  l.kernel->host(l.grid, l.block, params.data());
}

/// The PTX ISA the fake driver of version v accepts, as 10 * major + minor.
int maxIsa(int v) {
  if (v >= 13000)
    return 90;
  if (v >= 12090)
    return 88;
  if (v >= 12080)
    return 87;
  if (v >= 12070)
    return 86;
  if (v >= 12000)
    return 80 + (v - 12000) / 10;
  return 70 + (v - 11000) / 10;
}

/// Where the directive `word` starts a line of the PTX, or npos.
std::size_t directive(const std::string &ptx, const char *word) {
  for (std::size_t at = ptx.find(word); at != std::string::npos;
       at = ptx.find(word, at + 1)) {
    std::size_t before = at;
    while (before > 0 && (ptx[before - 1] == ' ' || ptx[before - 1] == '\t'))
      --before;
    if (before == 0 || ptx[before - 1] == '\n')
      return at;
  }
  return std::string::npos;
}

void writeLog(void *buffer, std::size_t size, const std::string &text) {
  if (!buffer || size == 0)
    return;
  std::snprintf(static_cast<char *>(buffer), size, "%s", text.c_str());
}

} // namespace

#define NEED_INIT                                                              \
  if (!state.initialised)                                                      \
    return CUDA_ERROR_NOT_INITIALIZED;

extern "C" {

CUresult cuGetErrorName(CUresult error, const char **str) {
  switch (error) {
  case CUDA_SUCCESS: *str = "CUDA_SUCCESS"; break;
  case CUDA_ERROR_INVALID_VALUE: *str = "CUDA_ERROR_INVALID_VALUE"; break;
  case CUDA_ERROR_OUT_OF_MEMORY: *str = "CUDA_ERROR_OUT_OF_MEMORY"; break;
  case CUDA_ERROR_NOT_INITIALIZED: *str = "CUDA_ERROR_NOT_INITIALIZED"; break;
  case CUDA_ERROR_NO_DEVICE: *str = "CUDA_ERROR_NO_DEVICE"; break;
  case CUDA_ERROR_INVALID_PTX: *str = "CUDA_ERROR_INVALID_PTX"; break;
  case CUDA_ERROR_UNSUPPORTED_PTX_VERSION:
    *str = "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"; break;
  case kNoBinaryForGpu: *str = "CUDA_ERROR_NO_BINARY_FOR_GPU"; break;
  case kInvalidHandle: *str = "CUDA_ERROR_INVALID_HANDLE"; break;
  case kIllegalState: *str = "CUDA_ERROR_ILLEGAL_STATE"; break;
  case CUDA_ERROR_NOT_FOUND: *str = "CUDA_ERROR_NOT_FOUND"; break;
  case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES:
    *str = "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"; break;
  case kNotPermitted: *str = "CUDA_ERROR_NOT_PERMITTED"; break;
  case kCaptureUnsupported:
    *str = "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"; break;
  default: *str = nullptr; return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

CUresult cuGetErrorString(CUresult error, const char **str) {
  switch (error) {
  case CUDA_SUCCESS: *str = "no error"; break;
  case CUDA_ERROR_INVALID_VALUE: *str = "invalid argument"; break;
  case CUDA_ERROR_OUT_OF_MEMORY: *str = "out of memory"; break;
  case CUDA_ERROR_NOT_INITIALIZED: *str = "initialization error"; break;
  case CUDA_ERROR_NO_DEVICE:
    *str = "no CUDA-capable device is detected"; break;
  case CUDA_ERROR_INVALID_PTX:
    *str = "a PTX JIT compilation failed"; break;
  case CUDA_ERROR_UNSUPPORTED_PTX_VERSION:
    *str = "the provided PTX was compiled with an unsupported toolchain.";
    break;
  case kNoBinaryForGpu:
    *str = "no kernel image is available for execution on the device"; break;
  case kInvalidHandle: *str = "invalid resource handle"; break;
  case kIllegalState: *str = "the operation is not permitted"; break;
  case CUDA_ERROR_NOT_FOUND: *str = "named symbol not found"; break;
  case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES:
    *str = "too many resources requested for launch"; break;
  case kNotPermitted: *str = "operation not permitted"; break;
  case kCaptureUnsupported:
    *str = "operation not permitted when stream is capturing"; break;
  default: *str = nullptr; return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

CUresult cuInit(unsigned flags) {
  if (flags != 0)
    return CUDA_ERROR_INVALID_VALUE;
  trace("cuInit");
  if (envInt("FAKE_CUDA_NO_DEVICE", 0))
    return CUDA_ERROR_NO_DEVICE;
  state.initialised = true;
  return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int *version) {
  if (!version)
    return CUDA_ERROR_INVALID_VALUE;
  *version = envInt("FAKE_CUDA_VERSION", 13000);
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int *count) {
  NEED_INIT
  *count = envInt("FAKE_CUDA_DEVICES", 1);
  return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  NEED_INIT
  if (ordinal < 0 || ordinal >= envInt("FAKE_CUDA_DEVICES", 1))
    return CUDA_ERROR_INVALID_VALUE;
  *device = ordinal;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int length, CUdevice) {
  NEED_INIT
  if (!name || length <= 0)
    return CUDA_ERROR_INVALID_VALUE;
  std::snprintf(name, std::size_t(length), "Fake CUDA GPU");
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int *value, CUdevice_attribute attribute,
                              CUdevice) {
  NEED_INIT
  int cc = envInt("FAKE_CUDA_CC", 90);
  switch (attribute) {
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *value = cc / 10; break;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *value = cc % 10; break;
  case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *value = 4; break;
  default: return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

CUresult cuDeviceTotalMem_v2(std::size_t *bytes, CUdevice) {
  NEED_INIT
  *bytes = std::size_t(1) << 30;
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice) {
  NEED_INIT
  ++state.contextRefs;
  *context = contextHandle();
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice) {
  NEED_INIT
  if (state.contextRefs == 0)
    return kInvalidHandle;
  --state.contextRefs;
  return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext context) {
  NEED_INIT
  return context == contextHandle() && state.contextRefs > 0 ? CUDA_SUCCESS
                                                             : kInvalidHandle;
}

CUresult cuStreamCreate(CUstream *stream, unsigned flags) {
  NEED_INIT
  if (flags > CU_STREAM_NON_BLOCKING)
    return CUDA_ERROR_INVALID_VALUE;
  *stream = reinterpret_cast<CUstream>(new Stream);
  return CUDA_SUCCESS;
}

CUresult cuStreamDestroy_v2(CUstream stream) {
  NEED_INIT
  auto *s = reinterpret_cast<Stream *>(stream);
  if (!s)
    return kInvalidHandle;
  delete s->graph;
  delete s;
  return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(CUstream stream) {
  NEED_INIT
  auto *s = reinterpret_cast<Stream *>(stream);
  return s && s->capturing ? kCaptureUnsupported : CUDA_SUCCESS;
}

CUresult cuMemAlloc_v2(CUdeviceptr *address, std::size_t bytes) {
  NEED_INIT
  if (!address || bytes == 0)
    return CUDA_ERROR_INVALID_VALUE;
  int k = ++state.allocs;
  if (k == envInt("FAKE_CUDA_FAIL_ALLOC", 0)) {
    trace("cuMemAlloc %zu: out of memory", bytes);
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
  std::size_t rounded = (bytes + 255) / 256 * 256;
  void *p = std::aligned_alloc(256, rounded);
  if (!p)
    return CUDA_ERROR_OUT_OF_MEMORY;
  std::memset(p, 0xA5, rounded);
  state.memory[std::uintptr_t(p)] = bytes;
  *address = CUdeviceptr(std::uintptr_t(p));
  trace("cuMemAlloc %zu", bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr address) {
  NEED_INIT
  auto it = state.memory.find(std::uintptr_t(address));
  if (it == state.memory.end())
    return CUDA_ERROR_INVALID_VALUE;
  std::free(reinterpret_cast<void *>(it->first));
  state.memory.erase(it);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr destination, const void *source,
                              std::size_t bytes, CUstream stream) {
  NEED_INIT
  auto *s = reinterpret_cast<Stream *>(stream);
  if (s && s->capturing)
    return kCaptureUnsupported; // the runtime copies outside captures
  if (!source || !inside(destination, bytes))
    return CUDA_ERROR_INVALID_VALUE;
  std::memcpy(reinterpret_cast<void *>(std::uintptr_t(destination)), source,
              bytes);
  trace("copy to device %zu", bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoHAsync_v2(void *destination, CUdeviceptr source,
                              std::size_t bytes, CUstream stream) {
  NEED_INIT
  auto *s = reinterpret_cast<Stream *>(stream);
  if (s && s->capturing)
    return kCaptureUnsupported;
  if (!destination || !inside(source, bytes))
    return CUDA_ERROR_INVALID_VALUE;
  std::memcpy(destination, reinterpret_cast<void *>(std::uintptr_t(source)),
              bytes);
  trace("copy to host %zu", bytes);
  return CUDA_SUCCESS;
}

CUresult cuModuleLoadDataEx(CUmodule *module, const void *image,
                            unsigned numOptions, CUjit_option *options,
                            void **optionValues) {
  NEED_INIT
  if (!module || !image || (numOptions && (!options || !optionValues)))
    return CUDA_ERROR_INVALID_VALUE;
  void *errorLog = nullptr;
  std::size_t errorLogSize = 0;
  for (unsigned i = 0; i < numOptions; ++i) {
    if (options[i] == CU_JIT_ERROR_LOG_BUFFER)
      errorLog = optionValues[i];
    else if (options[i] == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES)
      errorLogSize = std::size_t(std::uintptr_t(optionValues[i]));
  }
  std::string ptx = static_cast<const char *>(image);
  int major = 0, minor = 0, sm = 0;
  std::size_t at = directive(ptx, ".version");
  if (at == std::string::npos ||
      std::sscanf(ptx.c_str() + at, ".version %d.%d", &major, &minor) != 2) {
    writeLog(errorLog, errorLogSize,
             "ptxas application ptx input, line 1; fatal   : Missing "
             ".version directive at start of file");
    return CUDA_ERROR_INVALID_PTX;
  }
  int version = envInt("FAKE_CUDA_VERSION", 13000), isa = maxIsa(version);
  if (major * 10 + minor > isa) {
    char log[256];
    std::snprintf(log, sizeof(log),
                  "ptxas application ptx input, line 1; fatal   : "
                  "Unsupported .version %d.%d; current version is '%d.%d'\n"
                  "ptxas fatal   : Ptx assembly aborted due to errors\n",
                  major, minor, isa / 10, isa % 10);
    writeLog(errorLog, errorLogSize, log);
    trace("cuModuleLoadDataEx: unsupported PTX ISA %d.%d", major, minor);
    return CUDA_ERROR_UNSUPPORTED_PTX_VERSION;
  }
  at = directive(ptx, ".target sm_");
  if (at == std::string::npos ||
      std::sscanf(ptx.c_str() + at, ".target sm_%d", &sm) != 1 ||
      sm > envInt("FAKE_CUDA_CC", 90)) {
    writeLog(errorLog, errorLogSize,
             "ptxas fatal   : SM version specified by .target is higher than "
             "default SM version assumed");
    return kNoBinaryForGpu;
  }
  auto *m = new Module;
  for (at = ptx.find(".entry "); at != std::string::npos;
       at = ptx.find(".entry ", at + 1)) {
    std::size_t open = ptx.find('(', at), close = ptx.find(')', at);
    if (open == std::string::npos || close == std::string::npos) {
      delete m;
      return CUDA_ERROR_INVALID_PTX;
    }
    Kernel k;
    k.name = ptx.substr(at + 7, open - at - 7);
    while (!k.name.empty() && k.name.back() == ' ')
      k.name.pop_back();
    std::string list = ptx.substr(open, close - open);
    for (std::size_t p = list.find(".param ."); p != std::string::npos;
         p = list.find(".param .", p + 1)) {
      char type = list[p + 8];
      int bits = std::atoi(list.c_str() + p + 9);
      if ((type != 'u' && type != 's' && type != 'b' && type != 'f') ||
          bits % 8 || bits <= 0) {
        delete m;
        return CUDA_ERROR_INVALID_PTX;
      }
      k.paramSizes.push_back(std::size_t(bits / 8));
    }
    m->kernels.push_back(k);
  }
  trace("cuModuleLoadDataEx: %zu kernels, PTX ISA %d.%d, sm_%d",
        m->kernels.size(), major, minor, sm);
  *module = reinterpret_cast<CUmodule>(m);
  return CUDA_SUCCESS;
}

CUresult cuModuleUnload(CUmodule module) {
  NEED_INIT
  delete reinterpret_cast<Module *>(module);
  return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction *function, CUmodule module,
                             const char *name) {
  NEED_INIT
  auto *m = reinterpret_cast<Module *>(module);
  if (!m || !name || !function)
    return CUDA_ERROR_INVALID_VALUE;
  for (Kernel &k : m->kernels)
    if (k.name == name) {
      std::string symbol = std::string("cnnrt_fake_kernel_") + name;
      k.host = reinterpret_cast<HostKernel>(dlsym(RTLD_DEFAULT, symbol.c_str()));
      if (!k.host)
        return CUDA_ERROR_NOT_FOUND;
      *function = reinterpret_cast<CUfunction>(&k);
      return CUDA_SUCCESS;
    }
  return CUDA_ERROR_NOT_FOUND;
}

CUresult cuLaunchKernel(CUfunction function, unsigned gridX, unsigned gridY,
                        unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned sharedBytes, CUstream stream,
                        void **params, void **extra) {
  NEED_INIT
  auto *k = reinterpret_cast<const Kernel *>(function);
  if (!k || extra || (!params && !k->paramSizes.empty()) || !gridX ||
      !gridY || !gridZ || !blockX || !blockY || !blockZ ||
      std::uint64_t(blockX) * blockY * blockZ > 1024 || sharedBytes > 49152)
    return CUDA_ERROR_INVALID_VALUE;
  if (++state.launches == envInt("FAKE_CUDA_FAIL_LAUNCH", 0))
    return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
  Launch l{k, {gridX, gridY, gridZ}, {blockX, blockY, blockZ}, {}};
  // The values are copied now, as the driver does: the caller's storage
  // for them is gone when the launch runs.
  for (std::size_t i = 0; i < k->paramSizes.size(); ++i) {
    auto *bytes = static_cast<const unsigned char *>(params[i]);
    l.params.insert(l.params.end(), bytes, bytes + k->paramSizes[i]);
  }
  auto *s = reinterpret_cast<Stream *>(stream);
  trace("launch %s grid %ux%ux%u block %ux%ux%u%s", k->name.c_str(), gridX,
        gridY, gridZ, blockX, blockY, blockZ,
        s && s->capturing ? " (captured)" : "");
  if (s && s->capturing)
    s->graph->launches.push_back(std::move(l));
  else
    run(l);
  return CUDA_SUCCESS;
}

CUresult cuLaunchHostFunc(CUstream stream, HostFunction function, void *data) {
  NEED_INIT
  if (!function)
    return CUDA_ERROR_INVALID_VALUE;
  Launch l{nullptr, {}, {}, {}, function, data};
  auto *s = reinterpret_cast<Stream *>(stream);
  trace("host function%s", s && s->capturing ? " (captured)" : "");
  if (s && s->capturing)
    s->graph->launches.push_back(std::move(l));
  else
    run(l);
  return CUDA_SUCCESS;
}

CUresult cuStreamBeginCapture_v2(CUstream stream, CUstreamCaptureMode mode) {
  NEED_INIT
  auto *s = reinterpret_cast<Stream *>(stream);
  if (!s) // the legacy stream cannot be captured
    return kNotPermitted;
  if (s->capturing || mode < 0 || mode > 2)
    return s->capturing ? kIllegalState : CUDA_ERROR_INVALID_VALUE;
  s->capturing = true;
  s->graph = new Graph;
  trace("capture begins");
  return CUDA_SUCCESS;
}

CUresult cuStreamEndCapture(CUstream stream, CUgraph *graph) {
  NEED_INIT
  auto *s = reinterpret_cast<Stream *>(stream);
  if (!s || !s->capturing)
    return kIllegalState;
  s->capturing = false;
  trace("capture ends: %zu launches", s->graph->launches.size());
  *graph = reinterpret_cast<CUgraph>(s->graph);
  s->graph = nullptr;
  return CUDA_SUCCESS;
}

CUresult cuGraphInstantiateWithFlags(CUgraphExec *exec, CUgraph graph,
                                     unsigned long long flags) {
  NEED_INIT
  if (!exec || !graph || flags)
    return CUDA_ERROR_INVALID_VALUE;
  *exec = reinterpret_cast<CUgraphExec>(
      new Graph(*reinterpret_cast<Graph *>(graph)));
  return CUDA_SUCCESS;
}

CUresult cuGraphLaunch(CUgraphExec exec, CUstream stream) {
  NEED_INIT
  auto *g = reinterpret_cast<Graph *>(exec);
  auto *s = reinterpret_cast<Stream *>(stream);
  if (!g || (s && s->capturing))
    return CUDA_ERROR_INVALID_VALUE;
  trace("graph launch: %zu kernels", g->launches.size());
  for (const Launch &l : g->launches)
    run(l);
  return CUDA_SUCCESS;
}

CUresult cuGraphExecDestroy(CUgraphExec exec) {
  NEED_INIT
  delete reinterpret_cast<Graph *>(exec);
  return CUDA_SUCCESS;
}

CUresult cuGraphDestroy(CUgraph graph) {
  NEED_INIT
  delete reinterpret_cast<Graph *>(graph);
  return CUDA_SUCCESS;
}

} // extern "C"

// The definitions above have exactly the types the runtime resolves them as.
#define CNNRT_CUDA_SAME_TYPE(name, params)                                     \
  static_assert(std::is_same_v<decltype(&::name), CUresult(*) params>,         \
                #name " differs from cnnrt/CudaApi.h");
CNNRT_CUDA_ENTRY_POINTS(CNNRT_CUDA_SAME_TYPE)
