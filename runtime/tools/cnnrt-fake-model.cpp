//===- cnnrt-fake-model.cpp - A model descriptor written by hand ----------===//
//
// Stands in for what cnnc emits (model_abi.h), so that the executable's
// command line (runtime/main) is tested without the compiler. Compiled once
// per variant (see CMakeLists.txt):
//
//   FAKE_MNIST      1x28x28 -> flatten -> linear 784->16 (`hidden`) -> minus
//                   the buffer `bn.running_mean` -> tanh -> dropout(p=0.25)
//                   (site `hidden_dropout`, identity in eval) -> linear
//                   16->10 (`out`); also an I64 buffer
//                   `bn.num_batches_tracked` that the train step increments
//                   and the forward ignores. Train seed 3.
//   (otherwise)     CxSxS -> flatten -> linear C*S*S->K (`fc`), named
//                   FAKE_NAME; C, S, K from FAKE_CHANS, FAKE_SIDE,
//                   FAKE_CLASSES (default 3, 32, 2: CIFAR-2). No dropout.
//   FAKE_BAD_OFFSET the MNIST variant with one offset off by 64 bytes.
//   FAKE_BAD_TRAIN  the MNIST variant with one momentum offset off by 64.
//   FAKE_NO_TRAIN   no train_step (a model compiled without training).
//   FAKE_OPENMP     the batch loop of forward runs on OpenMP threads.
//   FAKE_GPU        also GPU code, as --target=cuda emits it: a
//                   forward_cuda (linear: asks for a temporary, launches
//                   two kernels; MNIST: one kernel running forward), a
//                   train_step_cuda (model ABI 8: gathers the batch by its
//                   indices into temporaries, then one kernel runs the
//                   train step with the scalars it reads from the device),
//                   PTX declaring the kernels for sm_90, and the kernels'
//                   bodies as host functions that the tests' fake driver
//                   runs (cnnrt-fake-cuda.cpp). They compute what forward
//                   and train_step compute, in the same order: the same
//                   bits.
//
// Initializers follow PyTorch's defaults for Linear: U(-1/sqrt(fan_in),
// 1/sqrt(fan_in)) for weight and bias.
//
// The train steps follow model_abi.h's contract literally and plainly:
// masks from cnnrt's Philox keyed as the ABI says, forward, mean
// cross-entropy, backward by hand, then the fused SGD update per parameter.
//
//===----------------------------------------------------------------------===//

#include "cnnrt/model_abi.h"

#include <cmath>
#include <cstdint>
#include <vector>

namespace {

constexpr std::int64_t align64(std::int64_t bytes) {
  return (bytes + 63) / 64 * 64;
}

/// Element [i0, i1, i2, i3] of a 4-d descriptor, through its strides.
float at(const cnnrt_memref4d_f32 *m, std::int64_t i0, std::int64_t i1,
         std::int64_t i2, std::int64_t i3) {
  return m->aligned[m->offset + i0 * m->strides[0] + i1 * m->strides[1] +
                    i2 * m->strides[2] + i3 * m->strides[3]];
}

float &at(cnnrt_memref2d_f32 *m, std::int64_t i0, std::int64_t i1) {
  return m->aligned[m->offset + i0 * m->strides[0] + i1 * m->strides[1]];
}

const float *tensorAt(const cnnrt_memref1d_i8 *arena, std::int64_t offset) {
  return reinterpret_cast<const float *>(arena->aligned + arena->offset +
                                         offset);
}

float *mutableAt(cnnrt_memref1d_i8 *arena, std::int64_t offset) {
  return reinterpret_cast<float *>(arena->aligned + arena->offset + offset);
}

/// The scalars of train_step that the update needs.
struct Sgd {
  float lr, momentum, dampening, weightDecay, l2, l1;
  bool nesterov, firstStep;
};

/// l2·Σp² + l1·Σ|p| of one parameter.
double penaltyOf(const float *p, std::int64_t n, const Sgd &o) {
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i)
    sum += double(o.l2) * p[i] * p[i] + double(o.l1) * std::fabs(p[i]);
  return sum;
}

