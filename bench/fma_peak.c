/* The machine's fp32 FMA peak, measured: THREADS threads each run a
 * register-resident loop of independent fused multiply-adds (12 vector
 * accumulators, more than an FMA's latency times the FMA units, so the units
 * never wait), and the program prints GFLOP/s (a multiply-add counts 2).
 * bench/peers.py compiles it at run time with the system's cc:
 *   cc -O2 -mavx512f          (16 lanes; -DUSE_AVX2 -mavx2 -mfma: 8 lanes)
 *   ./fma_peak THREADS SECONDS
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef USE_AVX2
typedef __m256 vec;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
#define STORE _mm256_storeu_ps
#else
typedef __m512 vec;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
#define STORE _mm512_storeu_ps
#endif

#define ACCUMULATORS 12
#define INNER 1000 /* FMA rounds between clock reads */

struct job {
  double seconds;
  double flops;
  float sink;
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *run(void *arg) {
  struct job *job = arg;
  vec acc[ACCUMULATORS];
  for (int i = 0; i < ACCUMULATORS; ++i)
    acc[i] = SET1(0.001f * (float)i);
  /* x * a + b with a just below 1 and b tiny: values stay finite forever. */
  vec a = SET1(0.999999f), b = SET1(1e-7f);
  double start = now(), end = start + job->seconds;
  long rounds = 0;
  while (now() < end) {
    for (int r = 0; r < INNER; ++r) {
#pragma GCC unroll 12
      for (int i = 0; i < ACCUMULATORS; ++i)
        acc[i] = FMA(acc[i], a, b);
    }
    rounds += INNER;
  }
  double elapsed = now() - start;
  vec sum = acc[0];
  for (int i = 1; i < ACCUMULATORS; ++i)
    sum = ADD(sum, acc[i]);
  float lanes[LANES];
  STORE(lanes, sum);
  job->sink = lanes[0];
  job->flops = 2.0 * LANES * ACCUMULATORS * (double)rounds / elapsed;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s THREADS SECONDS\n", argv[0]);
    return 2;
  }
  int threads = atoi(argv[1]);
  double seconds = atof(argv[2]);
  if (threads < 1 || threads > 1024 || !(seconds > 0)) {
    fprintf(stderr, "%s: THREADS must be in [1, 1024] and SECONDS > 0\n", argv[0]);
    return 2;
  }
  pthread_t *ids = calloc((size_t)threads, sizeof *ids);
  struct job *jobs = calloc((size_t)threads, sizeof *jobs);
  for (int t = 0; t < threads; ++t) {
    jobs[t].seconds = seconds;
    pthread_create(&ids[t], NULL, run, &jobs[t]);
  }
  double total = 0, sink = 0;
  for (int t = 0; t < threads; ++t) {
    pthread_join(ids[t], NULL);
    total += jobs[t].flops;
    sink += jobs[t].sink;
  }
  printf("GFLOP/s %.1f lanes %d threads %d (checksum %g)\n", total * 1e-9, LANES,
         threads, sink);
  free(ids);
  free(jobs);
  return 0;
}
