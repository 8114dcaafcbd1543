//===- DropoutMasks.h - A shard's dropout masks, made by the runtime -*- C++ -*-===//
//
// train_step generates the masks of its batch keyed by the element's index
// within the batch (model_abi.h). A replica of a data-parallel run holds
// only a shard of the global batch, at some sample offset: it makes the
// masks the whole batch would have for its samples here and passes them as
// given (masks_given), so that masks depend on the global sample index,
// never on the number of replicas.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_DROPOUTMASKS_H
#define CNNRT_MAIN_DROPOUTMASKS_H

#include "Model.h"

#include <cstdint>

namespace cnnrt::cli {

/// train_step's mask buffer for samples [offset, offset + n) of a batch:
/// site s at n · (the earlier sites' elems_per_sample), each [n, E]; the
/// element (i, j) of site s is the batch's element ((offset + i) · E + j).
void shardDropoutMasks(const Model &model, std::int64_t offset, std::int64_t n,
                       std::uint64_t seed, std::int64_t step, float *masks);

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_DROPOUTMASKS_H
