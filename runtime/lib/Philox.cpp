//===- Philox.cpp - Philox-4x32-10 counter-based random numbers -----------===//
//
// Written from the algorithm in Salmon et al. (SC'11): each round multiplies
// counter words 0 and 2 by fixed constants, swaps the high and low halves
// across the words and XORs in the key; the key is bumped by the Weyl
// constants (golden ratio, sqrt(3) - 1) between rounds.
//
//===----------------------------------------------------------------------===//

#include "cnnrt/Philox.h"
#include "cnnrt/Error.h"

#include <cmath>

namespace cnnrt {

namespace {
constexpr std::uint32_t kMul0 = 0xD2511F53, kMul1 = 0xCD9E8D57;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9, kWeyl1 = 0xBB67AE85;
constexpr double kTwoPi = 6.283185307179586476925286766559;
} // namespace

std::array<std::uint32_t, 4> philox4x32(PhiloxCounter c, PhiloxKey k,
                                        int rounds) {
  for (int r = 0; r < rounds; ++r) {
    if (r > 0) {
      k[0] += kWeyl0;
      k[1] += kWeyl1;
    }
    std::uint64_t p0 = std::uint64_t(kMul0) * c[0];
    std::uint64_t p1 = std::uint64_t(kMul1) * c[2];
    c = {std::uint32_t(p1 >> 32) ^ c[1] ^ k[0], std::uint32_t(p1),
         std::uint32_t(p0 >> 32) ^ c[3] ^ k[1], std::uint32_t(p0)};
  }
  return c;
}

PhiloxStream::PhiloxStream(std::uint64_t seed, RngDomain domain,
                           std::uint32_t stream)
    : key_{std::uint32_t(seed), std::uint32_t(seed >> 32)}, stream_(stream),
      domain_(static_cast<std::uint32_t>(domain)) {}

std::array<std::uint32_t, 4> PhiloxStream::block(std::uint64_t b) const {
  return philox4x32_10(
      {std::uint32_t(b), std::uint32_t(b >> 32), stream_, domain_}, key_);
}

std::uint32_t PhiloxStream::word(std::uint64_t i) const {
  return block(i / 4)[i % 4];
}

float PhiloxStream::uniform(std::uint64_t i, double low, double high) const {
  double u = uniformFromU32(word(i));
  return float(low + (high - low) * u);
}

float PhiloxStream::normal(std::uint64_t i, double mean, double std) const {
  std::array<std::uint32_t, 4> w = block(i / 4);
  std::size_t lane = (i % 4) & ~std::size_t(1);
  double u1 = uniformOpenClosedFromU32(w[lane]);
  double u2 = uniformFromU32(w[lane + 1]);
  double r = std::sqrt(-2.0 * std::log(u1));
  double z = (i % 2 == 0) ? r * std::cos(kTwoPi * u2) : r * std::sin(kTwoPi * u2);
  return float(mean + std * z);
}

std::uint32_t PhiloxStream::next() {
  std::uint64_t b = cursor_ / 4;
  if (b != cachedBlock_) {
    cached_ = block(b);
    cachedBlock_ = b;
  }
  return cached_[cursor_++ % 4];
}

std::uint32_t PhiloxStream::nextBelow(std::uint32_t n) {
  if (n == 0)
    fail("PhiloxStream::nextBelow: empty range");
  // Lemire, "Fast random integer generation in an interval" (2019): the high
  // word of x * n is uniform on [0, n) once the few x whose low word falls
  // below 2^32 mod n are rejected.
  std::uint64_t m = std::uint64_t(next()) * n;
  std::uint32_t low = std::uint32_t(m);
  if (low < n) {
    std::uint32_t threshold = std::uint32_t(-n) % n;
    while (low < threshold) {
      m = std::uint64_t(next()) * n;
      low = std::uint32_t(m);
    }
  }
  return std::uint32_t(m >> 32);
}

} // namespace cnnrt
