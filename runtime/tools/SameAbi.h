//===- SameAbi.h - A hand declaration against a vendor header ----*- C++ -*-===//
//
// For the build-time checks of the runtime's hand-declared ABIs (CudaApi.h,
// NcclApi.h) against cuda.h and nccl.h: two function types agree when they
// pass the same arguments in the same registers (int-sized enums and ints
// alike, a struct by value of the same size and alignment).
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_TOOLS_SAMEABI_H
#define CNNRT_TOOLS_SAMEABI_H

#include <type_traits>

namespace cnnrt {

template <typename A, typename B> constexpr bool sameAbi() {
  if constexpr (std::is_same_v<A, B>)
    return true;
  else if constexpr (std::is_pointer_v<A> && std::is_pointer_v<B>)
    return sameAbi<std::remove_pointer_t<A>, std::remove_pointer_t<B>>();
  else if constexpr ((std::is_enum_v<A> || std::is_integral_v<A>) &&
                     (std::is_enum_v<B> || std::is_integral_v<B>))
    return sizeof(A) == sizeof(B);
  else if constexpr (std::is_class_v<A> && std::is_class_v<B>)
    // A struct passed by value (ncclUniqueId: ours named, nccl.h's an
    // anonymous typedef): the same size and alignment.
    return sizeof(A) == sizeof(B) && alignof(A) == alignof(B);
  else
    return std::is_same_v<std::remove_cv_t<A>, std::remove_cv_t<B>>;
}

template <typename R1, typename... A1, typename R2, typename... A2>
constexpr bool sameFunction(R1 (*)(A1...), R2 (*)(A2...)) {
  if constexpr (sizeof...(A1) != sizeof...(A2))
    return false;
  else
    return sameAbi<R1, R2>() && (sameAbi<A1, A2>() && ...);
}

} // namespace cnnrt

#endif // CNNRT_TOOLS_SAMEABI_H
