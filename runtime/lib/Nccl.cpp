//===- Nccl.cpp - NCCL, loaded at run time --------------------------------===//

#include "cnnrt/Nccl.h"

#include "cnnrt/Error.h"

#include <dlfcn.h>

#include <cstdlib>

namespace cnnrt::nccl {

const Nccl *Nccl::get(std::string &whyNot) {
  static std::string reason;
  static std::unique_ptr<Nccl> nccl = open(reason);
  whyNot = reason;
  return nccl.get();
}

std::string Nccl::versionString() const {
  // NCCL 2.9 on: 10000 * major + 100 * minor + patch.
  return fmt::format("NCCL {}.{}.{}", version_ / 10000, version_ / 100 % 100,
                     version_ % 100);
}

std::string Nccl::describe(ncclResult_t result, ncclComm_t comm) const {
  const char *text = ncclGetErrorString(result);
  std::string out = text && *text ? text : fmt::format("NCCL error {}", result);
  const char *last = ncclGetLastError(comm);
  if (last && *last)
    out += fmt::format(" ({})", last);
  return printable(out);
}

void Nccl::check(ncclResult_t result, std::string_view what,
                 ncclComm_t comm) const {
  if (result != ncclSuccess)
    fail("{}: {}", what, describe(result, comm));
}

std::unique_ptr<Nccl> Nccl::open(std::string &whyNot) {
  const char *env = std::getenv("CNNRT_NCCL_LIBRARY");
  std::string library = env && *env ? env : "libnccl.so.2";
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *error = dlerror();
    std::string text = error ? error : "unknown error";
    whyNot = text.find("No such file or directory") != std::string::npos
                 ? fmt::format("no NCCL ({} not found)", library)
                 : fmt::format("no usable NCCL (cannot load {}: {})", library,
                               printable(text));
    return nullptr;
  }
  std::unique_ptr<Nccl> nccl(new Nccl());
  nccl->library_ = library;
  const char *missing = nullptr;
#define CNNRT_NCCL_RESOLVE(result, name, params)                               \
  nccl->name = reinterpret_cast<decltype(nccl->name)>(dlsym(handle, #name));   \
  if (!nccl->name && !missing)                                                 \
    missing = #name;
  CNNRT_NCCL_ENTRY_POINTS(CNNRT_NCCL_RESOLVE)
#undef CNNRT_NCCL_RESOLVE
  if (missing) {
    whyNot = fmt::format("the NCCL library {} is too old: it has no {} (NCCL "
                         "2.13 or newer is needed)",
                         library, missing);
    return nullptr;
  }
  if (ncclResult_t r = nccl->ncclGetVersion(&nccl->version_);
      r != ncclSuccess) {
    whyNot = fmt::format("the NCCL library {} does not start "
                         "(ncclGetVersion: {})",
                         library, nccl->describe(r));
    return nullptr;
  }
  return nccl;
}

Communicator::Communicator(const Nccl &nccl, const ncclUniqueId &id,
                           int ranks, int rank, int device)
    : nccl_(nccl) {
  ncclResult_t r = nccl.ncclCommInitRank(&comm_, ranks, id, rank);
  if (r != ncclSuccess) {
    std::string text = nccl.describe(r, comm_);
    if (comm_)
      nccl.ncclCommAbort(comm_);
    fail("ncclCommInitRank (rank {} of {}, device {}): {}", rank, ranks,
         device, text);
  }
}

Communicator::~Communicator() {
  // Nothing the caller could do about a failure here: ignored.
  if (failed_)
    nccl_.ncclCommAbort(comm_);
  else
    nccl_.ncclCommDestroy(comm_);
}

void Communicator::sum(void *data, std::size_t count, ncclDataType_t type,
                       cuda::CUstream stream) {
  ncclResult_t r =
      nccl_.ncclAllReduce(data, data, count, type, ncclSum, comm_, stream);
  if (r != ncclSuccess) {
    failed_ = true;
    nccl_.check(r,
                fmt::format("ncclAllReduce ({} {} values)", count,
                            type == ncclFloat64 ? "f64" : "f32"),
                comm_);
  }
}

} // namespace cnnrt::nccl
