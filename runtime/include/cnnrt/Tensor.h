//===- Tensor.h - Element types, shapes and owned tensors --------*- C++ -*-===//
//
// The runtime knows three element types: f32 for parameters, activations and
// images, i64 for labels and counters such as BatchNorm's num_batches_tracked,
// and i32 for labels read from batch files (train_step takes i32 labels; a
// model's own tensors are f32 or i64).
// Storage is 64-byte aligned so generated vector code can use aligned loads.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_TENSOR_H
#define CNNRT_TENSOR_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cnnrt {

/// Alignment of every tensor's storage, in bytes (one cache line, one AVX-512
/// register).
inline constexpr std::size_t kAlignment = 64;

enum class DType : std::uint8_t { F32 = 0, I64 = 1, I32 = 2 };

std::size_t dtypeSize(DType dtype);
/// The safetensors spelling: "F32", "I64", "I32".
const char *dtypeName(DType dtype);
/// Parses a safetensors dtype name; nullopt for names the runtime lacks.
std::optional<DType> dtypeFromName(std::string_view name);

using Shape = std::vector<std::int64_t>;

/// Product of the dimensions (1 for a scalar). Throws on a negative dimension
/// or an element count that overflows.
std::int64_t numElements(const Shape &shape);
/// "[16, 3, 3, 3]"; "[]" for a scalar.
std::string formatShape(const Shape &shape);

/// Rounds `bytes` up to a multiple of kAlignment.
inline std::size_t alignUp(std::size_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

/// Zero-initialised, kAlignment-aligned heap storage.
class AlignedBuffer {
public:
  AlignedBuffer() = default;
  /// Throws an Error naming `what` and the size when memory runs out.
  explicit AlignedBuffer(std::size_t bytes,
                         std::string_view what = "a tensor");

  std::uint8_t *data() { return data_.get(); }
  const std::uint8_t *data() const { return data_.get(); }
  std::size_t size() const { return size_; }

private:
  struct Free {
    void operator()(std::uint8_t *p) const;
  };
  std::unique_ptr<std::uint8_t[], Free> data_;
  std::size_t size_ = 0;
};

/// A named tensor that owns its storage: what the generic safetensors reader
/// returns (an `infer` batch, for instance).
struct Tensor {
  std::string name;
  DType dtype = DType::F32;
  Shape shape;
  AlignedBuffer storage;

  Tensor() = default;
  Tensor(std::string name, DType dtype, Shape shape);

  std::int64_t numel() const { return numElements(shape); }
  std::size_t nbytes() const { return std::size_t(numel()) * dtypeSize(dtype); }
  void *data() { return storage.data(); }
  const void *data() const { return storage.data(); }
  /// Typed access; throws if the dtype differs.
  float *f32();
  const float *f32() const;
  std::int64_t *i64();
  const std::int64_t *i64() const;
  const std::int32_t *i32() const;
};

/// A non-owning view of a named tensor, what the writers take.
struct TensorRef {
  std::string name;
  DType dtype = DType::F32;
  Shape shape;
  const void *data = nullptr;
};

} // namespace cnnrt

#endif // CNNRT_TENSOR_H
