//===- Model.cpp - A compiled model and its arena -------------------------===//

#include "Model.h"

#include "cnnrt/Error.h"

#include <fmt/format.h>

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
    : desc_(desc), arena_(checkedLayout(desc)) {
  name_ = desc.name;
  inits_ = initSpecsOf(desc);
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
  return loadArena(arena_, path);
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

} // namespace cnnrt::cli
