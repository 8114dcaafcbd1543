//===- cnnrt-fake-model.cpp - A model descriptor written by hand ----------===//
//
// Stands in for what cnnc emits (model_abi.h), so that the executable's
// command line (runtime/main) is tested without the compiler. Compiled once
// per variant (see CMakeLists.txt):
//
//   FAKE_MNIST      1x28x28 -> flatten -> linear 784->16 (`hidden`) -> minus
//                   the buffer `bn.running_mean` -> tanh -> linear 16->10
//                   (`out`); also an I64 buffer `bn.num_batches_tracked` the
//                   forward ignores. Train seed 3.
//   (otherwise)     CxSxS -> flatten -> linear C*S*S->K (`fc`), named
//                   FAKE_NAME; C, S, K from FAKE_CHANS, FAKE_SIDE,
//                   FAKE_CLASSES (default 3, 32, 2: CIFAR-2).
//   FAKE_BAD_OFFSET the MNIST variant with one offset off by 64 bytes.
//   FAKE_OPENMP     the batch loop runs on OpenMP threads.
//
// Initializers follow PyTorch's defaults for Linear: U(-1/sqrt(fan_in),
// 1/sqrt(fan_in)) for weight and bias.
//
//===----------------------------------------------------------------------===//

#include "cnnrt/model_abi.h"

#include <cmath>
#include <cstdint>

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

constexpr const char *kName = FAKE_NAME;
constexpr std::int64_t kFlops = 2 * D * K;
constexpr std::int64_t kSeed = 0;

#endif

} // namespace

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
};
