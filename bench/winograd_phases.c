// How the phases of a Winograd F(2x2, 3x3) conv share one core: the forward
// conv of NetResDeep's block at the Fashion-MNIST shape (14 x 14, 32
// channels in and out, batch 64, ten blocks chained, each reading the
// previous one's output), in C with cnn-cpu-winograd-conv's transforms and
// register tile, timed four ways:
//
//   schedule    per row of tiles, the input transform (V = Bᵀ d B), the 16
//               products (7 tiles x 32 output channels a register tile),
//               the output transform (y = Aᵀ M A); cnnc goes per image,
//               which measured the same (bench/RESULTS.md, stop 48);
//   products    the products alone (V and M stay as they are);
//   transforms  the two transforms alone;
//   interleaved the next row's input transform and the previous row's
//               output transform spread over this row's 16 products, one
//               tile's worth after each point.
//
//   /usr/lib/llvm-22/bin/clang -O2 -march=native bench/winograd_phases.c \
//       -o /tmp/winograd_phases
//   taskset -c 1 /tmp/winograd_phases
//
// One thread; best of 10 runs each, in alternating rounds. The values are
// arbitrary: only the time is of interest. AVX-512 only.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { kSide = 14, kChannels = 32, kTiles = 7, kPoints = 16 };
enum { kImages = 64, kBlocks = 10, kRuns = 10 };
enum Mode { kSchedule, kProducts, kTransforms, kInterleaved, kModes };
static const char *const kModeNames[kModes] = {"schedule", "products",
                                               "transforms", "interleaved"};

typedef float Rows[kPoints][kTiles][kChannels] __attribute__((aligned(64)));

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/// x[r][col][c..c+15] of one image, zeros outside it (the padding).
static inline __m512 at(const float *x, int r, int col, int c) {
  if (r < 0 || r >= kSide || col < 0 || col >= kSide)
    return _mm512_setzero_ps();
  return _mm512_loadu_ps(x + (r * kSide + col) * kChannels + c);
}

/// V of tile (ty, tx), channels c..c+15.
static inline void transformInput(const float *x, Rows v, int ty, int tx,
                                  int c) {
  __m512 d[4][4], t[4][4];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++)
      d[i][j] = at(x, 2 * ty - 1 + i, 2 * tx - 1 + j, c);
  for (int j = 0; j < 4; j++) {
    t[0][j] = _mm512_sub_ps(d[0][j], d[2][j]);
    t[1][j] = _mm512_add_ps(d[1][j], d[2][j]);
    t[2][j] = _mm512_sub_ps(d[2][j], d[1][j]);
    t[3][j] = _mm512_sub_ps(d[1][j], d[3][j]);
  }
  for (int i = 0; i < 4; i++) {
    _mm512_store_ps(&v[4 * i][tx][c], _mm512_sub_ps(t[i][0], t[i][2]));
    _mm512_store_ps(&v[4 * i + 1][tx][c], _mm512_add_ps(t[i][1], t[i][2]));
    _mm512_store_ps(&v[4 * i + 2][tx][c], _mm512_sub_ps(t[i][2], t[i][1]));
    _mm512_store_ps(&v[4 * i + 3][tx][c], _mm512_sub_ps(t[i][1], t[i][3]));
  }
}

/// y's 2x2 outputs of tile (ty, tx), output channels f..f+15, from M.
static inline void transformOutput(Rows m, float *y, int ty, int tx, int f) {
  __m512 p[4][4], r[2][4];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++)
      p[i][j] = _mm512_load_ps(&m[4 * i + j][tx][f]);
  for (int j = 0; j < 4; j++) {
    r[0][j] = _mm512_add_ps(_mm512_add_ps(p[0][j], p[1][j]), p[2][j]);
    r[1][j] = _mm512_sub_ps(_mm512_sub_ps(p[1][j], p[2][j]), p[3][j]);
  }
  for (int i = 0; i < 2; i++) {
    float *out = y + ((2 * ty + i) * kSide + 2 * tx) * kChannels + f;
    _mm512_storeu_ps(out,
                     _mm512_add_ps(_mm512_add_ps(r[i][0], r[i][1]), r[i][2]));
    _mm512_storeu_ps(out + kChannels,
                     _mm512_sub_ps(_mm512_sub_ps(r[i][1], r[i][2]), r[i][3]));
  }
}

