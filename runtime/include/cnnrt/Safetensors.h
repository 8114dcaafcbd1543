//===- Safetensors.h - Checkpoints and tensor files --------------*- C++ -*-===//
//
// The safetensors format: an 8-byte little-endian header length N, N bytes of
// JSON {"name": {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}, ...,
// "__metadata__": {str: str}}, then the raw little-endian data, offsets being
// relative to the data section. Checkpoints use PyTorch's state_dict names, so
// the files move between cnnc and PyTorch in both directions.
//
// Reading validates the whole header before any tensor is touched: every
// entry's dtype, shape and offsets, offsets against the data section's size,
// no overlaps, no uncovered bytes (the format forbids holes). A bad file gives
// an Error naming the file and the tensor; the arena is left unchanged.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_SAFETENSORS_H
#define CNNRT_SAFETENSORS_H

#include "cnnrt/Arena.h"
#include "cnnrt/Tensor.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cnnrt {

using Metadata = std::map<std::string, std::string>;

/// A whole file, tensors in data-offset order.
struct SafetensorsFile {
  std::vector<Tensor> tensors;
  Metadata metadata;

  /// nullptr when absent.
  const Tensor *find(std::string_view name) const;
};

/// The generic reader (an `infer` batch, say): any F32/I64 tensors.
SafetensorsFile readSafetensors(const std::string &path);
/// The same on a file's bytes already in memory; `path` names them in errors.
SafetensorsFile decodeSafetensors(const std::vector<std::uint8_t> &bytes,
                                  const std::string &path);

/// Writes tensors in the given order, atomically. Throws on duplicate names.
void writeSafetensors(const std::string &path,
                      const std::vector<TensorRef> &tensors,
                      const Metadata &metadata = {});

struct LoadOptions {
  /// Tensors in the file that the layout lacks are an error unless allowed
  /// (they are then listed in LoadResult::ignored).
  bool allowUnexpected = false;
  /// Layout tensors absent from the file are an error unless allowed (they
  /// then keep their current values and are listed in LoadResult::missing).
  bool allowMissing = false;
  /// Tensors whose names start with one of these are skipped (and listed in
  /// LoadResult::ignored) even when unexpected ones are errors: a training
  /// checkpoint's optimizer state ("optimizer.") loads strictly for eval.
  std::vector<std::string> ignoredPrefixes;
};

struct LoadResult {
  std::vector<std::string> ignored;
  std::vector<std::string> missing;
  Metadata metadata;
};

/// Loads a checkpoint into an arena by name: shapes and dtypes must match.
/// A tensor is found under its name or any of its aliases (LayoutEntry::
/// aliases); where the file has several of them, their bytes must be equal.
/// A tensor under none of its names is missing (LoadResult::missing lists
/// the layout's name); a file tensor under no model name is unexpected.
LoadResult loadArena(Arena &arena, const std::string &path,
                     const LoadOptions &options = {});
LoadResult loadArena(Arena &arena, const std::vector<std::uint8_t> &bytes,
                     const std::string &path, const LoadOptions &options = {});

/// Saves all of an arena's tensors, in layout order, then each again under
/// every alias (Arena::tensorsWithAliases), so that PyTorch's strict
/// load_state_dict finds every name of a shared block.
void saveArena(const Arena &arena, const std::string &path,
               const Metadata &metadata = {});

} // namespace cnnrt

#endif // CNNRT_SAFETENSORS_H
