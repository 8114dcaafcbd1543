//===- cnnrt-tool.cpp - The runtime from the command line -----------------===//
//
// One subcommand per runtime concept, printing plain text that lit tests check
// with FileCheck or hand to a Python reference. Errors go to stderr as
// "error: <message>" with exit status 1.
//
//===----------------------------------------------------------------------===//

#include "cnnrt/Arena.h"
#include "cnnrt/Batching.h"
#include "cnnrt/Cifar.h"
#include "cnnrt/Error.h"
#include "cnnrt/Idx.h"
#include "cnnrt/Init.h"
#include "cnnrt/Philox.h"
#include "cnnrt/Safetensors.h"
#include "cnnrt/cnnrt.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

extern "C" int cnnrt_capi_smoke(const char *dir);

using namespace cnnrt;

namespace {

const char *kUsage = R"(usage: cnnrt-tool <command> [args]
  philox C0 C1 C2 C3 K0 K1 [ROUNDS]   one Philox-4x32 block (hex words)
  stream KIND N SEED STREAM [A B] OUT  KIND = u32 | uniform | normal; Init-domain
                                       stream values into OUT (.safetensors)
  layout LAYOUT                       print the layout table
  init LAYOUT SEED OUT                initialise from LAYOUT's specs and save
  load LAYOUT FILE [--allow-unexpected] [--allow-missing] [--dump] [--save OUT]
  st-read FILE                        print a safetensors file (generic reader)
  st-copy IN OUT                      read generically, write back
  idx FILE                            print an IDX file's dimensions
  mnist IMAGES LABELS | mnist-dir DIR train|test
  cifar DIR train|test [CLASSES]       CLASSES like 0,2
      data set commands take [--stats] [--normalize] [--image I]
  perm N SEED EPOCH [COUNT]           epoch permutations, one a line
  batches cifar DIR SPLIT CLASSES BATCH SEED EPOCH OUT
  capi DIR                            the C boundary smoke test
  cpu-missing FEATURES                which of FEATURES (a,b,...) this CPU lacks
LAYOUT: one tensor a line: NAME f32|i64 [D0,D1,...] param|buffer [INIT]
        [aliases=NAME,...] (the tensor's other state_dict names)
)";

[[noreturn]] void usage() {
  std::fputs(kUsage, stderr);
  std::exit(2);
}

std::uint64_t parseU64(const std::string &s, int base = 10) {
  char *end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, base);
  if (s.empty() || *end || errno || s[0] == '-')
    fail("'{}' is not a non-negative integer", s);
  return v;
}

double parseDouble(const std::string &s) {
  char *end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end)
    fail("'{}' is not a number", s);
  return v;
}

/// Reads the layout text format; the init spec defaults to zeros.
std::pair<Layout, std::vector<InitSpec>> readLayout(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    fail("cannot open layout '{}'", path);
  std::vector<TensorSpec> specs;
  std::vector<InitSpec> inits;
  std::string line;
  for (int lineNo = 1; std::getline(in, line); ++lineNo) {
    if (auto hash = line.find('#'); hash != std::string::npos)
      line.resize(hash);
    std::istringstream ss(line);
    std::string name, dtype, shape, role, init;
    if (!(ss >> name))
      continue;
    if (!(ss >> dtype >> shape >> role))
      fail("{}:{}: expected NAME DTYPE SHAPE ROLE [INIT] [aliases=A,B,...]",
           path, lineNo);
    TensorSpec spec;
    spec.name = name;
    for (std::string word; ss >> word;) {
      if (word.rfind("aliases=", 0) != 0) {
        if (!init.empty())
          fail("{}:{}: unexpected '{}'", path, lineNo, word);
        init = word;
        continue;
      }
      std::string list = word.substr(8);
      for (std::size_t at = 0; at <= list.size();) {
        std::size_t comma = std::min(list.find(',', at), list.size());
        spec.aliases.push_back(list.substr(at, comma - at));
        at = comma + 1;
      }
    }
    if (dtype == "f32")
      spec.dtype = DType::F32;
    else if (dtype == "i64")
      spec.dtype = DType::I64;
    else
      fail("{}:{}: dtype '{}' is not f32 or i64", path, lineNo, dtype);
    if (shape.size() < 2 || shape.front() != '[' || shape.back() != ']')
      fail("{}:{}: shape '{}' is not [D0,D1,...]", path, lineNo, shape);
    std::string dims = shape.substr(1, shape.size() - 2);
    for (std::size_t at = 0; !dims.empty() && at <= dims.size();) {
      std::size_t comma = dims.find(',', at);
      if (comma == std::string::npos)
        comma = dims.size();
      spec.shape.push_back(std::int64_t(parseU64(dims.substr(at, comma - at))));
      at = comma + 1;
    }
    if (role == "param")
      spec.role = TensorRole::Parameter;
    else if (role == "buffer")
      spec.role = TensorRole::Buffer;
    else
      fail("{}:{}: role '{}' is not param or buffer", path, lineNo, role);
    specs.push_back(spec);
    inits.push_back(init.empty() ? InitSpec::constant(0) : parseInitSpec(init));
  }
  return {Layout(specs), inits};
}