/// model_abi.h's fused update of one parameter: g = grad + 2·l2·p +
/// l1·sign(p) + wd·p; the momentum buffer; p -= lr·g.
void sgdUpdate(float *p, const float *grad, float *buf, std::int64_t n,
               const Sgd &o) {
  for (std::int64_t i = 0; i < n; ++i) {
    float sign = p[i] > 0 ? 1.f : p[i] < 0 ? -1.f : 0.f;
    float g = grad[i] + 2 * o.l2 * p[i] + o.l1 * sign + o.weightDecay * p[i];
    if (o.momentum != 0) {
      buf[i] = o.firstStep ? g
                           : o.momentum * buf[i] + (1 - o.dampening) * g;
      g = o.nesterov ? g + o.momentum * buf[i] : buf[i];
    }
    p[i] -= o.lr * g;
  }
}

/// Mean cross-entropy of logits z [n, k] and its gradient dz = (softmax −
/// onehot) / n.
double crossEntropy(const float *z, const std::int32_t *labels,
                    std::int64_t n, std::int64_t k, float *dz) {
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const float *row = z + i * k;
    double max = row[0];
    for (std::int64_t j = 1; j < k; ++j)
      max = std::fmax(max, double(row[j]));
    double total = 0;
    for (std::int64_t j = 0; j < k; ++j)
      total += std::exp(double(row[j]) - max);
    double lse = std::log(total) + max;
    sum += lse - row[labels[i]];
    for (std::int64_t j = 0; j < k; ++j)
      dz[i * k + j] = float((std::exp(double(row[j]) - lse) -
                             (j == labels[i] ? 1.0 : 0.0)) /
                            double(n));
  }
  return sum / double(n);
}

/// Dropout masks of site `site`, elements [0, count) of its [N, E] mask, as
/// model_abi.h keys them.
[[maybe_unused]] void dropoutMask(float *mask, std::int64_t count,
                                  std::uint32_t site, double p,
                                  std::int64_t seed, std::int64_t step) {
  auto s = std::uint64_t(seed), t = std::uint64_t(step);
  const std::uint32_t key[2] = {std::uint32_t(s), std::uint32_t(s >> 32)};
  float scale = float(1.0 / (1.0 - p));
  for (std::int64_t e = 0; e < count; ++e) {
    const std::uint32_t counter[4] = {std::uint32_t(e), site, std::uint32_t(t),
                                      std::uint32_t(t >> 32)};
    std::uint32_t x[4];
    cnnrt_philox4x32_10(counter, key, x);
    mask[e] = cnnrt_uniform_from_u32(x[0]) >= p ? scale : 0.f;
  }
}

#ifdef FAKE_MNIST

constexpr std::int64_t C = 1, S = 28, D = C * S * S, H = 16, K = 10;
constexpr std::int64_t kHiddenW = 0;
constexpr std::int64_t kHiddenB = kHiddenW + align64(H * D * 4);
constexpr std::int64_t kRunningMean = kHiddenB + align64(H * 4);
constexpr std::int64_t kTracked = kRunningMean + align64(H * 4);
constexpr std::int64_t kOutW = kTracked + align64(8);
constexpr std::int64_t kOutB = kOutW + align64(K * H * 4);
constexpr std::int64_t kArenaBytes = kOutB + align64(K * 4);
static_assert(kOutW == 50368 && kArenaBytes == 51072, "layout by hand");

// The training state: gradients, then momentum buffers, parameter order.
constexpr std::int64_t kParamBytes[] = {H * D * 4, H * 4, K * H * 4, K * 4};
constexpr std::int64_t kGrad0 = kArenaBytes;
constexpr std::int64_t kMomentum0 = kGrad0 + align64(kParamBytes[0]) +
                                    align64(kParamBytes[1]) +
                                    align64(kParamBytes[2]) +
                                    align64(kParamBytes[3]);
constexpr std::int64_t kTrainArenaBytes = kMomentum0 + (kMomentum0 - kGrad0);
static_assert(kTrainArenaBytes == 152960, "layout by hand");

constexpr std::int64_t slotOffset(std::int64_t base, int slot) {
  std::int64_t offset = base;
  for (int i = 0; i < slot; ++i)
    offset += align64(kParamBytes[i]);
  return offset;
}

#ifdef FAKE_BAD_TRAIN
constexpr std::int64_t kBadMomentum = 64;
#else
constexpr std::int64_t kBadMomentum = 0;
#endif

const cnnrt_train_slot trainSlots[] = {
    {0, slotOffset(kGrad0, 0), slotOffset(kMomentum0, 0)},
    {1, slotOffset(kGrad0, 1), slotOffset(kMomentum0, 1)},
    {4, slotOffset(kGrad0, 2), slotOffset(kMomentum0, 2) + kBadMomentum},
    {5, slotOffset(kGrad0, 3), slotOffset(kMomentum0, 3)},
};

