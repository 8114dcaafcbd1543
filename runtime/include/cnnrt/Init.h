//===- Init.h - Seeded initialisation of an arena ----------------*- C++ -*-===//
//
// Each tensor draws from its own Philox stream keyed by (seed, tensor index in
// the layout) in the Init domain, element i from word i (see Philox.h), so
// the values depend only on the seed, the tensor's position and the spec,
// never on which thread fills what or in which order.
//
// The compiler turns PyTorch's defaults into these specs: kaiming_uniform with
// a = sqrt(5) is uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)), kaiming_normal(relu)
// is normal(0, sqrt(2 / fan_in)), zeros is constant(0).
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_INIT_H
#define CNNRT_INIT_H

#include "cnnrt/Arena.h"

#include <string>
#include <string_view>
#include <vector>

namespace cnnrt {

struct InitSpec {
  enum class Kind : std::uint8_t { Uniform = 0, Normal = 1, Constant = 2 };
  Kind kind = Kind::Constant;
  double a = 0; ///< low | mean | value
  double b = 0; ///< high | std | unused

  static InitSpec uniform(double low, double high) {
    return {Kind::Uniform, low, high};
  }
  static InitSpec normal(double mean, double std) {
    return {Kind::Normal, mean, std};
  }
  static InitSpec constant(double value) { return {Kind::Constant, value, 0}; }

  /// "uniform(-0.5, 0.5)", "normal(0, 0.02)", "constant(1)".
  std::string str() const;
};

/// Parses the str() forms and the shorthands "zeros" and "ones".
InitSpec parseInitSpec(std::string_view text);

/// Fills tensor `index` of `arena` from `spec`. Throws (naming the tensor) on
/// uniform/normal for an i64 tensor, a non-integral constant for i64, low >
/// high, or a negative std.
void initTensor(Arena &arena, std::size_t index, const InitSpec &spec,
                std::uint64_t seed);

/// Fills every tensor: specs[i] is for layout entry i.
void initArena(Arena &arena, const std::vector<InitSpec> &specs,
               std::uint64_t seed);

} // namespace cnnrt

#endif // CNNRT_INIT_H