std::string formatValues(DType dtype, const void *data, std::int64_t n) {
  std::string s;
  for (std::int64_t i = 0; i < n; ++i) {
    if (i)
      s += ' ';
    if (dtype == DType::F32)
      s += fmt::format("{:.9g}", static_cast<const float *>(data)[i]);
    else if (dtype == DType::I32)
      s += fmt::format("{}", static_cast<const std::int32_t *>(data)[i]);
    else
      s += fmt::format("{}", static_cast<const std::int64_t *>(data)[i]);
  }
  return s;
}

int cmdPhilox(const std::vector<std::string> &a) {
  if (a.size() != 6 && a.size() != 7)
    usage();
  PhiloxCounter c;
  PhiloxKey k;
  for (int i = 0; i < 4; ++i)
    c[std::size_t(i)] = std::uint32_t(parseU64(a[std::size_t(i)], 16));
  for (int i = 0; i < 2; ++i)
    k[std::size_t(i)] = std::uint32_t(parseU64(a[std::size_t(4 + i)], 16));
  int rounds = a.size() == 7 ? int(parseU64(a[6])) : 10;
  auto r = philox4x32(c, k, rounds);
  fmt::print("{:08x} {:08x} {:08x} {:08x}\n", r[0], r[1], r[2], r[3]);
  return 0;
}

int cmdStream(const std::vector<std::string> &a) {
  if (a.size() != 5 && a.size() != 7)
    usage();
  const std::string &kind = a[0];
  std::int64_t n = std::int64_t(parseU64(a[1]));
  PhiloxStream rng(parseU64(a[2]), RngDomain::Init,
                   std::uint32_t(parseU64(a[3])));
  double lo = a.size() == 7 ? parseDouble(a[4]) : 0;
  double hi = a.size() == 7 ? parseDouble(a[5]) : 1;
  const std::string &out = a.back();
  if (kind == "u32") {
    Tensor t("values", DType::I64, {n});
    for (std::int64_t i = 0; i < n; ++i)
      t.i64()[i] = rng.word(std::uint64_t(i));
    writeSafetensors(out, {{t.name, t.dtype, t.shape, t.data()}});
    return 0;
  }
  Tensor t("values", DType::F32, {n});
  for (std::int64_t i = 0; i < n; ++i) {
    if (kind == "uniform")
      t.f32()[i] = rng.uniform(std::uint64_t(i), lo, hi);
    else if (kind == "normal")
      t.f32()[i] = rng.normal(std::uint64_t(i), lo, hi);
    else
      fail("stream kind '{}' is not u32, uniform or normal", kind);
  }
  writeSafetensors(out, {{t.name, t.dtype, t.shape, t.data()}});
  return 0;
}

int cmdLayout(const std::vector<std::string> &a) {
  if (a.size() != 1)
    usage();
  auto [layout, inits] = readLayout(a[0]);
  for (std::size_t i = 0; i < layout.size(); ++i) {
    const LayoutEntry &e = layout[i];
    fmt::print("{} {} {} {} {} offset={} bytes={} init={}", i, e.name,
               dtypeName(e.dtype), formatShape(e.shape), roleName(e.role),
               e.offset, e.nbytes, inits[i].str());
    for (const std::string &alias : e.aliases)
      fmt::print(" alias={}", alias);
    fmt::print("\n");
  }
  fmt::print("total={}\n", layout.totalBytes());
  return 0;
}

int cmdInit(const std::vector<std::string> &a) {
  if (a.size() != 3)
    usage();
  auto [layout, inits] = readLayout(a[0]);
  Arena arena(std::move(layout));
  initArena(arena, inits, parseU64(a[1]));
  saveArena(arena, a[2], {{"seed", a[1]}});
  return 0;
}