constexpr double kDropP = 0.25;
const cnnrt_dropout_site dropoutSites[] = {{"hidden_dropout", kDropP, 0, H}};
constexpr std::int64_t kMaskElems = H;

const std::int64_t hiddenWShape[] = {H, D}, hiddenBShape[] = {H},
                   outWShape[] = {K, H}, outBShape[] = {K};

const double b1 = 1 / std::sqrt(double(D)), b2 = 1 / std::sqrt(double(H));

#ifdef FAKE_BAD_OFFSET
constexpr std::int64_t kOutWDeclared = kOutW + 64;
#else
constexpr std::int64_t kOutWDeclared = kOutW;
#endif

const cnnrt_model_tensor tensors[] = {
    {{"hidden.weight", CNNRT_F32, CNNRT_PARAMETER, 2, hiddenWShape},
     kHiddenW, {CNNRT_INIT_UNIFORM, -b1, b1}, 0, nullptr},
    {{"hidden.bias", CNNRT_F32, CNNRT_PARAMETER, 1, hiddenBShape},
     kHiddenB, {CNNRT_INIT_UNIFORM, -b1, b1}, 0, nullptr},
    {{"bn.running_mean", CNNRT_F32, CNNRT_BUFFER, 1, hiddenBShape},
     kRunningMean, {CNNRT_INIT_CONSTANT, 0, 0}, 0, nullptr},
    {{"bn.num_batches_tracked", CNNRT_I64, CNNRT_BUFFER, 0, nullptr},
     kTracked, {CNNRT_INIT_CONSTANT, 0, 0}, 0, nullptr},
    {{"out.weight", CNNRT_F32, CNNRT_PARAMETER, 2, outWShape},
     kOutWDeclared, {CNNRT_INIT_UNIFORM, -b2, b2}, 0, nullptr},
    {{"out.bias", CNNRT_F32, CNNRT_PARAMETER, 1, outBShape},
     kOutB, {CNNRT_INIT_UNIFORM, -b2, b2}, 0, nullptr},
};

const cnnrt_model_hyperparam hyperparams[] = {
    {"n_hidden", "16"}, {"in_chans", "1"}, {"side", "28"}, {"n_classes", "10"}};

void forward(cnnrt_memref1d_i8 *arena, cnnrt_memref4d_f32 *input,
             cnnrt_memref2d_f32 *output) {
  const float *w1 = tensorAt(arena, kHiddenW), *bias1 = tensorAt(arena, kHiddenB),
              *mean = tensorAt(arena, kRunningMean),
              *w2 = tensorAt(arena, kOutW), *bias2 = tensorAt(arena, kOutB);
  std::int64_t n = input->sizes[0];
#ifdef FAKE_OPENMP
#pragma omp parallel for
#endif
  for (std::int64_t i = 0; i < n; ++i) {
    float h[H];
    for (std::int64_t j = 0; j < H; ++j) {
      float acc = bias1[j];
      for (std::int64_t c = 0; c < C; ++c)
        for (std::int64_t y = 0; y < S; ++y)
          for (std::int64_t x = 0; x < S; ++x)
            acc += w1[j * D + (c * S + y) * S + x] * at(input, i, c, y, x);
      h[j] = std::tanh(acc - mean[j]);
    }
    for (std::int64_t k = 0; k < K; ++k) {
      float acc = bias2[k];
      for (std::int64_t j = 0; j < H; ++j)
        acc += w2[k * H + j] * h[j];
      at(output, i, k) = acc;
    }
  }
}

