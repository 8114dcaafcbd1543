//===- safetensors_fuzzer.cpp - The safetensors reader on arbitrary bytes -===//
//
// The bytes as a safetensors file: the generic reader (an `infer` batch),
// then a strict and a lenient load into a small model's arena with a shared
// block's aliases (what `--load` does). Errors (cnnrt::Error) are expected;
// a crash or a sanitizer report is a bug, and so is a failed load that
// changed the arena.
//
//===----------------------------------------------------------------------===//
#include "cnnrt/Arena.h"
#include "cnnrt/Error.h"
#include "cnnrt/Safetensors.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

cnnrt::Layout smallModel() {
  using cnnrt::DType;
  using cnnrt::TensorRole;
  return cnnrt::Layout({
      {"conv.weight", {2, 1, 3, 3}, DType::F32, TensorRole::Parameter, {}},
      {"conv.bias", {2}, DType::F32, TensorRole::Parameter, {}},
      {"block.0.weight", {2, 2}, DType::F32, TensorRole::Parameter,
       {"block.1.weight", "block.2.weight"}},
      {"bn.num_batches_tracked", {}, DType::I64, TensorRole::Buffer, {}},
  });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  std::vector<std::uint8_t> bytes(data, data + size);
  try {
    cnnrt::decodeSafetensors(bytes, "fuzz.safetensors");
  } catch (const cnnrt::Error &) {
  }
  static const cnnrt::Layout layout = smallModel();
  for (bool lenient : {false, true}) {
    cnnrt::Arena arena(layout);
    std::memset(arena.base(), 0x5a, arena.sizeBytes());
    cnnrt::LoadOptions options;
    options.allowMissing = options.allowUnexpected = lenient;
    options.ignoredPrefixes = {"optimizer."};
    try {
      cnnrt::loadArena(arena, bytes, "fuzz.safetensors", options);
    } catch (const cnnrt::Error &) {
      for (std::size_t i = 0; i < arena.sizeBytes(); ++i)
        if (arena.base()[i] != 0x5a)
          std::abort(); // a failed load must leave the arena as it was
    }
  }
  return 0;
}