int cmdLoad(const std::vector<std::string> &a) {
  if (a.size() < 2)
    usage();
  LoadOptions options;
  bool dump = false;
  std::string saveTo;
  for (std::size_t i = 2; i < a.size(); ++i) {
    if (a[i] == "--allow-unexpected")
      options.allowUnexpected = true;
    else if (a[i] == "--allow-missing")
      options.allowMissing = true;
    else if (a[i] == "--dump")
      dump = true;
    else if (a[i] == "--save" && i + 1 < a.size())
      saveTo = a[++i];
    else
      usage();
  }
  auto [layout, inits] = readLayout(a[0]);
  Arena arena(std::move(layout));
  // Fill with a recognisable value so that tensors left alone show.
  for (std::size_t i = 0; i < arena.layout().size(); ++i)
    initTensor(arena, i, InitSpec::constant(-7), 0);
  LoadResult r = loadArena(arena, a[1], options);
  fmt::print("loaded {} tensors\n",
             arena.layout().size() - r.missing.size());
  for (const std::string &name : r.ignored)
    fmt::print("ignored {}\n", name);
  for (const std::string &name : r.missing)
    fmt::print("missing {}\n", name);
  for (const auto &[k, v] : r.metadata)
    fmt::print("metadata {} = {}\n", k, v);
  if (dump) {
    for (std::size_t i = 0; i < arena.layout().size(); ++i) {
      const LayoutEntry &e = arena.layout()[i];
      fmt::print("{}: {}\n", e.name,
                 formatValues(e.dtype, arena.data(i), e.numel()));
    }
  }
  if (!saveTo.empty())
    saveArena(arena, saveTo, r.metadata);
  return 0;
}

int cmdStRead(const std::vector<std::string> &a) {
  if (a.size() != 1)
    usage();
  SafetensorsFile f = readSafetensors(a[0]);
  for (const auto &[k, v] : f.metadata)
    fmt::print("metadata {} = {}\n", k, v);
  for (const Tensor &t : f.tensors)
    fmt::print("{} {} {}: {}\n", t.name, dtypeName(t.dtype),
               formatShape(t.shape),
               formatValues(t.dtype, t.data(), std::min<std::int64_t>(t.numel(), 16)));
  return 0;
}

int cmdStCopy(const std::vector<std::string> &a) {
  if (a.size() != 2)
    usage();
  SafetensorsFile f = readSafetensors(a[0]);
  std::vector<TensorRef> refs;
  for (const Tensor &t : f.tensors)
    refs.push_back({t.name, t.dtype, t.shape, t.data()});
  writeSafetensors(a[1], refs, f.metadata);
  return 0;
}

int cmdIdx(const std::vector<std::string> &a) {
  if (a.size() != 1)
    usage();
  IdxArray idx = readIdx(a[0]);
  std::uint64_t sum = 0;
  for (std::uint8_t b : idx.data)
    sum += b;
  fmt::print("dims {} bytes {} sum {}\n", fmt::join(idx.dims, "x"),
             idx.data.size(), sum);
  return 0;
}

/// Prints what the tests check of a data set: sizes, label histogram, the sum
/// of the pixels as bytes (exact), optionally statistics and one image.
int describe(Dataset &d, const std::vector<std::string> &flags) {
  bool stats = false, norm = false;
  std::int64_t image = -1;
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (flags[i] == "--stats")
      stats = true;
    else if (flags[i] == "--normalize")
      norm = true;
    else if (flags[i] == "--image" && i + 1 < flags.size())
      image = std::int64_t(parseU64(flags[++i]));
    else
      usage();
  }
  fmt::print("count {} shape {}x{}x{} classes {}\n", d.count, d.channels,
             d.height, d.width, d.numClasses);
  std::vector<std::int64_t> hist(std::size_t(d.numClasses), 0);
  for (std::int64_t l : d.labels)
    ++hist[std::size_t(l)];
  fmt::print("histogram {}\n", fmt::join(hist, " "));
  std::uint64_t sum = 0;
  for (float x : d.images)
    sum += std::uint64_t(std::lround(x * 255.0f));
  fmt::print("pixel-sum {}\n", sum);
  fmt::print("first-labels {}\n",
             fmt::join(d.labels.begin(),
                       d.labels.begin() + std::min<std::int64_t>(d.count, 10),
                       " "));
  if (image >= 0) {
    if (image >= d.count)
      fail("image {} out of range ({} images)", image, d.count);
    fmt::print("image {} label {}: {}\n", image, d.labels[std::size_t(image)],
               formatValues(DType::F32, d.image(image),
                            std::min<std::int64_t>(d.imageSize(), 8)));
  }
  if (stats || norm) {
    ChannelStats s = computeChannelStats(d);
    for (std::size_t c = 0; c < s.mean.size(); ++c)
      fmt::print("channel {} mean {:.9f} std {:.9f}\n", c, s.mean[c], s.std[c]);
    if (norm) {
      normalize(d, s);
      ChannelStats after = computeChannelStats(d);
      for (std::size_t c = 0; c < after.mean.size(); ++c)
        fmt::print("normalized {} mean {:.6f} std {:.6f}\n", c,
                   std::fabs(after.mean[c]) < 5e-7 ? 0.0 : after.mean[c],
                   after.std[c]);
    }
  }
  return 0;
}

std::vector<int> parseClasses(const std::string &s) {
  std::vector<int> classes;
  if (s == "all")
    return classes;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    classes.push_back(int(parseU64(item)));
  return classes;
}