// [[maybe_unused]]: FAKE_NO_TRAIN leaves it out of the descriptor.
[[maybe_unused]] void
trainStep(cnnrt_memref1d_i8 *arena, cnnrt_memref4d_f32 *input,
          cnnrt_memref1d_i32 *labels, cnnrt_memref2d_f32 *logits,
          cnnrt_memref1d_f32 *loss, cnnrt_memref1d_f32 *masks, float lr,
          float momentum, float dampening, float weightDecay, float l2,
          float l1, std::int32_t nesterov, std::int32_t firstStep,
          std::int32_t masksGiven, std::int64_t seed, std::int64_t step) {
  float *param[4] = {mutableAt(arena, kHiddenW), mutableAt(arena, kHiddenB),
                     mutableAt(arena, kOutW), mutableAt(arena, kOutB)};
  float *grad[4], *buf[4];
  for (int i = 0; i < 4; ++i) {
    grad[i] = mutableAt(arena, trainSlots[i].grad_offset);
    buf[i] = mutableAt(arena, trainSlots[i].momentum_offset);
    for (std::int64_t j = 0; j < kParamBytes[i] / 4; ++j)
      grad[i][j] = 0;
  }
  const float *w1 = param[0], *b1 = param[1], *w2 = param[2], *b2 = param[3];
  const float *mean = tensorAt(arena, kRunningMean);
  Sgd o{lr, momentum, dampening, weightDecay, l2, l1, nesterov != 0,
        firstStep != 0};
  double penalty = 0;
  for (int i = 0; i < 4; ++i)
    penalty += penaltyOf(param[i], kParamBytes[i] / 4, o);

  std::int64_t n = input->sizes[0];
  float *mask = masks->aligned + masks->offset;
  if (!masksGiven)
    dropoutMask(mask, n * H, 0, kDropP, seed, step);
  const std::int32_t *y = labels->aligned + labels->offset;
  std::vector<float> h(std::size_t(n * H)), z(std::size_t(n * K)),
      dz(std::size_t(n * K));
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < H; ++j) {
      float acc = b1[j];
      for (std::int64_t d = 0; d < D; ++d)
        acc += w1[j * D + d] * at(input, i, 0, d / S, d % S);
      h[std::size_t(i * H + j)] = std::tanh(acc - mean[j]);
    }
    for (std::int64_t k = 0; k < K; ++k) {
      float acc = b2[k];
      for (std::int64_t j = 0; j < H; ++j)
        acc += w2[k * H + j] * h[std::size_t(i * H + j)] * mask[i * H + j];
      z[std::size_t(i * K + k)] = at(logits, i, k) = acc;
    }
  }
  double ce = crossEntropy(z.data(), y, n, K, dz.data());
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < H; ++j) {
      float hj = h[std::size_t(i * H + j)], m = mask[i * H + j], dd = 0;
      for (std::int64_t k = 0; k < K; ++k) {
        float g = dz[std::size_t(i * K + k)];
        grad[2][k * H + j] += g * hj * m;
        dd += g * w2[k * H + j];
      }
      float da = dd * m * (1 - hj * hj);
      grad[1][j] += da;
      for (std::int64_t d = 0; d < D; ++d)
        grad[0][j * D + d] += da * at(input, i, 0, d / S, d % S);
    }
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t k = 0; k < K; ++k)
      grad[3][k] += dz[std::size_t(i * K + k)];

  float *out = loss->aligned + loss->offset;
  out[0] = float(ce);
  out[1] = float(penalty);
  for (int i = 0; i < 4; ++i)
    sgdUpdate(param[i], grad[i], buf[i], kParamBytes[i] / 4, o);
  *reinterpret_cast<std::int64_t *>(arena->aligned + arena->offset +
                                    kTracked) += 1;
}

#ifdef FAKE_GPU
// One kernel for the whole forward (grid 1, block 1: the host body runs
// forward itself); kernels 1 and 2 are the training step's.
const char *const kGpuKernels[] = {"fake_forward", "fake_gather",
                                   "fake_train"};
constexpr std::int64_t kGatherKernel = 1, kTrainKernel = 2;
#define FAKE_FORWARD_PTX                                                       \
  ".visible .entry fake_forward(\n"                                            \
  "\t.param .u64 fake_forward_param_0,\n"                                      \
  "\t.param .u64 fake_forward_param_1,\n"                                      \
  "\t.param .u64 fake_forward_param_2,\n"                                      \
  "\t.param .u64 fake_forward_param_3\n"                                       \
  ")\n{\n\tret;\n}\n\n"

void forwardCuda(cnnrt_memref1d_i8 *arena, cnnrt_memref4d_f32 *input,
                 cnnrt_memref2d_f32 *output) {
  void *a = arena->aligned + arena->offset;
  void *x = input->aligned + input->offset;
  void *y = output->aligned + output->offset;
  std::int64_t n = input->sizes[0];
  void *params[] = {&a, &x, &y, &n};
  cnnrt_gpu_launch(0, 1, 1, 1, 1, 1, 1, 0, params);
}
#endif

constexpr const char *kName = "FakeMnist";
constexpr std::int64_t kFlops = 2 * D * H + 2 * H * K;
constexpr std::int64_t kSeed = 3;

