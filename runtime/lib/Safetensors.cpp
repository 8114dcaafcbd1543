//===- Safetensors.cpp - Checkpoints and tensor files ---------------------===//

#include "cnnrt/Safetensors.h"
#include "cnnrt/Error.h"
#include "cnnrt/File.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <set>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; cnnrt copies it raw");

namespace cnnrt {

namespace {

/// Real headers are a few kB; a huge length is corruption, not a model.
constexpr std::uint64_t kMaxHeaderBytes = 100u << 20;

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  std::uint64_t begin, end; ///< Relative to the data section.
};

struct Parsed {
  std::vector<Entry> entries; ///< Sorted by begin.
  Metadata metadata;
  const std::uint8_t *data;   ///< Start of the data section.
};

bool isU64(const nlohmann::json &j) {
  return j.is_number_unsigned() ||
         (j.is_number_integer() && j.get<std::int64_t>() >= 0);
}

/// Validates everything the header claims against the file's real size.
Parsed parse(const std::vector<std::uint8_t> &file, const std::string &path) {
  if (file.size() < 8)
    fail("{}: truncated file: {} bytes, too short for the 8-byte header "
         "length",
         path, file.size());
  std::uint64_t n;
  std::memcpy(&n, file.data(), 8);
  if (n > file.size() - 8)
    fail("{}: header length {} exceeds the file size ({} bytes)", path, n,
         file.size());
  if (n > kMaxHeaderBytes)
    fail("{}: header length {} exceeds the limit of {} bytes", path, n,
         kMaxHeaderBytes);
  const char *text = reinterpret_cast<const char *>(file.data() + 8);
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text, text + n);
  } catch (const nlohmann::json::parse_error &e) {
    fail("{}: invalid JSON in the header at byte {}", path, e.byte);
  } catch (const nlohmann::json::exception &e) {
    // A number out of range (1e400): the library's text without its tag.
    std::string why = e.what();
    if (std::size_t tag = why.find("] "); tag != std::string::npos)
      why.erase(0, tag + 2);
    fail("{}: invalid JSON in the header: {}", path, printable(why));
  }
  if (!header.is_object())
    fail("{}: the header is not a JSON object", path);

  Parsed parsed;
  parsed.data = file.data() + 8 + n;
  std::uint64_t dataSize = file.size() - 8 - n;
  for (auto &[name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object())
        fail("{}: '__metadata__' is not a JSON object", path);
      for (auto &[key, v] : value.items()) {
        if (!v.is_string())
          fail("{}: '__metadata__' entry '{}' is not a string", path,
               printable(key));
        parsed.metadata[key] = v.get<std::string>();
      }
      continue;
    }
    // Names are printed in messages and matched with the model's: a control
    // character (U+0000 cuts a message short) is corruption.
    if (std::any_of(name.begin(), name.end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
      fail("{}: tensor name '{}' contains a control character", path,
           printable(name));
    if (!value.is_object())
      fail("{}: tensor '{}': the entry is not a JSON object", path, name);
    Entry e;
    e.name = name;
    auto dt = value.find("dtype");
    if (dt == value.end() || !dt->is_string())
      fail("{}: tensor '{}': missing or non-string 'dtype'", path, name);
    auto dtype = dtypeFromName(dt->get<std::string>());
    if (!dtype)
      fail("{}: tensor '{}': unsupported dtype '{}' (cnnrt reads F32, I64 and I32)",
           path, name, dt->get<std::string>());
    e.dtype = *dtype;
    auto shape = value.find("shape");
    if (shape == value.end() || !shape->is_array() ||
        !std::all_of(shape->begin(), shape->end(), isU64))
      fail("{}: tensor '{}': 'shape' is not an array of non-negative integers",
           path, name);
    for (const auto &d : *shape) {
      std::uint64_t v = d.get<std::uint64_t>();
      if (v > std::uint64_t(INT64_MAX))
        fail("{}: tensor '{}': dimension {} is too large", path, name, v);
      e.shape.push_back(std::int64_t(v));
    }
    std::int64_t numel;
    try {
      numel = numElements(e.shape);
    } catch (const Error &err) {
      fail("{}: tensor '{}': {}", path, name, err.what());
    }
    auto offsets = value.find("data_offsets");
    if (offsets == value.end() || !offsets->is_array() ||
        offsets->size() != 2 || !isU64((*offsets)[0]) || !isU64((*offsets)[1]))
      fail("{}: tensor '{}': 'data_offsets' is not [begin, end] with "
           "non-negative integers",
           path, name);
    e.begin = (*offsets)[0].get<std::uint64_t>();
    e.end = (*offsets)[1].get<std::uint64_t>();
    if (e.begin > e.end)
      fail("{}: tensor '{}': data_offsets [{}, {}] has begin after end", path,
           name, e.begin, e.end);
    std::uint64_t want = std::uint64_t(numel) * dtypeSize(e.dtype);
    if (e.end - e.begin != want)
      fail("{}: tensor '{}': data_offsets [{}, {}] hold {} bytes, but {} {} "
           "needs {}",
           path, name, e.begin, e.end, e.end - e.begin, dtypeName(e.dtype),
           formatShape(e.shape), want);
    if (e.end > dataSize)
      fail("{}: tensor '{}': data_offsets [{}, {}] extend beyond the data "
           "section ({} bytes); the file is truncated or corrupt",
           path, name, e.begin, e.end, dataSize);
    parsed.entries.push_back(std::move(e));
  }

  // The format allows no overlaps and no holes: the sorted ranges must tile
  // the data section exactly.
  std::sort(parsed.entries.begin(), parsed.entries.end(),
            [](const Entry &a, const Entry &b) {
              if (a.begin != b.begin)
                return a.begin < b.begin;
              return a.end != b.end ? a.end < b.end : a.name < b.name;
            });
  std::uint64_t covered = 0;
  const Entry *prev = nullptr;
  for (const Entry &e : parsed.entries) {
    if (e.begin < covered)
      fail("{}: tensors '{}' and '{}' overlap in the data section", path,
           prev->name, e.name);
    if (e.begin > covered)
      fail("{}: data section bytes [{}, {}) before tensor '{}' belong to no "
           "tensor",
           path, covered, e.begin, e.name);
    covered = e.end;
    prev = &e;
  }
  if (covered != dataSize)
    fail("{}: data section has {} bytes but the tensors cover {}", path,
         dataSize, covered);
  return parsed;
}

} // namespace