Split parseSplit(const std::string &s) {
  if (s == "train")
    return Split::Train;
  if (s == "test")
    return Split::Test;
  fail("split '{}' is not train or test", s);
}

int cmdMnist(const std::vector<std::string> &a) {
  if (a.size() < 2)
    usage();
  Dataset d = loadIdxDataset(a[0], a[1]);
  return describe(d, {a.begin() + 2, a.end()});
}

int cmdMnistDir(const std::vector<std::string> &a) {
  if (a.size() < 2)
    usage();
  Dataset d = loadMnistLike(a[0], parseSplit(a[1]));
  return describe(d, {a.begin() + 2, a.end()});
}

int cmdCifar(const std::vector<std::string> &a) {
  if (a.size() < 2)
    usage();
  std::size_t flagsAt = 2;
  std::vector<int> classes;
  if (a.size() > 2 && a[2].rfind("--", 0) != 0) {
    classes = parseClasses(a[2]);
    flagsAt = 3;
  }
  Dataset d = loadCifar10(a[0], parseSplit(a[1]), classes);
  return describe(d, {a.begin() + std::ptrdiff_t(flagsAt), a.end()});
}

int cmdPerm(const std::vector<std::string> &a) {
  if (a.size() != 3 && a.size() != 4)
    usage();
  std::uint32_t epoch = std::uint32_t(parseU64(a[2]));
  std::uint64_t epochs = a.size() == 4 ? parseU64(a[3]) : 1;
  for (std::uint64_t e = 0; e < epochs; ++e) {
    auto p = epochPermutation(std::int64_t(parseU64(a[0])), parseU64(a[1]),
                              epoch + std::uint32_t(e));
    fmt::print("{}\n", fmt::join(p, " "));
  }
  return 0;
}

int cmdBatches(const std::vector<std::string> &a) {
  if (a.size() != 8 || a[0] != "cifar")
    usage();
  Dataset d = loadCifar10(a[1], parseSplit(a[2]), parseClasses(a[3]));
  std::int64_t batch = std::int64_t(parseU64(a[4]));
  std::vector<std::int64_t> order =
      epochPermutation(d.count, parseU64(a[5]), std::uint32_t(parseU64(a[6])));
  std::int64_t nb = numBatches(d.count, batch);
  std::vector<Tensor> tensors;
  tensors.emplace_back("order", DType::I64, Shape{d.count});
  std::copy(order.begin(), order.end(), tensors.back().i64());
  std::vector<float> images(std::size_t(batch * d.imageSize()));
  std::vector<std::int64_t> labels(static_cast<std::size_t>(batch));
  for (std::int64_t b = 0; b < nb; ++b) {
    std::int64_t n = gatherBatch(d, order, b, batch, images.data(), labels.data());
    fmt::print("batch {} size {}\n", b, n);
    Tensor &x = tensors.emplace_back(fmt::format("images.{}", b), DType::F32,
                                     Shape{n, d.channels, d.height, d.width});
    std::copy_n(images.data(), n * d.imageSize(), x.f32());
    Tensor &y = tensors.emplace_back(fmt::format("labels.{}", b), DType::I64,
                                     Shape{n});
    std::copy_n(labels.data(), n, y.i64());
  }
  std::vector<TensorRef> refs;
  for (const Tensor &t : tensors)
    refs.push_back({t.name, t.dtype, t.shape, t.data()});
  writeSafetensors(a[7], refs);
  return 0;
}

int cmdCapi(const std::vector<std::string> &a) {
  if (a.size() != 1)
    usage();
  return cnnrt_capi_smoke(a[0].c_str());
}

// The C API's CPU check: the features of a comma-separated list that this
// CPU (less CNNRT_CPU_MASK) lacks, and the best x86-64 level it runs.
int cmdCpuMissing(const std::vector<std::string> &a) {
  if (a.size() != 1)
    usage();
  std::printf("missing: %s\nlevel: %s\n",
              cnnrt_cpu_missing_features(a[0].c_str()), cnnrt_cpu_level());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2)
    usage();
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  static const std::map<std::string, int (*)(const std::vector<std::string> &)>
      commands = {{"philox", cmdPhilox},   {"stream", cmdStream},
                  {"layout", cmdLayout},   {"init", cmdInit},
                  {"load", cmdLoad},       {"st-read", cmdStRead},
                  {"st-copy", cmdStCopy},  {"idx", cmdIdx},
                  {"mnist", cmdMnist},     {"mnist-dir", cmdMnistDir},
                  {"cifar", cmdCifar},     {"perm", cmdPerm},
                  {"batches", cmdBatches}, {"capi", cmdCapi},
                  {"cpu-missing", cmdCpuMissing}};
  auto it = commands.find(cmd);
  if (it == commands.end())
    usage();
  try {
    return it->second(args);
  } catch (const Error &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
