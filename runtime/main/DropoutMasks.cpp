//===- DropoutMasks.cpp - A shard's dropout masks, made by the runtime ----===//

#include "DropoutMasks.h"

#include "cnnrt/Philox.h"

namespace cnnrt::cli {

void shardDropoutMasks(const Model &model, std::int64_t offset, std::int64_t n,
                       std::uint64_t seed, std::int64_t step, float *masks) {
  const cnnrt_model &desc = model.desc();
  auto t = std::uint64_t(step);
  PhiloxKey key = {std::uint32_t(seed), std::uint32_t(seed >> 32)};
  for (std::int64_t s = 0; s < desc.num_dropout_sites; ++s) {
    const cnnrt_dropout_site &site = desc.dropout_sites[s];
    std::int64_t e = site.elems_per_sample;
    // As the compiled step: kept iff uniform(x0) >= p, scaled by 1/(1 - p)
    // rounded to float once.
    float keep = 1.0f / float(1.0 - site.p);
    for (std::int64_t i = 0; i < n * e; ++i) {
      auto element = std::uint32_t(offset * e + i);
      auto x = philox4x32_10(
          {element, std::uint32_t(s), std::uint32_t(t), std::uint32_t(t >> 32)},
          key);
      masks[i] = double(uniformFromU32(x[0])) >= site.p ? keep : 0.0f;
    }
    masks += n * e;
  }
}

} // namespace cnnrt::cli
