//===- Model.h - A compiled model and its arena ------------------*- C++ -*-===//
//
// The runtime side of model_abi.h: checks the descriptor the compiler emitted
// against the runtime's own layout rules, owns the arena, initialises it from
// the declared initializers or loads a checkpoint into it, and calls the
// generated forward and train_step functions with MLIR memref descriptors.
//
// A model compiled with training (train_step non-null) gets an arena of
// train_arena_bytes: the model's tensors, then the training state (every
// parameter's gradient, then every parameter's momentum buffer), zeroed.
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

/// What train_step takes besides the data: torch.optim.SGD's
/// hyperparameters and the lecture's penalty strengths (model_abi.h).
struct SgdParams {
  double lr = 0, momentum = 0, dampening = 0, weightDecay = 0;
  bool nesterov = false;
  double l2 = 0, l1 = 0;
};

/// The two parts of a step's loss; the lecture's loss is their sum.
struct StepLoss {
  float crossEntropy = 0, penalty = 0;
  double total() const { return double(crossEntropy) + double(penalty); }
};

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
  /// runtime's errors name the file and the tensor. Tensors named
  /// "optimizer.*" (a training checkpoint's state) are skipped and listed
  /// in LoadResult::ignored.
  LoadResult load(const std::string &path);

  /// Eval-mode forward of `n` samples. `input` (n * sampleSize floats) and
  /// `logits` (n * numClasses floats) must be 64-byte aligned, as the ABI
  /// promises the generated code.
  void forward(const float *input, std::int64_t n, float *logits);

  // Training (model ABI 4).

  /// Whether the model was compiled with a train_step.
  bool canTrain() const { return desc_.train_step != nullptr; }
  /// Throws Error saying that `command` needs a model compiled with
  /// training, unless canTrain().
  void requireTraining(const std::string &command) const;
  /// One slot per parameter, in layout order (model_abi.h's train_slots).
  std::size_t numSlots() const { return slotTensors_.size(); }
  /// The layout index of slot s's parameter.
  std::size_t slotTensor(std::size_t s) const { return slotTensors_[s]; }
  float *gradient(std::size_t s);
  float *momentumBuffer(std::size_t s);
  const float *momentumBuffer(std::size_t s) const;
  std::int64_t numDropoutSites() const { return desc_.num_dropout_sites; }
  const cnnrt_dropout_site &dropoutSite(std::int64_t i) const {
    return desc_.dropout_sites[i];
  }
  /// Floats of the masks buffer for a batch of n: n * mask_elems_per_sample,
  /// at least 1 (the ABI's minimum).
  std::int64_t maskFloats(std::int64_t n) const;

  /// One training step on `n` samples (requires canTrain()): `input` as
  /// forward, `labels` [n] in [0, K), `logits` [n, K] out, `masks`
  /// maskFloats(n) floats (read if masksGiven, else written); all 64-byte
  /// aligned. `step` is the global step counter and `seed` the dropout key;
  /// firstStep starts the momentum buffers.
  StepLoss trainStep(const float *input, const std::int32_t *labels,
                     std::int64_t n, float *logits, float *masks,
                     bool masksGiven, const SgdParams &sgd, bool firstStep,
                     std::uint64_t seed, std::int64_t step);

private:
  const cnnrt_model &desc_;
  std::string name_;
  std::vector<InitSpec> inits_;
  std::vector<std::size_t> slotTensors_;
  Arena arena_;
  AlignedBuffer loss_; ///< train_step's loss [2], 64-byte aligned
};

} // namespace cnnrt::cli

#endif // CNNRT_MAIN_MODEL_H
