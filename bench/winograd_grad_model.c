// A C model of one image of a Winograd weight gradient as cnnc emits it
// (WinogradWeightGrad.cpp): x's tiles and dy's transformed into V and D
// ([points, tiles, 32 channels]), then the products summed into a partial
// M ([points, 32, 32]) in register tiles of 8 output x 32 input channels.
// One core, one 14 x 14 image of 32 channels after another, all in the
// cache. It times three tilings of dy, each with V's and D's rows holding
// exactly the tiles and an odd number of tiles (cnnc's tileRoom):
//   F(3x3, 2x2): 7 x 7 tiles of 2 x 2, 16 points, 784 products a channel
//                pair;
//   F(3x3, 4x4): 4 x 4 tiles of 4 x 4 (the last past dy), 36 points, 576;
//   mixed: F(3x3, 4x4) on the 12 x 12 core, F(3x3, 2x2) on its border
//          strips (tiles of 4 x 2, 2 x 4 and 2 x 2), 484.
// The numbers are only to compare the layouts and tilings with each other.
//
//   /usr/lib/llvm-22/bin/clang -O3 -march=native bench/winograd_grad_model.c \
//       -o /tmp/winograd_grad_model && /tmp/winograd_grad_model
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef __m512 V16;
enum { C = 32, F = 32, Side = 14, Images = 32 };

static V16 add(V16 a, V16 b) { return _mm512_add_ps(a, b); }
static V16 sub(V16 a, V16 b) { return _mm512_sub_ps(a, b); }
static V16 scale(V16 a, float c) { return _mm512_mul_ps(a, _mm512_set1_ps(c)); }
static V16 fma1(V16 a, float c, V16 b) {
  return _mm512_fmadd_ps(a, _mm512_set1_ps(c), b);
}

// Bᵀ d of a row of 4 (F(2x2, 3x3)) or 6 (F(4x4, 3x3)) input values.
static inline __attribute__((always_inline)) void inputPoints(int n, V16 *d,
                                                              V16 *o) {
  if (n == 4) {
    o[0] = sub(d[0], d[2]), o[1] = add(d[1], d[2]);
    o[2] = sub(d[2], d[1]), o[3] = sub(d[1], d[3]);
    return;
  }
  o[0] = add(fma1(d[2], -5, scale(d[0], 4)), d[4]);
  V16 a = fma1(d[1], -4, d[3]), b = fma1(d[2], -4, d[4]);
  o[1] = add(a, b), o[2] = sub(b, a);
  V16 odd = scale(sub(d[1], d[3]), 2), even = sub(d[4], d[2]);
  o[3] = sub(even, odd), o[4] = add(even, odd);
  o[5] = add(fma1(d[3], -5, scale(d[1], 4)), d[5]);
}

// dy's row of 2 values to 4 points, or of 4 to 6.
static inline __attribute__((always_inline)) void gradientPoints(int n, V16 *d,
                                                                 V16 *o) {
  if (n == 2) {
    o[0] = d[0], o[1] = add(d[0], d[1]), o[2] = sub(d[0], d[1]), o[3] = d[1];
    return;
  }
  V16 even = add(d[0], d[2]), odd = add(d[1], d[3]);
  V16 evenPowers = fma1(d[2], 4, d[0]),
      oddPowers = scale(fma1(d[3], 4, d[1]), 2);
  o[0] = d[0], o[1] = add(even, odd), o[2] = sub(even, odd);
  o[3] = add(evenPowers, oddPowers), o[4] = sub(evenPowers, oddPowers);
  o[5] = d[3];
}

// Tiles of dy alike: rows x cols tiles of sr x sc from (y0, x0); V's and
// D's rows hold `room` tiles.
typedef struct {
  int sr, sc, y0, x0, rows, cols, room;
  float *v, *d, *m;
} Tiles;

static int points(const Tiles *t) { return (t->sr + 2) * (t->sc + 2); }

// x is padded by 1 and has room for tiles past dy: 18 x 18; dy 16 x 16
// (its last rows and columns zeros).
enum { XSide = 18, DySide = 16 };

static inline __attribute__((always_inline)) void
transform(Tiles *t, const float *x, const float *dy, const int sr,
          const int sc) {
  const int pr = sr + 2, pc = sc + 2;
  for (int c = 0; c < C; c += 16)
    for (int ty = 0; ty < t->rows; ++ty)
      for (int tx = 0; tx < t->cols; ++tx) {
        int y0 = t->y0 + ty * sr, x0 = t->x0 + tx * sc;
        int tile = ty * t->cols + tx;
        V16 columns[6][6];
        for (int j = 0; j < pc; ++j) {
          V16 in[6];
          for (int i = 0; i < pr; ++i)
            in[i] = _mm512_load_ps(&x[((y0 + i) * XSide + x0 + j) * C + c]);
          inputPoints(pr, in, columns[j]);
        }
        for (int k1 = 0; k1 < pr; ++k1) {
          V16 row[6], out[6];
          for (int j = 0; j < pc; ++j)
            row[j] = columns[j][k1];
          inputPoints(pc, row, out);
          for (int k2 = 0; k2 < pc; ++k2)
            _mm512_store_ps(&t->v[((k1 * pc + k2) * t->room + tile) * C + c],
                            out[k2]);
        }
        V16 gradients[4][6];
        for (int j = 0; j < sc; ++j) {
          V16 in[4];
          for (int i = 0; i < sr; ++i)
            in[i] = _mm512_load_ps(&dy[((y0 + i) * DySide + x0 + j) * F + c]);
          gradientPoints(sr, in, gradients[j]);
        }
        for (int k1 = 0; k1 < pr; ++k1) {
          V16 row[4], out[6];
          for (int j = 0; j < sc; ++j)
            row[j] = gradients[j][k1];
          gradientPoints(sc, row, out);
          for (int k2 = 0; k2 < pc; ++k2)
            _mm512_store_ps(&t->d[((k1 * pc + k2) * t->room + tile) * F + c],
                            out[k2]);
        }
      }
}

