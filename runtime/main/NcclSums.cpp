//===- NcclSums.cpp - A GPU training step's replica sums, by NCCL ---------===//

#include "NcclSums.h"

#include "cnnrt/Error.h"
#include "cnnrt/model_abi.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

namespace cnnrt::cli {

namespace {

const nccl::Nccl &library() {
  std::string why;
  const nccl::Nccl *n = nccl::Nccl::get(why);
  if (!n)
    fail("internal error: {}", why);
  return *n;
}

} // namespace

std::string ncclUnavailable() {
  std::string why;
  nccl::Nccl::get(why);
  return why;
}

std::string ncclVersionText() { return library().versionString(); }

NcclSums::NcclSums(const Replicas &replicas, int device,
                   cuda::CUstream stream)
    : replicas_(replicas), stream_(stream) {
  const nccl::Nccl &nccl = library();
  // The same algorithm and protocol on every run: the same bits.
  setenv("NCCL_ALGO", "Ring", /*overwrite=*/0);
  setenv("NCCL_PROTO", "Simple", /*overwrite=*/0);
  // Rank 0's id, or why it has none, on every rank.
  struct {
    nccl::ncclUniqueId id;
    char failure[512];
  } bootstrap{};
  if (replicas.leader()) {
    nccl::ncclResult_t r = nccl.ncclGetUniqueId(&bootstrap.id);
    if (r != nccl::ncclSuccess)
      std::snprintf(bootstrap.failure, sizeof bootstrap.failure,
                    "ncclGetUniqueId on rank 0: %s",
                    nccl.describe(r).c_str());
  }
  replicas.broadcast(&bootstrap, sizeof bootstrap);
  if (bootstrap.failure[0])
    fail("{}", bootstrap.failure);
  comm_ = std::make_unique<nccl::Communicator>(
      nccl, bootstrap.id, replicas.size(), replicas.rank(), device);
  cnnrt_set_replica_sum(&NcclSums::sum, this);
}

NcclSums::~NcclSums() { replicas_.hookStepSums(); }

void NcclSums::sum(void *data, std::int64_t count, std::int32_t dtype,
                   void *context) {
  // Called from the compiled step: an exception must not cross it.
  auto *self = static_cast<NcclSums *>(context);
  if (!self->failure_.empty())
    return;
  try {
    self->comm_->sum(data, std::size_t(count),
                     dtype == CNNRT_F64 ? nccl::ncclFloat64
                                        : nccl::ncclFloat32,
                     self->stream_);
  } catch (const Error &e) {
    self->failure_ = e.what();
  }
}

void NcclSums::check() const {
  if (!failure_.empty())
    fail("{}", failure_);
}

} // namespace cnnrt::cli