#else // linear

#ifndef FAKE_NAME
#define FAKE_NAME "FakeCifar2"
#define FAKE_CHANS 3
#define FAKE_SIDE 32
#define FAKE_CLASSES 2
#endif
#define FAKE_STR(x) FAKE_STR2(x)
#define FAKE_STR2(x) #x

constexpr std::int64_t C = FAKE_CHANS, S = FAKE_SIDE, D = C * S * S,
                       K = FAKE_CLASSES;
constexpr std::int64_t kFcW = 0;
constexpr std::int64_t kFcB = kFcW + align64(K * D * 4);
constexpr std::int64_t kArenaBytes = kFcB + align64(K * 4);

const std::int64_t fcWShape[] = {K, D}, fcBShape[] = {K};
const double b1 = 1 / std::sqrt(double(D));

constexpr std::int64_t kGradW = kArenaBytes;
constexpr std::int64_t kGradB = kGradW + align64(K * D * 4);
constexpr std::int64_t kMomentumW = kGradB + align64(K * 4);
constexpr std::int64_t kMomentumB = kMomentumW + align64(K * D * 4);
constexpr std::int64_t kTrainArenaBytes = kMomentumB + align64(K * 4);
const cnnrt_train_slot trainSlots[] = {{0, kGradW, kMomentumW},
                                       {1, kGradB, kMomentumB}};
const cnnrt_dropout_site *const dropoutSites = nullptr;
constexpr std::int64_t kMaskElems = 0;

const cnnrt_model_tensor tensors[] = {
    {{"fc.weight", CNNRT_F32, CNNRT_PARAMETER, 2, fcWShape},
     kFcW, {CNNRT_INIT_UNIFORM, -b1, b1}, 0, nullptr},
    {{"fc.bias", CNNRT_F32, CNNRT_PARAMETER, 1, fcBShape},
     kFcB, {CNNRT_INIT_UNIFORM, -b1, b1}, 0, nullptr},
};

const cnnrt_model_hyperparam hyperparams[] = {
    {"in_chans", FAKE_STR(FAKE_CHANS)},
    {"side", FAKE_STR(FAKE_SIDE)},
    {"n_classes", FAKE_STR(FAKE_CLASSES)}};

void forward(cnnrt_memref1d_i8 *arena, cnnrt_memref4d_f32 *input,
             cnnrt_memref2d_f32 *output) {
  const float *w = tensorAt(arena, kFcW), *bias = tensorAt(arena, kFcB);
  for (std::int64_t i = 0; i < input->sizes[0]; ++i)
    for (std::int64_t k = 0; k < K; ++k) {
      float acc = bias[k];
      for (std::int64_t c = 0; c < C; ++c)
        for (std::int64_t y = 0; y < S; ++y)
          for (std::int64_t x = 0; x < S; ++x)
            acc += w[k * D + (c * S + y) * S + x] * at(input, i, c, y, x);
      at(output, i, k) = acc;
    }
}

// [[maybe_unused]]: FAKE_NO_TRAIN leaves it out of the descriptor.
[[maybe_unused]] void
trainStep(cnnrt_memref1d_i8 *arena, cnnrt_memref4d_f32 *input,
          cnnrt_memref1d_i32 *labels, cnnrt_memref2d_f32 *logits,
          cnnrt_memref1d_f32 *loss, cnnrt_memref1d_f32 *masks, float lr,
          float momentum, float dampening, float weightDecay, float l2,
          float l1, std::int32_t nesterov, std::int32_t firstStep,
          std::int32_t masksGiven, std::int64_t seed, std::int64_t step) {
  float *w = mutableAt(arena, kFcW), *bias = mutableAt(arena, kFcB);
  float *gw = mutableAt(arena, kGradW), *gb = mutableAt(arena, kGradB);
  Sgd o{lr, momentum, dampening, weightDecay, l2, l1, nesterov != 0,
        firstStep != 0};
  double penalty = penaltyOf(w, K * D, o) + penaltyOf(bias, K, o);
  std::int64_t n = input->sizes[0];
  std::vector<float> z(std::size_t(n * K)), dz(std::size_t(n * K));
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t k = 0; k < K; ++k) {
      float acc = bias[k];
      for (std::int64_t d = 0; d < D; ++d)
        acc += w[k * D + d] * at(input, i, d / (S * S), d / S % S, d % S);
      z[std::size_t(i * K + k)] = at(logits, i, k) = acc;
    }
  double ce =
      crossEntropy(z.data(), labels->aligned + labels->offset, n, K, dz.data());
  for (std::int64_t k = 0; k < K; ++k) {
    gb[k] = 0;
    for (std::int64_t d = 0; d < D; ++d)
      gw[k * D + d] = 0;
  }
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t k = 0; k < K; ++k) {
      float g = dz[std::size_t(i * K + k)];
      gb[k] += g;
      for (std::int64_t d = 0; d < D; ++d)
        gw[k * D + d] += g * at(input, i, d / (S * S), d / S % S, d % S);
    }
  float *out = loss->aligned + loss->offset;
  out[0] = float(ce);
  out[1] = float(penalty);
  sgdUpdate(w, gw, mutableAt(arena, kMomentumW), K * D, o);
  sgdUpdate(bias, gb, mutableAt(arena, kMomentumB), K, o);
  (void)masks, (void)masksGiven, (void)seed, (void)step; // no dropout
}

