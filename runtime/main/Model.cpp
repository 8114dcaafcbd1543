//===- Model.cpp - A compiled model and its arena -------------------------===//

#include "Model.h"

#include "cnnrt/CudaModule.h"
#include "cnnrt/Error.h"

#include <fmt/format.h>

#include <algorithm>

namespace cnnrt::cli {

namespace {

/// The runtime's layout of the descriptor's tensors, after checking that the
/// descriptor agrees with it. Every inconsistency is a compiler bug, reported
/// as such rather than followed into an out-of-bounds access.
Layout checkedLayout(const cnnrt_model &m) {
  if (m.abi_version != CNNRT_MODEL_ABI_VERSION)
    fail("the model was compiled for model ABI version {}, but this runtime "
         "implements version {}; rebuild it with a matching cnnc",
         m.abi_version, CNNRT_MODEL_ABI_VERSION);
  const char *what = "invalid model descriptor";
  if (!m.name || !*m.name)
    fail("{}: the model has no name", what);
  if (m.num_hyperparams < 0 || (m.num_hyperparams > 0 && !m.hyperparams))
    fail("{}: bad hyperparameter table", what);
  for (std::int64_t i = 0; i < m.num_hyperparams; ++i)
    if (!m.hyperparams[i].name || !m.hyperparams[i].value)
      fail("{}: hyperparameter {} has no name or value", what, i);
  for (int d = 0; d < 3; ++d)
    if (m.input_shape[d] <= 0)
      fail("{}: input shape {}x{}x{} is not positive", what, m.input_shape[0],
           m.input_shape[1], m.input_shape[2]);
  if (m.num_classes <= 0)
    fail("{}: {} classes", what, m.num_classes);
  if (m.flops_per_sample < 0)
    fail("{}: negative FLOPs per sample", what);
  if (!m.forward)
    fail("{}: no forward function", what);
  if (!m.target_cpu || !m.target_features)
    fail("{}: no target CPU or features", what);
  if (m.num_tensors < 0 || (m.num_tensors > 0 && !m.tensors))
    fail("{}: bad tensor table", what);

  std::vector<TensorSpec> specs;
  for (std::int64_t i = 0; i < m.num_tensors; ++i) {
    const cnnrt_tensor_desc &d = m.tensors[i].desc;
    if (!d.name || !*d.name)
      fail("{}: tensor {} has no name", what, i);
    if (d.dtype != CNNRT_F32 && d.dtype != CNNRT_I64)
      fail("{}: tensor '{}' has dtype code {}", what, d.name, d.dtype);
    if (d.role != CNNRT_PARAMETER && d.role != CNNRT_BUFFER)
      fail("{}: tensor '{}' has role code {}", what, d.name, d.role);
    if (d.rank < 0 || (d.rank > 0 && !d.shape))
      fail("{}: tensor '{}' has rank {} without a shape", what, d.name, d.rank);
    int kind = m.tensors[i].init.kind;
    if (kind != CNNRT_INIT_UNIFORM && kind != CNNRT_INIT_NORMAL &&
        kind != CNNRT_INIT_CONSTANT)
      fail("{}: tensor '{}' has initializer kind {}", what, d.name, kind);
    const cnnrt_model_tensor &t = m.tensors[i];
    if (t.num_aliases < 0 || (t.num_aliases > 0 && !t.aliases))
      fail("{}: tensor '{}' has a bad alias table", what, d.name);
    std::vector<std::string> aliases;
    for (std::int64_t k = 0; k < t.num_aliases; ++k) {
      if (!t.aliases[k] || !*t.aliases[k])
        fail("{}: tensor '{}' has an empty alias", what, d.name);
      aliases.push_back(t.aliases[k]);
    }
    specs.push_back({d.name, Shape(d.shape, d.shape + d.rank),
                     static_cast<DType>(d.dtype),
                     static_cast<TensorRole>(d.role), std::move(aliases)});
  }
  // Throws on duplicate names (aliases included) and bad shapes.
  Layout layout(specs);
  for (std::size_t i = 0; i < layout.size(); ++i)
    if (m.tensors[i].offset < 0 ||
        std::size_t(m.tensors[i].offset) != layout[i].offset)
      fail("{}: tensor '{}' is at offset {}, but the runtime's layout puts it "
           "at {}",
           what, layout[i].name, m.tensors[i].offset, layout[i].offset);
  if (m.arena_bytes < 0 || std::size_t(m.arena_bytes) != layout.totalBytes())
    fail("{}: arena of {} bytes, but the runtime's layout needs {}", what,
         m.arena_bytes, layout.totalBytes());
  return layout;
}

/// Checks the training fields of a model with a train_step against the
/// layout rule of model_abi.h (gradients, then momentum buffers, after the
/// model's tensors, each 64-aligned, in parameter order) and returns the
/// parameters' layout indices. A model without train_step has no training
/// state: its training fields are not used, so they are not checked.
std::vector<std::size_t> checkedTraining(const cnnrt_model &m,
                                         const Layout &layout) {
  std::vector<std::size_t> params;
  if (!m.train_step)
    return params;
  const char *what = "invalid model descriptor";
  for (std::size_t i = 0; i < layout.size(); ++i) {
    if (layout[i].role != TensorRole::Parameter)
      continue;
    if (layout[i].dtype != DType::F32)
      fail("{}: parameter '{}' is {}, but gradients are F32", what,
           layout[i].name, dtypeName(layout[i].dtype));
    params.push_back(i);
  }
  if (m.num_train_slots != std::int64_t(params.size()) ||
      (m.num_train_slots > 0 && !m.train_slots))
    fail("{}: {} train slots, but the model has {} parameters", what,
         m.num_train_slots, params.size());
  std::size_t offset = layout.totalBytes();
  std::vector<std::size_t> grads, momenta;
  for (std::size_t i : params) {
    grads.push_back(offset);
    offset += alignUp(layout[i].nbytes);
  }
  for (std::size_t i : params) {
    momenta.push_back(offset);
    offset += alignUp(layout[i].nbytes);
  }
  for (std::size_t s = 0; s < params.size(); ++s) {
    const cnnrt_train_slot &slot = m.train_slots[s];
    const std::string &name = layout[params[s]].name;
    if (slot.tensor != std::int64_t(params[s]))
      fail("{}: train slot {} is for tensor {}, but the runtime's layout has "
           "parameter '{}' (tensor {}) there",
           what, s, slot.tensor, name, params[s]);
    if (slot.grad_offset != std::int64_t(grads[s]))
      fail("{}: the gradient of '{}' is at offset {}, but the runtime's "
           "layout puts it at {}",
           what, name, slot.grad_offset, grads[s]);
    if (slot.momentum_offset != std::int64_t(momenta[s]))
      fail("{}: the momentum buffer of '{}' is at offset {}, but the "
           "runtime's layout puts it at {}",
           what, name, slot.momentum_offset, momenta[s]);
  }
  if (m.train_arena_bytes != std::int64_t(offset))
    fail("{}: training arena of {} bytes, but the runtime's layout needs {}",
         what, m.train_arena_bytes, offset);

  if (m.num_dropout_sites < 0 ||
      (m.num_dropout_sites > 0 && !m.dropout_sites))
    fail("{}: bad dropout site table", what);
  std::int64_t elems = 0;
  for (std::int64_t i = 0; i < m.num_dropout_sites; ++i) {
    const cnnrt_dropout_site &d = m.dropout_sites[i];
    if (!d.name || !*d.name)
      fail("{}: dropout site {} has no name", what, i);
    for (std::int64_t j = 0; j < i; ++j)
      if (std::string(d.name) == m.dropout_sites[j].name)
        fail("{}: dropout site '{}' occurs twice", what, d.name);
    if (!(d.p >= 0 && d.p < 1))
      fail("{}: dropout site '{}' has p = {}, outside [0, 1)", what, d.name,
           d.p);
    if (d.channelwise != 0 && d.channelwise != 1)
      fail("{}: dropout site '{}' has channelwise = {}", what, d.name,
           d.channelwise);
    if (d.elems_per_sample <= 0)
      fail("{}: dropout site '{}' has {} elements per sample", what, d.name,
           d.elems_per_sample);
    elems += d.elems_per_sample;
  }
  if (m.mask_elems_per_sample != elems)
    fail("{}: {} mask elements per sample, but the dropout sites have {}",
         what, m.mask_elems_per_sample, elems);
  return params;
}

std::vector<InitSpec> initSpecsOf(const cnnrt_model &m) {
  std::vector<InitSpec> specs;
  for (std::int64_t i = 0; i < m.num_tensors; ++i) {
    const cnnrt_init_spec &s = m.tensors[i].init;
    specs.push_back({static_cast<InitSpec::Kind>(s.kind), s.a, s.b});
  }
  return specs;
}

bool aligned(const void *p) {
  return reinterpret_cast<std::uintptr_t>(p) % kAlignment == 0;
}

} // namespace

Model::Model(const cnnrt_model &desc)
    : desc_(desc), arena_(checkedLayout(desc)), loss_(2 * sizeof(float)) {
  name_ = desc.name;
  inits_ = initSpecsOf(desc);
  slotTensors_ = checkedTraining(desc, arena_.layout());
  cuda::checkGpuCode(desc);
  if (canTrain()) // the training state after the tensors, zeroed
    arena_ = Arena(arena_.layout(), std::size_t(desc.train_arena_bytes));
}

std::string Model::inputShapeString() const {
  return fmt::format("{}x{}x{}", channels(), height(), width());
}

std::string Model::hyperparam(const std::string &name) const {
  for (std::int64_t i = 0; i < desc_.num_hyperparams; ++i)
    if (name == desc_.hyperparams[i].name)
      return desc_.hyperparams[i].value;
  return "";
}

void Model::initialize(std::uint64_t seed) { initArena(arena_, inits_, seed); }

LoadResult Model::load(const std::string &path) {
  LoadOptions options;
  options.ignoredPrefixes = {"optimizer."};
  return loadArena(arena_, path, options);
}

void Model::forward(const float *input, std::int64_t n, float *logits) {
  if (n <= 0)
    return;
  if (!aligned(input) || !aligned(logits))
    fail("internal error: forward buffers must be {}-byte aligned", kAlignment);
  std::int64_t c = channels(), h = height(), w = width(), k = numClasses();
  std::int8_t *base = reinterpret_cast<std::int8_t *>(arena_.base());
  cnnrt_memref1d_i8 arena{base, base, 0, {desc_.arena_bytes}, {1}};
  // The generated code only reads the input; MLIR's descriptors are not const.
  float *in = const_cast<float *>(input);
  cnnrt_memref4d_f32 x{in, in, 0, {n, c, h, w}, {c * h * w, h * w, w, 1}};
  cnnrt_memref2d_f32 y{logits, logits, 0, {n, k}, {k, 1}};
  desc_.forward(&arena, &x, &y);
}

void Model::requireTraining(const std::string &command) const {
  if (!canTrain())
    fail("'{}' needs a model compiled with training, but {} was compiled "
         "without it (no train_step); 'eval', 'infer', 'info' and 'bench' "
         "work without",
         command, name_);
}

float *Model::gradient(std::size_t s) {
  return reinterpret_cast<float *>(arena_.base() +
                                   desc_.train_slots[s].grad_offset);
}

float *Model::momentumBuffer(std::size_t s) {
  return reinterpret_cast<float *>(arena_.base() +
                                   desc_.train_slots[s].momentum_offset);
}

const float *Model::momentumBuffer(std::size_t s) const {
  return reinterpret_cast<const float *>(arena_.base() +
                                         desc_.train_slots[s].momentum_offset);
}

std::int64_t Model::maskFloats(std::int64_t n) const {
  return std::max<std::int64_t>(1, n * desc_.mask_elems_per_sample);
}

StepLoss Model::trainStep(const float *input, const std::int32_t *labels,
                          std::int64_t n, float *logits, float *masks,
                          bool masksGiven, const SgdParams &sgd,
                          bool firstStep, std::uint64_t seed,
                          std::int64_t step) {
  requireTraining("train");
  // 0 for a replica whose shard of a small last batch is empty: it still
  // takes part in the step's sums.
  if (n < 0)
    fail("internal error: a negative number of samples");
  if (!aligned(input) || !aligned(labels) || !aligned(logits) ||
      !aligned(masks))
    fail("internal error: train_step buffers must be {}-byte aligned",
         kAlignment);
  std::int64_t c = channels(), h = height(), w = width(), k = numClasses();
  std::int8_t *base = reinterpret_cast<std::int8_t *>(arena_.base());
  cnnrt_memref1d_i8 arena{base, base, 0, {desc_.train_arena_bytes}, {1}};
  // The generated code only reads input and labels; descriptors are not const.
  float *in = const_cast<float *>(input);
  auto *lab = const_cast<std::int32_t *>(labels);
  auto *loss = reinterpret_cast<float *>(loss_.data());
  std::int64_t m = maskFloats(n);
  cnnrt_memref4d_f32 x{in, in, 0, {n, c, h, w}, {c * h * w, h * w, w, 1}};
  cnnrt_memref1d_i32 y{lab, lab, 0, {n}, {1}};
  cnnrt_memref2d_f32 out{logits, logits, 0, {n, k}, {k, 1}};
  cnnrt_memref1d_f32 l{loss, loss, 0, {2}, {1}};
  cnnrt_memref1d_f32 mk{masks, masks, 0, {m}, {1}};
  desc_.train_step(&arena, &x, &y, &out, &l, &mk, float(sgd.lr),
                   float(sgd.momentum), float(sgd.dampening),
                   float(sgd.weightDecay), float(sgd.l2), float(sgd.l1),
                   sgd.nesterov, firstStep, masksGiven,
                   static_cast<std::int64_t>(seed), step);
  return {loss[0], loss[1]};
}

} // namespace cnnrt::cli