/// M[k] = V[k] U[k] for a row's 7 tiles: 14 accumulators, one broadcast of
/// V a tile and two loads of U an input channel, as cnnc's register tile.
static inline void multiply(Rows v, const float *u, Rows m, int k) {
  const float *uk = u + k * kChannels * kChannels;
  __m512 acc[2 * kTiles];
  for (int i = 0; i < 2 * kTiles; i++)
    acc[i] = _mm512_setzero_ps();
  for (int c = 0; c < kChannels; c++) {
    __m512 u0 = _mm512_loadu_ps(uk + c * kChannels);
    __m512 u1 = _mm512_loadu_ps(uk + c * kChannels + 16);
    for (int t = 0; t < kTiles; t++) {
      __m512 b = _mm512_set1_ps(v[k][t][c]);
      acc[2 * t] = _mm512_fmadd_ps(b, u0, acc[2 * t]);
      acc[2 * t + 1] = _mm512_fmadd_ps(b, u1, acc[2 * t + 1]);
    }
  }
  for (int t = 0; t < kTiles; t++) {
    _mm512_store_ps(&m[k][t][0], acc[2 * t]);
    _mm512_store_ps(&m[k][t][16], acc[2 * t + 1]);
  }
}

static Rows v[2], m[2];

__attribute__((noinline)) static void conv(const float *x, const float *u,
                                           float *y, enum Mode mode) {
  for (int n = 0; n < kImages; n++) {
    const float *image = x + (long)n * kSide * kSide * kChannels;
    float *out = y + (long)n * kSide * kSide * kChannels;
    if (mode == kInterleaved) {
      for (int j = 0; j < 2 * kTiles; j++)
        transformInput(image, v[0], 0, j % kTiles, j / kTiles * 16);
      for (int ty = 0; ty < kTiles; ty++) {
        int now = ty & 1, other = now ^ 1;
        for (int k = 0; k < kPoints; k++) {
          multiply(v[now], u, m[now], k);
          // One tile's worth of each neighbouring row's transforms.
          if (k < 2 * kTiles && ty + 1 < kTiles)
            transformInput(image, v[other], ty + 1, k % kTiles,
                           k / kTiles * 16);
          if (k < 2 * kTiles && ty > 0)
            transformOutput(m[other], out, ty - 1, k % kTiles, k / kTiles * 16);
        }
      }
      for (int j = 0; j < 2 * kTiles; j++)
        transformOutput(m[(kTiles - 1) & 1], out, kTiles - 1, j % kTiles,
                        j / kTiles * 16);
      continue;
    }
    for (int ty = 0; ty < kTiles; ty++) {
      if (mode != kProducts)
        for (int c = 0; c < kChannels; c += 16)
          for (int tx = 0; tx < kTiles; tx++)
            transformInput(image, v[0], ty, tx, c);
      if (mode != kTransforms)
        for (int k = 0; k < kPoints; k++)
          multiply(v[0], u, m[0], k);
      if (mode != kProducts)
        for (int f = 0; f < kChannels; f += 16)
          for (int tx = 0; tx < kTiles; tx++)
            transformOutput(m[0], out, ty, tx, f);
    }
  }
}

int main(void) {
  long image = kSide * kSide * kChannels;
  float *x = aligned_alloc(64, sizeof(float) * (kBlocks + 1) * kImages * image);
  float *u = aligned_alloc(64, sizeof(float) * kPoints * kChannels * kChannels);
  if (!x || !u)
    return 1;
  for (long i = 0; i < (kBlocks + 1) * kImages * image; i++)
    x[i] = (float)(i * 7 % 97) * 0.01f - 0.4f;
  for (int i = 0; i < kPoints * kChannels * kChannels; i++)
    u[i] = (float)(i % 13) * 0.01f - 0.06f;
  double best[kModes];
  for (int mode = 0; mode < kModes; mode++)
    best[mode] = 1e30;
  for (int run = 0; run < kRuns; run++)
    for (int mode = 0; mode < kModes; mode++) {
      double start = now();
      for (int b = 0; b < kBlocks; b++)
        conv(x + b * kImages * image, u, x + (b + 1) * kImages * image,
             (enum Mode)mode);
      double seconds = now() - start;
      if (seconds < best[mode])
        best[mode] = seconds;
    }
  double flops = 2.0 * kBlocks * kImages * kTiles * kTiles * kPoints *
                 kChannels * kChannels;
  for (int mode = 0; mode < kModes; mode++) {
    printf("%-12s %6.3f ms for %d blocks", kModeNames[mode], best[mode] * 1e3,
           kBlocks);
    if (mode != kTransforms)
      printf(" (products at %.0f GFLOP/s)", flops / best[mode] / 1e9);
    printf("\n");
  }
  return x[5] > 1e30; // keeps the results live
}