#ifdef FAKE_GPU
// Kernel 0 writes the logits to a temporary (block i = sample, thread k =
// class); kernel 1 copies them to the output (blocks of 128 threads);
// kernels 2 and 3 are the training step's (kTrainKernels below).
const char *const kGpuKernels[] = {"fake_linear", "fake_copy", "fake_gather",
                                   "fake_train"};
constexpr std::int64_t kGatherKernel = 2, kTrainKernel = 3;
#define FAKE_FORWARD_PTX                                                       \
  ".visible .entry fake_linear(\n"                                             \
  "\t.param .u64 fake_linear_param_0,\n"                                       \
  "\t.param .u64 fake_linear_param_1,\n"                                       \
  "\t.param .u64 fake_linear_param_2,\n"                                       \
  "\t.param .u64 fake_linear_param_3\n"                                        \
  ")\n{\n\tret;\n}\n\n"                                                       \
  ".visible .entry fake_copy(\n"                                               \
  "\t.param .u64 fake_copy_param_0,\n"                                         \
  "\t.param .u64 fake_copy_param_1,\n"                                         \
  "\t.param .u64 fake_copy_param_2\n"                                          \
  ")\n{\n\tret;\n}\n\n"

/// Runs on the host only to enqueue: every pointer is a device address,
/// computed with but never read.
void forwardCuda(cnnrt_memref1d_i8 *arena, cnnrt_memref4d_f32 *input,
                 cnnrt_memref2d_f32 *output) {
  std::int64_t n = input->sizes[0], count = n * K;
  std::int8_t *base = arena->aligned + arena->offset;
  void *w = base + kFcW, *b = base + kFcB;
  void *x = input->aligned + input->offset;
  void *y = output->aligned + output->offset;
  void *tmp = reinterpret_cast<void *>(
      cnnrt_gpu_alloc(count * std::int64_t(sizeof(float))));
  void *linear[] = {&w, &b, &x, &tmp};
  cnnrt_gpu_launch(0, n, 1, 1, K, 1, 1, 0, linear);
  void *copy[] = {&tmp, &y, &count};
  cnnrt_gpu_launch(1, (count + 127) / 128, 1, 1, 128, 1, 1, 0, copy);
}
#endif

constexpr const char *kName = FAKE_NAME;
constexpr std::int64_t kFlops = 2 * D * K;
constexpr std::int64_t kSeed = 0;

#endif

#ifdef FAKE_GPU
constexpr char kGpuPtx[] =
    "//\n"
    "// The kernels of this fake model, for the tests' fake driver: it reads\n"
    "// the .version, the .target and each .entry's parameters, and runs the\n"
    "// host function cnnrt_fake_kernel_<name> of the executable.\n"
    "//\n"
    ".version 8.0\n"
    ".target sm_90\n"
    ".address_size 64\n\n" FAKE_FORWARD_PTX
    ".visible .entry fake_gather(\n"
    "\t.param .u64 fake_gather_param_0,\n"
    "\t.param .u64 fake_gather_param_1,\n"
    "\t.param .u64 fake_gather_param_2,\n"
    "\t.param .u64 fake_gather_param_3,\n"
    "\t.param .u64 fake_gather_param_4,\n"
    "\t.param .u64 fake_gather_param_5\n"
    ")\n{\n\tret;\n}\n\n"
    ".visible .entry fake_train(\n"
    "\t.param .u64 fake_train_param_0,\n"
    "\t.param .u64 fake_train_param_1,\n"
    "\t.param .u64 fake_train_param_2,\n"
    "\t.param .u64 fake_train_param_3,\n"
    "\t.param .u64 fake_train_param_4,\n"
    "\t.param .u64 fake_train_param_5,\n"
    "\t.param .u64 fake_train_param_6,\n"
    "\t.param .u64 fake_train_param_7\n"
    ")\n{\n\tret;\n}\n";

