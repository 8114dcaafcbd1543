//===- Arena.h - The parameter arena and its layout table --------*- C++ -*-===//
//
// A model's state (parameters and buffers, named as in PyTorch's state_dict)
// lives in one contiguous allocation. The compiler emits the layout table; the
// generated code addresses tensors by byte offset from the arena's base, and
// the runtime addresses them by name for checkpoints and initialisation.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_ARENA_H
#define CNNRT_ARENA_H

#include "cnnrt/Tensor.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cnnrt {

/// Parameters are trained (they get gradients and optimizer updates); buffers
/// are state that is saved but not trained (running_mean, num_batches_tracked).
enum class TensorRole : std::uint8_t { Parameter = 0, Buffer = 1 };

const char *roleName(TensorRole role);

/// What the compiler knows about one state tensor.
struct TensorSpec {
  std::string name; ///< state_dict name, e.g. "conv1.weight".
  Shape shape;
  DType dtype = DType::F32;
  TensorRole role = TensorRole::Parameter;
  /// Other state_dict names of the same tensor: PyTorch lists a block shared
  /// by n uses under every use's prefix ("resblocks.1.conv.weight", ...),
  /// the layout holds it once, under `name`.
  std::vector<std::string> aliases;
};

/// One row of the layout table: a spec placed at a byte offset.
struct LayoutEntry {
  std::string name;
  Shape shape;
  DType dtype = DType::F32;
  TensorRole role = TensorRole::Parameter;
  std::size_t offset = 0; ///< From the arena's base; a multiple of kAlignment.
  std::size_t nbytes = 0; ///< numel * dtypeSize, without padding.
  std::vector<std::string> aliases; ///< See TensorSpec::aliases.

  std::int64_t numel() const { return numElements(shape); }
};

/// The layout table: entries in declaration order, each 64-byte aligned.
/// An entry's index is its identity for seeding (see Init.h).
class Layout {
public:
  Layout() = default;
  /// Places the tensors in order. Throws on an empty or duplicate name (names
  /// and aliases together) or an invalid shape.
  explicit Layout(const std::vector<TensorSpec> &specs);

  const std::vector<LayoutEntry> &entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  const LayoutEntry &operator[](std::size_t i) const { return entries_[i]; }
  /// Total bytes, a multiple of kAlignment.
  std::size_t totalBytes() const { return totalBytes_; }
  /// nullptr when no tensor has this name.
  const LayoutEntry *find(std::string_view name) const;
  /// Index of the named entry, or -1. Aliases are not names here.
  std::ptrdiff_t indexOf(std::string_view name) const;
  /// Index of the entry that has `name` as its name or one of its aliases,
  /// or -1.
  std::ptrdiff_t resolve(std::string_view name) const;
  /// Whether any entry has aliases.
  bool hasAliases() const { return !byAlias_.empty(); }

private:
  std::vector<LayoutEntry> entries_;
  std::unordered_map<std::string, std::size_t> byName_, byAlias_;
  std::size_t totalBytes_ = 0;
};

/// The storage for a layout, zero-initialised.
class Arena {
public:
  explicit Arena(Layout layout);
  /// Storage of `capacityBytes` (at least the layout's total): the bytes
  /// after the layout's tensors belong to the owner, e.g. a compiled model's
  /// training state (gradients, momentum buffers; model_abi.h), which must
  /// share the one allocation the generated code addresses.
  Arena(Layout layout, std::size_t capacityBytes);

  const Layout &layout() const { return layout_; }
  std::uint8_t *base() { return storage_.data(); }
  const std::uint8_t *base() const { return storage_.data(); }
  /// The layout's bytes (what checkpoints hold).
  std::size_t sizeBytes() const { return layout_.totalBytes(); }
  /// The whole allocation: sizeBytes() plus the owner's extra bytes.
  std::size_t capacityBytes() const { return storage_.size(); }

  void *data(std::size_t index) { return base() + layout_[index].offset; }
  const void *data(std::size_t index) const {
    return base() + layout_[index].offset;
  }
  /// Typed access by name; throws if the name is unknown or the dtype differs.
  float *f32(std::string_view name);
  std::int64_t *i64(std::string_view name);

  /// Views of all tensors in layout order, for the writers.
  std::vector<TensorRef> tensors() const;
  /// The same, then a view under every alias: first the tensors' first
  /// aliases in layout order, then their second ones, and so on (for a
  /// shared block: resblocks.1.*, then resblocks.2.*, ...).
  std::vector<TensorRef> tensorsWithAliases() const;

private:
  Layout layout_;
  AlignedBuffer storage_;
};

} // namespace cnnrt

#endif // CNNRT_ARENA_H
