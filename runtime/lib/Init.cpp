//===- Init.cpp - Seeded initialisation of an arena -----------------------===//

#include "cnnrt/Init.h"
#include "cnnrt/Error.h"
#include "cnnrt/Philox.h"

#include <cmath>
#include <cstdlib>

namespace cnnrt {

std::string InitSpec::str() const {
  switch (kind) {
  case Kind::Uniform:
    return fmt::format("uniform({}, {})", a, b);
  case Kind::Normal:
    return fmt::format("normal({}, {})", a, b);
  case Kind::Constant:
    return fmt::format("constant({})", a);
  }
  return "?";
}

static double parseNumber(std::string_view text, std::string_view whole) {
  std::string s(text);
  const char *begin = s.c_str();
  while (*begin == ' ')
    ++begin;
  char *end = nullptr;
  double v = std::strtod(begin, &end);
  while (end && *end == ' ')
    ++end;
  if (end == begin || *end != '\0' || !std::isfinite(v))
    fail("init spec '{}': '{}' is not a number", whole, text);
  return v;
}

InitSpec parseInitSpec(std::string_view text) {
  if (text == "zeros")
    return InitSpec::constant(0);
  if (text == "ones")
    return InitSpec::constant(1);
  std::size_t open = text.find('(');
  if (open == std::string_view::npos || text.back() != ')')
    fail("init spec '{}': expected uniform(low, high), normal(mean, std), "
         "constant(v), zeros or ones",
         text);
  std::string_view kind = text.substr(0, open);
  std::string_view args = text.substr(open + 1, text.size() - open - 2);
  std::vector<double> values;
  while (true) {
    std::size_t comma = args.find(',');
    values.push_back(parseNumber(args.substr(0, comma), text));
    if (comma == std::string_view::npos)
      break;
    args.remove_prefix(comma + 1);
  }
  auto want = [&](std::size_t n) {
    if (values.size() != n)
      fail("init spec '{}': {} takes {} argument(s)", text, kind, n);
  };
  if (kind == "uniform") {
    want(2);
    return InitSpec::uniform(values[0], values[1]);
  }
  if (kind == "normal") {
    want(2);
    return InitSpec::normal(values[0], values[1]);
  }
  if (kind == "constant") {
    want(1);
    return InitSpec::constant(values[0]);
  }
  fail("init spec '{}': unknown kind '{}'", text, kind);
}

void initTensor(Arena &arena, std::size_t index, const InitSpec &spec,
                std::uint64_t seed) {
  if (index >= arena.layout().size())
    fail("init: tensor index {} out of range ({} tensors)", index,
         arena.layout().size());
  const LayoutEntry &e = arena.layout()[index];
  const std::int64_t n = e.numel();
  if (e.dtype == DType::I64) {
    if (spec.kind != InitSpec::Kind::Constant)
      fail("init: tensor '{}' is I64 and takes only a constant, not {}",
           e.name, spec.str());
    if (spec.a != std::floor(spec.a) || std::fabs(spec.a) > 9.0e18)
      fail("init: tensor '{}' is I64; {} is not an integer", e.name, spec.str());
    auto *p = static_cast<std::int64_t *>(arena.data(index));
    for (std::int64_t i = 0; i < n; ++i)
      p[i] = std::int64_t(spec.a);
    return;
  }
  auto *p = static_cast<float *>(arena.data(index));
  PhiloxStream rng(seed, RngDomain::Init, std::uint32_t(index));
  switch (spec.kind) {
  case InitSpec::Kind::Constant:
    for (std::int64_t i = 0; i < n; ++i)
      p[i] = float(spec.a);
    return;
  case InitSpec::Kind::Uniform:
    if (!(spec.a <= spec.b))
      fail("init: tensor '{}': {} has low above high", e.name, spec.str());
    for (std::int64_t i = 0; i < n; ++i)
      p[i] = rng.uniform(std::uint64_t(i), spec.a, spec.b);
    return;
  case InitSpec::Kind::Normal:
    if (!(spec.b >= 0))
      fail("init: tensor '{}': {} has a negative std", e.name, spec.str());
    for (std::int64_t i = 0; i < n; ++i)
      p[i] = rng.normal(std::uint64_t(i), spec.a, spec.b);
    return;
  }
}

void initArena(Arena &arena, const std::vector<InitSpec> &specs,
               std::uint64_t seed) {
  if (specs.size() != arena.layout().size())
    fail("init: {} specs for {} tensors", specs.size(), arena.layout().size());
  for (std::size_t i = 0; i < specs.size(); ++i)
    initTensor(arena, i, specs[i], seed);
}

} // namespace cnnrt
