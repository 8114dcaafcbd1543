//===- Tensor.cpp - Element types, shapes and owned tensors ---------------===//

#include "cnnrt/Tensor.h"
#include "cnnrt/Error.h"

#include <fmt/ranges.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace cnnrt {

std::size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return 4;
  case DType::I64:
    return 8;
  case DType::I32:
    return 4;
  }
  fail("invalid dtype {}", int(dtype));
}

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "F32";
  case DType::I64:
    return "I64";
  case DType::I32:
    return "I32";
  }
  return "?";
}

std::optional<DType> dtypeFromName(std::string_view name) {
  if (name == "F32")
    return DType::F32;
  if (name == "I64")
    return DType::I64;
  if (name == "I32")
    return DType::I32;
  return std::nullopt;
}

std::int64_t numElements(const Shape &shape) {
  // Bounded well below INT64_MAX so that numel * dtypeSize cannot overflow.
  constexpr std::int64_t kLimit = std::int64_t(1) << 56;
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    if (d < 0)
      fail("invalid shape {}: negative dimension", formatShape(shape));
    if (d != 0 && n > kLimit / d)
      fail("invalid shape {}: too many elements", formatShape(shape));
    n *= d;
  }
  return n;
}

std::string formatShape(const Shape &shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

AlignedBuffer::AlignedBuffer(std::size_t bytes, std::string_view what)
    : size_(bytes) {
  // aligned_alloc wants a size that is a multiple of the alignment, and a
  // non-null pointer even for empty tensors keeps the callers simple.
  std::size_t padded = alignUp(bytes == 0 ? 1 : bytes);
  auto *p = static_cast<std::uint8_t *>(std::aligned_alloc(kAlignment, padded));
  if (!p)
    failOutOfMemory(what, padded);
  std::memset(p, 0, padded);
  data_.reset(p);
}

void AlignedBuffer::Free::operator()(std::uint8_t *p) const { std::free(p); }

Tensor::Tensor(std::string name, DType dtype, Shape shape)
    : name(std::move(name)), dtype(dtype), shape(std::move(shape)) {
  storage = AlignedBuffer(nbytes(), fmt::format("tensor '{}'", this->name));
}

static void checkDtype(const Tensor &t, DType want) {
  if (t.dtype != want)
    fail("tensor '{}' is {}, not {}", t.name, dtypeName(t.dtype),
         dtypeName(want));
}

float *Tensor::f32() {
  checkDtype(*this, DType::F32);
  return reinterpret_cast<float *>(storage.data());
}
const float *Tensor::f32() const {
  checkDtype(*this, DType::F32);
  return reinterpret_cast<const float *>(storage.data());
}
std::int64_t *Tensor::i64() {
  checkDtype(*this, DType::I64);
  return reinterpret_cast<std::int64_t *>(storage.data());
}
const std::int64_t *Tensor::i64() const {
  checkDtype(*this, DType::I64);
  return reinterpret_cast<const std::int64_t *>(storage.data());
}
const std::int32_t *Tensor::i32() const {
  checkDtype(*this, DType::I32);
  return reinterpret_cast<const std::int32_t *>(storage.data());
}

} // namespace cnnrt
