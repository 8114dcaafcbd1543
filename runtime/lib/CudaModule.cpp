//===- CudaModule.cpp - A model's GPU code, JIT-loaded --------------------===//

#include "cnnrt/CudaModule.h"

#include "cnnrt/Error.h"

#include <cctype>
#include <cstring>

namespace cnnrt::cuda {

namespace {

/// Reads a decimal number at s[i...] (advancing i); -1 if none.
int number(const std::string &s, std::size_t &i) {
  if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i])))
    return -1;
  int value = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) &&
         value < 100000)
    value = value * 10 + (s[i++] - '0');
  return value;
}

/// A JIT log as one line: its lines joined with "; ", at most 2000 bytes.
std::string oneLine(const char *log) {
  std::string out;
  for (const char *p = log; *p;) {
    const char *end = std::strchr(p, '\n');
    std::size_t n = end ? std::size_t(end - p) : std::strlen(p);
    std::string line(p, n);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.pop_back();
    if (!line.empty())
      out += (out.empty() ? "" : "; ") + line;
    p += n + (end ? 1 : 0);
  }
  if (out.size() > 2000)
    out = out.substr(0, 2000) + " ...";
  return printable(out);
}

} // namespace

std::optional<GpuArch> GpuArch::parse(const std::string &name) {
  if (name.rfind("sm_", 0) != 0)
    return std::nullopt;
  std::size_t i = 3;
  int digits = number(name, i);
  if (digits < 10 || digits > 9999)
    return std::nullopt;
  GpuArch arch;
  arch.name = name;
  arch.major = digits / 10;
  arch.minor = digits % 10;
  if (i < name.size() && name[i] == 'a') {
    arch.specific = true;
    ++i;
  }
  if (i != name.size())
    return std::nullopt;
  return arch;
}

bool GpuArch::runsOn(const DeviceInfo &d) const {
  if (specific)
    return d.major == major && d.minor == minor;
  return d.major > major || (d.major == major && d.minor >= minor);
}

void checkGpuCode(const cnnrt_model &m) {
  if (!m.forward_cuda)
    return;
  const char *what = "invalid model descriptor";
  if (!m.gpu_arch || !GpuArch::parse(m.gpu_arch))
    fail("{}: GPU code for arch '{}', not an sm_NN name", what,
         m.gpu_arch ? printable(m.gpu_arch) : "(null)");
  if (!m.gpu_ptx || !*m.gpu_ptx)
    fail("{}: forward_cuda without PTX", what);
  if (m.gpu_num_kernels <= 0 || !m.gpu_kernel_names)
    fail("{}: forward_cuda with {} kernels", what, m.gpu_num_kernels);
  for (std::int64_t i = 0; i < m.gpu_num_kernels; ++i)
    if (!m.gpu_kernel_names[i] || !*m.gpu_kernel_names[i])
      fail("{}: GPU kernel {} has no name", what, i);
}

std::string archMismatch(const cnnrt_model &m, const DeviceInfo &d) {
  std::optional<GpuArch> arch = GpuArch::parse(m.gpu_arch);
  if (arch && arch->runsOn(d))
    return "";
  return fmt::format("the model's GPU code is for {}{}, but device {} ({}) "
                     "is {}",
                     m.gpu_arch, arch && arch->specific ? " only" : "",
                     d.ordinal, d.name, d.arch());
}

std::optional<std::pair<int, int>> ptxIsaVersion(const std::string &ptx) {
  // The directive starts a line (a comment may mention the word).
  std::size_t at = 0;
  for (;; ++at) {
    at = ptx.find(".version", at);
    if (at == std::string::npos)
      return std::nullopt;
    std::size_t line = ptx.find_last_not_of(" \t", at == 0 ? 0 : at - 1);
    if (at == 0 || line == std::string::npos || ptx[line] == '\n')
      break;
  }
  std::size_t i = at + 8;
  while (i < ptx.size() && (ptx[i] == ' ' || ptx[i] == '\t'))
    ++i;
  int major = number(ptx, i);
  if (major < 0 || i >= ptx.size() || ptx[i] != '.')
    return std::nullopt;
  ++i;
  int minor = number(ptx, i);
  if (minor < 0)
    return std::nullopt;
  return std::make_pair(major, minor);
}

