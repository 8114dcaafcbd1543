//===- CpuFeatures.cpp - Does this CPU have what the model needs? ---------===//
//
// cnnc records in every model the x86 features its code was compiled for
// (cnnrt_model.target_features, the names of CpuFeatures.def); code run on a
// CPU without one of them dies of SIGILL somewhere in the first forward.
// This file answers from CPUID and XGETBV (the OS must enable the AVX,
// AVX-512, AMX and APX register state too) before any generated code runs.
// It must itself run on any x86-64: the runtime is compiled for the
// baseline (runtime/CMakeLists.txt) and nothing here may need more.
//
// CNNRT_CPU_MASK (comma-separated feature names) hides features of this CPU,
// so that tests can play a CPU without AVX-512 on one that has it.
//
//===----------------------------------------------------------------------===//

#include "cnnrt/model_abi.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define CNNRT_X86 1
#endif

namespace {

enum Reg { EAX, EBX, ECX, EDX };
enum State : std::uint64_t {
  NONE = 0,
  AVX = 0x6,                // XCR0: SSE and YMM state
  AVX512 = 0xe6,            // + opmask, ZMM_Hi256, Hi16_ZMM
  AMX = (3ull << 17),       // XTILECFG, XTILEDATA
  APX = (1ull << 19),       // extended GPRs
};

struct Feature {
  const char *name;
  unsigned leaf, subleaf;
  Reg reg;
  unsigned bit;
  std::uint64_t state;
  unsigned avx10;
};

const Feature kFeatures[] = {
#define CNNRT_CPU_FEATURE(name, leaf, subleaf, reg, bit, state, avx10)         \
  {name, leaf, subleaf, reg, bit, state, avx10},
#include "cnnrt/CpuFeatures.def"
};

const Feature *findFeature(std::string_view name) {
  for (const Feature &f : kFeatures)
    if (name == f.name)
      return &f;
  return nullptr;
}

std::vector<std::string_view> splitList(std::string_view list) {
  std::vector<std::string_view> items;
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (!item.empty())
      items.push_back(item);
    if (comma == std::string_view::npos)
      break;
    list.remove_prefix(comma + 1);
  }
  return items;
}

bool masked(std::string_view name) {
  const char *mask = std::getenv("CNNRT_CPU_MASK");
  if (!mask)
    return false;
  for (std::string_view item : splitList(mask))
    if (item == name)
      return true;
  return false;
}

#ifdef CNNRT_X86
bool cpuid(unsigned leaf, unsigned subleaf, unsigned out[4]) {
  return __get_cpuid_count(leaf, subleaf, &out[0], &out[1], &out[2],
                           &out[3]) != 0;
}

/// The register state the OS saves and restores (XCR0), 0 without XSAVE.
std::uint64_t enabledState() {
  unsigned r[4];
  if (!cpuid(1, 0, r) || !(r[ECX] & (1u << 27))) // OSXSAVE
    return 0;
  unsigned lo, hi;
  // xgetbv spelled as bytes: no -mxsave needed, any assembler takes it.
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
  return (std::uint64_t(hi) << 32) | lo;
}
#endif

bool cpuHas(const Feature &f) {
#ifdef CNNRT_X86
  unsigned r[4];
  if (!cpuid(f.leaf, f.subleaf, r) || !(r[f.reg] & (1u << f.bit)))
    return false;
  if (f.avx10 && (!cpuid(0x24, 0, r) || (r[EBX] & 0xff) < f.avx10))
    return false;
  return (enabledState() & f.state) == f.state;
#else
  return false;
#endif
}

bool has(const Feature &f) { return !masked(f.name) && cpuHas(f); }

bool hasAll(std::initializer_list<const char *> names) {
  for (const char *name : names) {
    const Feature *f = findFeature(name);
    if (!f || !has(*f))
      return false;
  }
  return true;
}

std::string joined(const std::vector<std::string> &items, const char *sep,
                   std::size_t limit = SIZE_MAX) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < limit; ++i)
    out += (i ? sep : "") + items[i];
  if (items.size() > limit)
    out += fmt::format(" and {} more", items.size() - limit);
  return out;
}

std::vector<std::string> missingFeatures(std::string_view required) {
  std::vector<std::string> missing;
  for (std::string_view name : splitList(required)) {
    const Feature *f = findFeature(name);
    if (!f || !has(*f))
      missing.emplace_back(name);
  }
  return missing;
}

/// What the features amount to, for people: "AVX-512", "AVX2", ...
const char *family(std::string_view required) {
  bool avx512 = false, avx2 = false, avx = false, sse42 = false;
  for (std::string_view name : splitList(required)) {
    avx512 |= name == "avx512f";
    avx2 |= name == "avx2";
    avx |= name == "avx";
    sse42 |= name == "sse4.2";
  }
  return avx512 ? "AVX-512" : avx2 ? "AVX2" : avx ? "AVX" : sse42 ? "SSE4.2"
                                                                  : "x86-64";
}

thread_local std::string result;

} // namespace

extern "C" {

const char *cnnrt_cpu_missing_features(const char *features) {
  result = joined(missingFeatures(features ? features : ""), ",");
  return result.c_str();
}

const char *cnnrt_cpu_level(void) {
  if (!hasAll({"cx16", "sahf", "popcnt", "sse3", "ssse3", "sse4.1", "sse4.2"}))
    return "x86-64";
  if (!hasAll({"avx", "avx2", "bmi", "bmi2", "f16c", "fma", "lzcnt", "movbe",
               "xsave"}))
    return "x86-64-v2";
  if (!hasAll({"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}))
    return "x86-64-v3";
  return "x86-64-v4";
}

const char *cnnrt_model_check_cpu(const cnnrt_model *model) {
  if (!model || model->abi_version != CNNRT_MODEL_ABI_VERSION)
    return nullptr; // the runtime's ABI check says what is wrong
  const char *required = model->target_features ? model->target_features : "";
  std::vector<std::string> missing = missingFeatures(required);
  if (missing.empty())
    return nullptr;
  const char *cpu =
      model->target_cpu && *model->target_cpu ? model->target_cpu : "x86-64";
  result = fmt::format(
      "compiled for {} ({}), but this CPU lacks {}: recompile with cnnc "
      "-mcpu={} (or -mcpu=native)",
      cpu, family(required), joined(missing, ", ", 8), cnnrt_cpu_level());
  return result.c_str();
}

} // extern "C"
