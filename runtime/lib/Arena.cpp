//===- Arena.cpp - The parameter arena and its layout table ---------------===//

#include "cnnrt/Arena.h"
#include "cnnrt/Error.h"

#include <algorithm>

namespace cnnrt {

const char *roleName(TensorRole role) {
  return role == TensorRole::Parameter ? "parameter" : "buffer";
}

Layout::Layout(const std::vector<TensorSpec> &specs) {
  std::size_t offset = 0;
  for (const TensorSpec &spec : specs) {
    if (spec.name.empty())
      fail("layout: tensor {} has an empty name", entries_.size());
    if (spec.dtype != DType::F32 && spec.dtype != DType::I64)
      fail("layout: tensor '{}' has an invalid dtype", spec.name);
    std::int64_t numel;
    try {
      numel = numElements(spec.shape);
    } catch (const Error &e) {
      fail("layout: tensor '{}': {}", spec.name, e.what());
    }
    if (!byName_.emplace(spec.name, entries_.size()).second ||
        byAlias_.count(spec.name))
      fail("layout: duplicate tensor name '{}'", spec.name);
    for (const std::string &alias : spec.aliases) {
      if (alias.empty())
        fail("layout: tensor '{}' has an empty alias", spec.name);
      if (byName_.count(alias) ||
          !byAlias_.emplace(alias, entries_.size()).second)
        fail("layout: duplicate tensor name '{}' (an alias of '{}')", alias,
             spec.name);
    }
    LayoutEntry entry;
    entry.name = spec.name;
    entry.shape = spec.shape;
    entry.dtype = spec.dtype;
    entry.role = spec.role;
    entry.aliases = spec.aliases;
    entry.offset = offset;
    entry.nbytes = std::size_t(numel) * dtypeSize(spec.dtype);
    offset += alignUp(entry.nbytes);
    entries_.push_back(std::move(entry));
  }
  totalBytes_ = offset;
}

const LayoutEntry *Layout::find(std::string_view name) const {
  std::ptrdiff_t i = indexOf(name);
  return i < 0 ? nullptr : &entries_[std::size_t(i)];
}

std::ptrdiff_t Layout::indexOf(std::string_view name) const {
  auto it = byName_.find(std::string(name));
  return it == byName_.end() ? -1 : std::ptrdiff_t(it->second);
}

std::ptrdiff_t Layout::resolve(std::string_view name) const {
  std::ptrdiff_t i = indexOf(name);
  if (i >= 0)
    return i;
  auto it = byAlias_.find(std::string(name));
  return it == byAlias_.end() ? -1 : std::ptrdiff_t(it->second);
}

Arena::Arena(Layout layout)
    : layout_(std::move(layout)),
      storage_(layout_.totalBytes(), "the model's parameters") {}

Arena::Arena(Layout layout, std::size_t capacityBytes)
    : layout_(std::move(layout)),
      storage_(std::max(capacityBytes, layout_.totalBytes()),
               "the model's parameters and training state") {}

float *Arena::f32(std::string_view name) {
  std::ptrdiff_t i = layout_.indexOf(name);
  if (i < 0)
    fail("arena has no tensor '{}'", name);
  if (layout_[std::size_t(i)].dtype != DType::F32)
    fail("arena tensor '{}' is not F32", name);
  return static_cast<float *>(data(std::size_t(i)));
}

std::int64_t *Arena::i64(std::string_view name) {
  std::ptrdiff_t i = layout_.indexOf(name);
  if (i < 0)
    fail("arena has no tensor '{}'", name);
  if (layout_[std::size_t(i)].dtype != DType::I64)
    fail("arena tensor '{}' is not I64", name);
  return static_cast<std::int64_t *>(data(std::size_t(i)));
}

std::vector<TensorRef> Arena::tensors() const {
  std::vector<TensorRef> refs;
  refs.reserve(layout_.size());
  for (std::size_t i = 0; i < layout_.size(); ++i) {
    const LayoutEntry &e = layout_[i];
    refs.push_back({e.name, e.dtype, e.shape, data(i)});
  }
  return refs;
}

std::vector<TensorRef> Arena::tensorsWithAliases() const {
  std::vector<TensorRef> refs = tensors();
  for (std::size_t k = 0;; ++k) {
    std::size_t before = refs.size();
    for (std::size_t i = 0; i < layout_.size(); ++i) {
      const LayoutEntry &e = layout_[i];
      if (k < e.aliases.size())
        refs.push_back({e.aliases[k], e.dtype, e.shape, data(i)});
    }
    if (refs.size() == before)
      return refs;
  }
}

} // namespace cnnrt