int cudaVersionForPtx(int major, int minor) {
  // NVIDIA's PTX ISA release notes: the CUDA release that introduced each
  // ISA version (whose driver is the first to JIT-compile it).
  struct Entry {
    int major, minor, cuda;
  };
  static const Entry kTable[] = {
      {7, 0, 11000}, {7, 1, 11010}, {7, 2, 11020}, {7, 3, 11030},
      {7, 4, 11040}, {7, 5, 11050}, {7, 6, 11060}, {7, 7, 11070},
      {7, 8, 11080}, {8, 0, 12000}, {8, 1, 12010}, {8, 2, 12020},
      {8, 3, 12030}, {8, 4, 12040}, {8, 5, 12050}, {8, 6, 12070},
      {8, 7, 12080}, {8, 8, 12090}, {9, 0, 13000},
  };
  for (const Entry &e : kTable)
    if (e.major == major && e.minor == minor)
      return e.cuda;
  return 0;
}

Module::Module(const Driver &driver, const cnnrt_model &m) : driver_(driver) {
  // The JIT's logs, asked for through the load's options: the error log is
  // what says which line of the PTX the driver rejected and why.
  static constexpr unsigned kLogBytes = 16384;
  std::string errorLog(kLogBytes, '\0'), infoLog(kLogBytes, '\0');
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                            CU_JIT_INFO_LOG_BUFFER,
                            CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {errorLog.data(),
                    reinterpret_cast<void *>(std::uintptr_t(kLogBytes)),
                    infoLog.data(),
                    reinterpret_cast<void *>(std::uintptr_t(kLogBytes))};
  CUresult r = driver.cuModuleLoadDataEx(&module_, m.gpu_ptx, 4, options,
                                         values);
  if (r != CUDA_SUCCESS) {
    module_ = nullptr;
    errorLog.back() = infoLog.back() = '\0';
    std::string message =
        fmt::format("cuModuleLoadDataEx (loading the model's PTX for {}): {}",
                    m.gpu_arch, driver.describe(r));
    auto isa = ptxIsaVersion(m.gpu_ptx);
    int needs = isa ? cudaVersionForPtx(isa->first, isa->second) : 0;
    // The PTX is newer than the driver (or of a version this table does
    // not know yet, and the driver says it is unsupported).
    if (isa && (needs > driver.version() ||
                (!needs && r == CUDA_ERROR_UNSUPPORTED_PTX_VERSION))) {
      std::string want = needs ? fmt::format("{} or newer",
                                             cudaVersionString(needs))
                               : std::string("a newer CUDA");
      message += fmt::format(
          "; the PTX is ISA {}.{}, which needs a {} driver, but the driver "
          "is {}: update the NVIDIA driver (or compile the model for an "
          "older PTX ISA)",
          isa->first, isa->second, want, driver.versionString());
    }
    std::string log = oneLine(errorLog.c_str());
    if (log.empty())
      log = oneLine(infoLog.c_str());
    if (!log.empty())
      message += "; JIT log: " + log;
    throw Error(message);
  }
  for (std::int64_t i = 0; i < m.gpu_num_kernels; ++i) {
    CUfunction f = nullptr;
    r = driver.cuModuleGetFunction(&f, module_, m.gpu_kernel_names[i]);
    if (r != CUDA_SUCCESS) {
      std::string message = fmt::format(
          "cuModuleGetFunction (kernel {} '{}' of the model's PTX): {}", i,
          printable(m.gpu_kernel_names[i]), driver.describe(r));
      driver.cuModuleUnload(module_);
      throw Error(message);
    }
    kernels_.push_back(f);
  }
}

Module::~Module() {
  if (module_)
    driver_.cuModuleUnload(module_); // nothing to do about a failure here
}

} // namespace cnnrt::cuda
