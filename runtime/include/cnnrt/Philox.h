//===- Philox.h - Philox-4x32-10 counter-based random numbers ----*- C++ -*-===//
//
// Philox-4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy
// as 1, 2, 3", SC'11) maps a 128-bit counter and a 64-bit key to 128 random
// bits. Being a pure function, any element of any stream can be computed
// without the ones before it, so results do not depend on evaluation order or
// thread count, and a GPU kernel computes the very same bits.
//
// Streams. Every random quantity in cnnc is addressed as
//   key     = {seed & 0xffffffff, seed >> 32}
//   counter = {block & 0xffffffff, block >> 32, stream, domain}
// where `domain` separates uses (initialisation, shuffling, dropout) and
// `stream` is the tensor index, the epoch, and so on. Word i of a stream is
// word i % 4 of the output for block i / 4.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_PHILOX_H
#define CNNRT_PHILOX_H

#include <array>
#include <cstdint>

namespace cnnrt {

using PhiloxCounter = std::array<std::uint32_t, 4>;
using PhiloxKey = std::array<std::uint32_t, 2>;

/// Philox-4x32 with `rounds` rounds (10 is the standard, the only one cnnc
/// uses; 7 is exposed for the published 7-round test vectors).
std::array<std::uint32_t, 4> philox4x32(PhiloxCounter counter, PhiloxKey key,
                                        int rounds);

inline std::array<std::uint32_t, 4> philox4x32_10(const PhiloxCounter &counter,
                                                  const PhiloxKey &key) {
  return philox4x32(counter, key, 10);
}

/// u32 -> float in [0, 1): the top 24 bits times 2^-24. Both steps are exact
/// in IEEE single precision (a 24-bit integer converts exactly, and the scale
/// is a power of two), so CPU and GPU agree bit for bit. The values are the
/// 2^24 multiples of 2^-24 in [0, 1 - 2^-24], equally likely.
inline float uniformFromU32(std::uint32_t x) {
  return static_cast<float>(x >> 8) * 0x1p-24f;
}

/// u32 -> float in (0, 1]: ((x >> 8) + 1) * 2^-24, exact likewise; used where
/// a logarithm must not see 0 (Box-Muller).
inline float uniformOpenClosedFromU32(std::uint32_t x) {
  return static_cast<float>((x >> 8) + 1) * 0x1p-24f;
}

/// Separates the uses of the generator so that no two share counters.
enum class RngDomain : std::uint32_t { Init = 1, Shuffle = 2, Dropout = 3 };

/// A counter-addressed stream (see the header comment) with random access by
/// element index and a sequential cursor for algorithms such as shuffling.
class PhiloxStream {
public:
  PhiloxStream(std::uint64_t seed, RngDomain domain, std::uint32_t stream);

  /// Word i of the stream.
  std::uint32_t word(std::uint64_t i) const;
  /// The four words of block b.
  std::array<std::uint32_t, 4> block(std::uint64_t b) const;

  /// Element i of a uniform(low, high) sequence: low + (high - low) * u with
  /// u = uniformFromU32(word(i)), computed in double and rounded once to
  /// float (which can round up to `high` itself when high - low is large
  /// against its ulp).
  float uniform(std::uint64_t i, double low, double high) const;

  /// Element i of a normal(mean, std) sequence, Box-Muller on word pairs:
  /// element i uses block i / 4; lanes (0, 1) serve elements 4k and 4k+1,
  /// lanes (2, 3) serve 4k+2 and 4k+3. With u1 = uniformOpenClosedFromU32 of
  /// the even lane and u2 = uniformFromU32 of the odd lane, r = sqrt(-2 ln u1),
  /// the even element is mean + std * r cos(2 pi u2) and the odd one
  /// mean + std * r sin(2 pi u2), computed in double and rounded to float.
  float normal(std::uint64_t i, double mean, double std) const;

  /// Sequential words from a cursor starting at word 0.
  std::uint32_t next();
  /// An unbiased integer in [0, n), n >= 1 (Lemire's multiply-and-reject on
  /// sequential words).
  std::uint32_t nextBelow(std::uint32_t n);

private:
  PhiloxKey key_;
  std::uint32_t stream_, domain_;
  std::uint64_t cursor_ = 0;
  std::uint64_t cachedBlock_ = ~std::uint64_t(0);
  std::array<std::uint32_t, 4> cached_{};
};

} // namespace cnnrt

#endif // CNNRT_PHILOX_H