/// model_abi.h's train_step_cuda: gathers the batch into two temporaries
/// (kernel fake_gather), then one kernel runs trainStep on them, reading
/// the scalars from device memory when it runs (so a replayed graph sees
/// each step's). Only enqueues: every pointer is a device address.
void trainStepCuda(cnnrt_memref1d_i8 *arena, cnnrt_memref4d_f32 *images,
                   cnnrt_memref1d_i32 *labels, cnnrt_memref1d_i32 *batch,
                   cnnrt_memref2d_f32 *logits, cnnrt_memref1d_f32 *loss,
                   cnnrt_memref1d_f32 *masks, cnnrt_memref1d_i8 *scalars) {
  std::int64_t n = batch->sizes[0];
  void *a = arena->aligned + arena->offset;
  void *x = images->aligned + images->offset;
  void *y = labels->aligned + labels->offset;
  void *b = batch->aligned + batch->offset;
  void *z = logits->aligned + logits->offset;
  void *l = loss->aligned + loss->offset;
  void *m = masks->aligned + masks->offset;
  void *s = scalars->aligned + scalars->offset;
  void *bx = reinterpret_cast<void *>(
      cnnrt_gpu_alloc(n * D * std::int64_t(sizeof(float))));
  void *by = reinterpret_cast<void *>(
      cnnrt_gpu_alloc(n * std::int64_t(sizeof(std::int32_t))));
  void *gather[] = {&x, &y, &b, &n, &bx, &by};
  cnnrt_gpu_launch(kGatherKernel, n, 1, 1, 1, 1, 1, 0, gather);
  void *train[] = {&a, &bx, &by, &z, &l, &m, &s, &n};
  cnnrt_gpu_launch(kTrainKernel, 1, 1, 1, 1, 1, 1, 0, train);
}
#endif

} // namespace

#ifdef FAKE_GPU
// The kernels' bodies, which the fake driver finds with dlsym (the
// executable exports its symbols).
extern "C" void cnnrt_fake_kernel_fake_gather(const unsigned *grid,
                                              const unsigned *,
                                              void **params) {
  auto *x = *static_cast<const float *const *>(params[0]);
  auto *y = *static_cast<const std::int32_t *const *>(params[1]);
  auto *batch = *static_cast<const std::int32_t *const *>(params[2]);
  auto n = *static_cast<const std::int64_t *>(params[3]);
  auto *bx = *static_cast<float *const *>(params[4]);
  auto *by = *static_cast<std::int32_t *const *>(params[5]);
  for (std::int64_t i = 0; i < std::int64_t(grid[0]) && i < n; ++i) {
    for (std::int64_t d = 0; d < D; ++d)
      bx[i * D + d] = x[batch[i] * D + d];
    by[i] = y[batch[i]];
  }
}

extern "C" void cnnrt_fake_kernel_fake_train(const unsigned *, const unsigned *,
                                             void **params) {
  auto *a = *static_cast<std::int8_t *const *>(params[0]);
  auto *x = *static_cast<float *const *>(params[1]);
  auto *y = *static_cast<std::int32_t *const *>(params[2]);
  auto *z = *static_cast<float *const *>(params[3]);
  auto *l = *static_cast<float *const *>(params[4]);
  auto *m = *static_cast<float *const *>(params[5]);
  auto *s = *static_cast<const cnnrt_train_scalars *const *>(params[6]);
  auto n = *static_cast<const std::int64_t *>(params[7]);
  cnnrt_memref1d_i8 arena{a, a, 0, {kTrainArenaBytes}, {1}};
  cnnrt_memref4d_f32 input{x, x, 0, {n, C, S, S}, {C * S * S, S * S, S, 1}};
  cnnrt_memref1d_i32 labels{y, y, 0, {n}, {1}};
  cnnrt_memref2d_f32 logits{z, z, 0, {n, K}, {K, 1}};
  cnnrt_memref1d_f32 loss{l, l, 0, {2}, {1}};
  cnnrt_memref1d_f32 masks{m, m, 0, {n * kMaskElems}, {1}};
  trainStep(&arena, &input, &labels, &logits, &loss, &masks, s->lr,
            s->momentum, s->dampening, s->weight_decay, s->l2, s->l1,
            s->nesterov, s->first_step, s->masks_given, s->seed, s->step);
}
#endif