static void transformAny(Tiles *t, const float *x, const float *dy) {
  if (t->sr == 2 && t->sc == 2)
    transform(t, x, dy, 2, 2);
  else if (t->sr == 4 && t->sc == 4)
    transform(t, x, dy, 4, 4);
  else if (t->sr == 4)
    transform(t, x, dy, 4, 2);
  else
    transform(t, x, dy, 2, 4);
}

static void multiply(Tiles *t) {
  int count = t->rows * t->cols;
  for (int p = 0; p < points(t); ++p)
    for (int f = 0; f < F; f += 8) {
      float *m = t->m + p * F * C;
      V16 acc[8][2];
      for (int r = 0; r < 8; ++r)
        for (int h = 0; h < 2; ++h)
          acc[r][h] = _mm512_load_ps(&m[(f + r) * C + 16 * h]);
      for (int tile = 0; tile < count; ++tile) {
        const float *v = &t->v[(p * t->room + tile) * C];
        const float *d = &t->d[(p * t->room + tile) * F + f];
        V16 v0 = _mm512_load_ps(v), v1 = _mm512_load_ps(v + 16);
        for (int r = 0; r < 8; ++r) {
          V16 b = _mm512_set1_ps(d[r]);
          acc[r][0] = _mm512_fmadd_ps(b, v0, acc[r][0]);
          acc[r][1] = _mm512_fmadd_ps(b, v1, acc[r][1]);
        }
      }
      for (int r = 0; r < 8; ++r)
        for (int h = 0; h < 2; ++h)
          _mm512_store_ps(&m[(f + r) * C + 16 * h], acc[r][h]);
    }
}

static Tiles tiles(int sr, int sc, int y0, int x0, int rows, int cols,
                   int odd) {
  Tiles t = {sr, sc, y0, x0, rows, cols, rows * cols, NULL, NULL, NULL};
  if (odd)
    t.room |= 1;
  size_t floats = (size_t)points(&t) * t.room * C;
  t.v = aligned_alloc(64, floats * 4);
  t.d = aligned_alloc(64, floats * 4);
  t.m = aligned_alloc(64, (size_t)points(&t) * F * C * 4);
  memset(t.v, 0, floats * 4), memset(t.d, 0, floats * 4);
  memset(t.m, 0, (size_t)points(&t) * F * C * 4);
  return t;
}

static double nanoseconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

// The best of 5 runs of 100 passes over the images, ns an image: the whole
// gradient, or the transforms alone.
static double timeImages(Tiles *set, int n, const float *xs, const float *dys,
                         int products) {
  double best = 1e30;
  for (int run = 0; run < 5; ++run) {
    double start = nanoseconds();
    for (int pass = 0; pass < 100; ++pass)
      for (int image = 0; image < Images; ++image)
        for (int i = 0; i < n; ++i) {
          transformAny(&set[i], xs + image * XSide * XSide * C,
                       dys + image * DySide * DySide * F);
          if (products)
            multiply(&set[i]);
        }
    double ns = (nanoseconds() - start) / (100.0 * Images);
    best = ns < best ? ns : best;
  }
  return best;
}

int main(void) {
  float *xs = aligned_alloc(64, (size_t)Images * XSide * XSide * C * 4);
  float *dys = aligned_alloc(64, (size_t)Images * DySide * DySide * F * 4);
  for (size_t i = 0; i < (size_t)Images * XSide * XSide * C; ++i)
    xs[i] = (float)(i % 13) * 0.01f;
  for (size_t i = 0; i < (size_t)Images * DySide * DySide * F; ++i)
    dys[i] = (float)(i % 11) * 0.01f;
  printf("| tiles of dy | products a channel pair | exact rows: ns an image "
         "(transforms) | odd rows |\n|---|---:|---:|---:|\n");
  const char *names[] = {"F(3x3, 2x2), 7 x 7 tiles", "F(3x3, 4x4), 4 x 4 tiles",
                         "mixed: F(3x3, 4x4) core, F(3x3, 2x2) strips"};
  for (int scheme = 0; scheme < 3; ++scheme) {
    printf("| %s |", names[scheme]);
    for (int odd = 0; odd < 2; ++odd) {
      Tiles set[4];
      int n = 0;
      if (scheme == 0)
        set[n++] = tiles(2, 2, 0, 0, 7, 7, odd);
      else if (scheme == 1)
        set[n++] = tiles(4, 4, 0, 0, 4, 4, odd);
      else {
        set[n++] = tiles(4, 4, 0, 0, 3, 3, odd);
        set[n++] = tiles(4, 2, 0, 12, 3, 1, odd);
        set[n++] = tiles(2, 4, 12, 0, 1, 3, odd);
        set[n++] = tiles(2, 2, 12, 12, 1, 1, odd);
      }
      int products = 0;
      for (int i = 0; i < n; ++i)
        products += points(&set[i]) * set[i].rows * set[i].cols;
      if (!odd)
        printf(" %d |", products);
      double whole = timeImages(set, n, xs, dys, 1);
      double transforms = timeImages(set, n, xs, dys, 0);
      printf(" %.0f (%.0f) |", whole, transforms);
      for (int i = 0; i < n; ++i)
        free(set[i].v), free(set[i].d), free(set[i].m);
    }
    printf("\n");
  }
  return 0;
}