const Tensor *SafetensorsFile::find(std::string_view name) const {
  for (const Tensor &t : tensors)
    if (t.name == name)
      return &t;
  return nullptr;
}

SafetensorsFile readSafetensors(const std::string &path) {
  return decodeSafetensors(readFile(path), path);
}

SafetensorsFile decodeSafetensors(const std::vector<std::uint8_t> &file,
                                  const std::string &path) {
  Parsed parsed = parse(file, path);
  SafetensorsFile out;
  out.metadata = std::move(parsed.metadata);
  for (const Entry &e : parsed.entries) {
    Tensor t(e.name, e.dtype, e.shape);
    if (t.nbytes())
      std::memcpy(t.data(), parsed.data + e.begin, t.nbytes());
    out.tensors.push_back(std::move(t));
  }
  return out;
}

void writeSafetensors(const std::string &path,
                      const std::vector<TensorRef> &tensors,
                      const Metadata &metadata) {
  // ordered_json keeps the tensors in the caller's order, so files diff well.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto &[k, v] : metadata)
      meta[k] = v;
    header["__metadata__"] = std::move(meta);
  }
  std::set<std::string> seen;
  std::vector<ByteChunk> chunks;
  std::uint64_t offset = 0;
  for (const TensorRef &t : tensors) {
    if (t.name == "__metadata__" || t.name.empty())
      fail("{}: cannot write a tensor named '{}'", path, t.name);
    if (!seen.insert(t.name).second)
      fail("{}: duplicate tensor name '{}'", path, t.name);
    std::uint64_t bytes = std::uint64_t(numElements(t.shape)) *
                          dtypeSize(t.dtype);
    header[t.name] = {{"dtype", dtypeName(t.dtype)},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    if (bytes)
      chunks.push_back({t.data, std::size_t(bytes)});
  }
  std::string text = header.dump();
  // Pad with spaces to a multiple of 8, as the reference writer does, so the
  // data section starts 8-aligned for readers that map the file.
  text.append((8 - (8 + text.size()) % 8) % 8, ' ');
  std::uint64_t n = text.size();
  chunks.insert(chunks.begin(), {{&n, 8}, {text.data(), text.size()}});
  writeFileAtomic(path, chunks);
}