#if defined(FAKE_GPU) && defined(FAKE_MNIST)
extern "C" void cnnrt_fake_kernel_fake_forward(const unsigned *,
                                               const unsigned *,
                                               void **params) {
  auto *a = *static_cast<std::int8_t *const *>(params[0]);
  auto *x = *static_cast<float *const *>(params[1]);
  auto *y = *static_cast<float *const *>(params[2]);
  auto n = *static_cast<const std::int64_t *>(params[3]);
  cnnrt_memref1d_i8 arena{a, a, 0, {kArenaBytes}, {1}};
  cnnrt_memref4d_f32 input{x, x, 0, {n, C, S, S}, {C * S * S, S * S, S, 1}};
  cnnrt_memref2d_f32 logits{y, y, 0, {n, K}, {K, 1}};
  forward(&arena, &input, &logits);
}
#endif

#if defined(FAKE_GPU) && !defined(FAKE_MNIST)
// The kernels' bodies, which the fake driver finds with dlsym (the
// executable exports its symbols): one loop per grid and block dimension.
extern "C" void cnnrt_fake_kernel_fake_linear(const unsigned *grid,
                                              const unsigned *block,
                                              void **params) {
  auto *w = *static_cast<const float *const *>(params[0]);
  auto *bias = *static_cast<const float *const *>(params[1]);
  auto *x = *static_cast<const float *const *>(params[2]);
  auto *tmp = *static_cast<float *const *>(params[3]);
  for (unsigned i = 0; i < grid[0]; ++i)
    for (unsigned k = 0; k < block[0] && k < K; ++k) {
      float acc = bias[k];
      for (std::int64_t d = 0; d < D; ++d)
        acc += w[k * D + d] * x[i * D + d];
      tmp[i * K + k] = acc;
    }
}

extern "C" void cnnrt_fake_kernel_fake_copy(const unsigned *grid,
                                            const unsigned *block,
                                            void **params) {
  auto *from = *static_cast<const float *const *>(params[0]);
  auto *to = *static_cast<float *const *>(params[1]);
  auto count = *static_cast<const std::int64_t *>(params[2]);
  for (std::int64_t b = 0; b < grid[0]; ++b)
    for (std::int64_t t = 0; t < block[0]; ++t)
      if (b * block[0] + t < count)
        to[b * block[0] + t] = from[b * block[0] + t];
}
#endif

extern "C" const cnnrt_model cnnc_model = {
    CNNRT_MODEL_ABI_VERSION,
    kName,
    sizeof(hyperparams) / sizeof(hyperparams[0]),
    hyperparams,
    {C, S, S},
    K,
    sizeof(tensors) / sizeof(tensors[0]),
    tensors,
    kArenaBytes,
    kFlops,
    // lr, momentum, dampening, weight_decay, nesterov, penalty, strength,
    // epochs, batch_size, seed
    {1e-2, 0, 0, 0, 0, CNNRT_PENALTY_L2, 1e-3, 10, 64, kSeed},
    forward,
#ifdef FAKE_NO_TRAIN
    nullptr, 0, 0, nullptr, 0, nullptr, 0,
#else
    trainStep,
    kTrainArenaBytes,
    sizeof(trainSlots) / sizeof(trainSlots[0]),
    trainSlots,
    kMaskElems ? 1 : 0,
    dropoutSites,
    kMaskElems,
#endif
    // Compiled by the host compiler for the runtime's baseline, it needs
    // nothing of the CPU; FAKE_TARGET_* pretend otherwise (the CPU check).
#ifdef FAKE_TARGET_CPU
    FAKE_TARGET_CPU,
    FAKE_TARGET_FEATURES,
#else
    "x86-64",
    "",
#endif
#ifdef FAKE_GPU
    forwardCuda,
    "sm_90",
    kGpuPtx,
    sizeof(kGpuKernels) / sizeof(kGpuKernels[0]),
    kGpuKernels,
#ifdef FAKE_NO_TRAIN
    nullptr,
#else
    trainStepCuda,
#endif
#else
    // No GPU code.
    nullptr, nullptr, nullptr, 0, nullptr, nullptr,
#endif
};
