//===- ReplicaSum.cpp - the sums a data-parallel training step calls ------===//
//
// model_abi.h's cnnrt_replica_sum_f32/_f64: the generated train_step hands
// them its gradients, batch statistics and sample counts. One process is
// its own sum, so without a hook they return at once; a data-parallel
// runner (runtime/main/Replicas.h, or a program's own) sets the hook that
// exchanges the buffer with the other replicas.
//
//===----------------------------------------------------------------------===//

#include "cnnrt/model_abi.h"

namespace {
cnnrt_replica_sum_fn gSum = nullptr;
void *gContext = nullptr;
} // namespace

extern "C" {

void cnnrt_set_replica_sum(cnnrt_replica_sum_fn fn, void *context) {
  gSum = fn;
  gContext = context;
}

void cnnrt_replica_sum_f32(float *, float *aligned, int64_t offset,
                           int64_t size, int64_t) {
  if (gSum && size > 0)
    gSum(aligned + offset, size, CNNRT_F32, gContext);
}

void cnnrt_replica_sum_f64(double *, double *aligned, int64_t offset,
                           int64_t size, int64_t) {
  if (gSum && size > 0)
    gSum(aligned + offset, size, CNNRT_F64, gContext);
}

} // extern "C"
