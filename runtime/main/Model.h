//===- Model.h - A compiled model and its arena ------------------*- C++ -*-===//
//
// The runtime side of model_abi.h: checks the descriptor the compiler emitted
// against the runtime's own layout rules, owns the arena, initialises it from
// the declared initializers or loads a checkpoint into it, and calls the
// generated forward function with MLIR memref descriptors.
//
//===----------------------------------------------------------------------===//
#ifndef CNNRT_MAIN_MODEL_H
#define CNNRT_MAIN_MODEL_H

#include "cnnrt/Arena.h"
#include "cnnrt/Init.h"
#include "cnnrt/Safetensors.h"
#include "cnnrt/model_abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cnnrt::cli {

class Model {
public:
  /// Validates the descriptor: ABI version, names, shapes, dtypes, roles and
  /// initializers of the tensors, offsets and arena size equal to what
  /// cnnrt::Layout computes, positive input shape and class count, a forward
  /// function. Throws Error saying what is inconsistent. The arena starts
  /// zeroed.
  explicit Model(const cnnrt_model &desc);

  const cnnrt_model &desc() const { return desc_; }
  const std::string &name() const { return name_; }
  Arena &arena() { return arena_; }
  const Arena &arena() const { return arena_; }
  const std::vector<InitSpec> &initSpecs() const { return inits_; }

  std::int64_t channels() const { return desc_.input_shape[0]; }
  std::int64_t height() const { return desc_.input_shape[1]; }
  std::int64_t width() const { return desc_.input_shape[2]; }
  std::int64_t sampleSize() const { return channels() * height() * width(); }
  std::int64_t numClasses() const { return desc_.num_classes; }
  /// "3x32x32".
  std::string inputShapeString() const;
  /// The value of a hyperparameter, or "" if the model has none of that name.
  std::string hyperparam(const std::string &name) const;

  /// Fills the arena from the declared initializers.
  void initialize(std::uint64_t seed);
  /// Loads a checkpoint strictly (every tensor present, no extra ones, same
  /// shapes and dtypes); a shared block's tensor may come under any of its
  /// names (model_abi.h's aliases), equal where several are present. The
  /// runtime's errors name the file and the tensor.
  LoadResult load(const std::string &path);

  /// Eval-mode forward of `n` samples. `input` (n * sampleSize floats) and
  /// `logits` (n * numClasses floats) must be 64-byte aligned, as the ABI
  /// promises the generated code.
  void forward(const float *input, std::int64_t n, float *logits);

private:
  const cnnrt_model &desc_;
  std::string name_;
  std::vector<InitSpec> inits_;
  Arena arena_;
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_MODEL_H