namespace {

/// "'a', 'b'" or, for many, "'a', 'b', ..., 'z' (26 aliases)".
std::string quotedList(const std::vector<std::string> &names) {
  std::string out;
  auto add = [&](const std::string &name) {
    out += (out.empty() ? "'" : ", '") + name + "'";
  };
  if (names.size() <= 4) {
    for (const std::string &name : names)
      add(name);
    return out;
  }
  add(names[0]);
  add(names[1]);
  out += ", ..., '" + names.back() + "' (" + std::to_string(names.size()) +
         " aliases)";
  return out;
}

} // namespace

LoadResult loadArena(Arena &arena, const std::string &path,
                     const LoadOptions &options) {
  return loadArena(arena, readFile(path), path, options);
}

LoadResult loadArena(Arena &arena, const std::vector<std::uint8_t> &file,
                     const std::string &path, const LoadOptions &options) {
  Parsed parsed = parse(file, path);
  const Layout &layout = arena.layout();

  // Check everything before copying anything: a failed load leaves the arena
  // as it was. A tensor may be present under its name and any of its
  // aliases (PyTorch's state_dict of a shared block); then all copies must
  // agree byte for byte.
  LoadResult result;
  result.metadata = std::move(parsed.metadata);
  std::vector<const Entry *> source(layout.size(), nullptr);
  auto skipped = [&](const std::string &name) {
    for (const std::string &prefix : options.ignoredPrefixes)
      if (name.compare(0, prefix.size(), prefix) == 0)
        return true;
    return false;
  };
  for (const Entry &e : parsed.entries) {
    std::ptrdiff_t i = layout.resolve(e.name);
    if (i < 0 && skipped(e.name)) {
      result.ignored.push_back(e.name);
      continue;
    }
    if (i < 0) {
      if (!options.allowUnexpected)
        fail("{}: unexpected tensor '{}': the model has no tensor of that "
             "name",
             path, e.name);
      result.ignored.push_back(e.name);
      continue;
    }
    const LayoutEntry &want = layout[std::size_t(i)];
    std::string what = fmt::format("'{}'", e.name);
    if (e.name != want.name)
      what += fmt::format(" (an alias of '{}')", want.name);
    if (e.dtype != want.dtype)
      fail("{}: tensor {}: dtype {} in the file, but the model expects {}",
           path, what, dtypeName(e.dtype), dtypeName(want.dtype));
    if (e.shape != want.shape)
      fail("{}: tensor {}: shape {} in the file, but the model expects {}",
           path, what, formatShape(e.shape), formatShape(want.shape));
    const Entry *&first = source[std::size_t(i)];
    if (!first) {
      first = &e;
      continue;
    }
    // Name the two in the model's order: the name first, then the aliases.
    auto rank = [&](const std::string &name) {
      auto at = std::find(want.aliases.begin(), want.aliases.end(), name);
      return name == want.name ? 0 : 1 + (at - want.aliases.begin());
    };
    const Entry *a = first, *b = &e;
    if (rank(b->name) < rank(a->name))
      std::swap(a, b);
    if (std::memcmp(parsed.data + a->begin, parsed.data + b->begin,
                    std::size_t(a->end - a->begin)) != 0)
      fail("{}: tensors '{}' and '{}' hold different values, but they are "
           "names of the same tensor of the model (a shared block's)",
           path, a->name, b->name);
    first = a;
  }
  for (std::size_t i = 0; i < layout.size(); ++i) {
    if (source[i])
      continue;
    if (!options.allowMissing) {
      const LayoutEntry &e = layout[i];
      std::string aliases;
      if (!e.aliases.empty())
        aliases = fmt::format(" or its alias{} {}",
                              e.aliases.size() == 1 ? "" : "es",
                              quotedList(e.aliases));
      fail("{}: missing tensor '{}'{} ({} {} {})", path, e.name, aliases,
           roleName(e.role), dtypeName(e.dtype), formatShape(e.shape));
    }
    result.missing.push_back(layout[i].name);
  }
  for (std::size_t i = 0; i < layout.size(); ++i)
    if (source[i] && layout[i].nbytes)
      std::memcpy(arena.data(i), parsed.data + source[i]->begin,
                  layout[i].nbytes);
  return result;
}

void saveArena(const Arena &arena, const std::string &path,
               const Metadata &metadata) {
  writeSafetensors(path, arena.tensorsWithAliases(), metadata);
}

} // namespace cnnrt
