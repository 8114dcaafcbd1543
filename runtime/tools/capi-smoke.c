/*===- capi-smoke.c - The C boundary, exercised from C ------------------===*
 *
 * Compiled as C so that cnnrt.h is checked to be plain C, and run by
 * `cnnrt-tool capi` to check the calls behave.
 *
 *===--------------------------------------------------------------------===*/
#include "cnnrt/cnnrt.h"

#include <stdio.h>
#include <string.h>

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "capi: check failed: %s (last error: %s)\n", #cond,     \
              cnnrt_last_error());                                            \
      return 1;                                                               \
    }                                                                         \
  } while (0)

int cnnrt_capi_smoke(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/capi.safetensors", dir);

  int64_t wshape[2] = {3, 5};
  int64_t bshape[1] = {3};
  cnnrt_tensor_desc descs[3] = {
      {"fc.weight", CNNRT_F32, CNNRT_PARAMETER, 2, wshape},
      {"fc.bias", CNNRT_F32, CNNRT_PARAMETER, 1, bshape},
      {"steps", CNNRT_I64, CNNRT_BUFFER, 0, NULL},
  };
  cnnrt_arena *a = cnnrt_arena_create(descs, 3);
  CHECK(a != NULL);
  CHECK(cnnrt_arena_offset(a, 0) == 0);
  CHECK(cnnrt_arena_offset(a, 1) == 64);
  CHECK(cnnrt_arena_offset(a, 2) == 128);
  CHECK(cnnrt_arena_offset(a, 3) == -1);
  CHECK(cnnrt_arena_size(a) == 192);
  CHECK(((uintptr_t)cnnrt_arena_base(a)) % 64 == 0);
  CHECK(cnnrt_arena_find(a, "fc.bias") == 1);
  CHECK(cnnrt_arena_find(a, "nope") == -1);

  cnnrt_init_spec specs[3] = {{CNNRT_INIT_UNIFORM, -0.5, 0.5},
                              {CNNRT_INIT_CONSTANT, 0.25, 0},
                              {CNNRT_INIT_CONSTANT, 7, 0}};
  CHECK(cnnrt_arena_init(a, specs, 42) == 0);
  char *base = (char *)cnnrt_arena_base(a);
  const float *w = (const float *)base;
  for (int i = 0; i < 15; ++i)
    CHECK(w[i] >= -0.5f && w[i] < 0.5f);
  CHECK(((const float *)(base + 64))[2] == 0.25f);
  CHECK(*(const int64_t *)(base + 128) == 7);
  CHECK(cnnrt_arena_save(a, path) == 0);

  /* A second arena loads what the first saved. */
  cnnrt_arena *b = cnnrt_arena_create(descs, 3);
  CHECK(b != NULL);
  CHECK(cnnrt_arena_load(b, path, 1) == 0);
  CHECK(memcmp(cnnrt_arena_base(a), cnnrt_arena_base(b), 192) == 0);
  cnnrt_arena_destroy(b);

  /* Failures come back as -1 / NULL with a message. */
  int64_t other[2] = {5, 3};
  cnnrt_tensor_desc wrong[1] = {{"fc.weight", CNNRT_F32, CNNRT_PARAMETER, 2, other}};
  cnnrt_arena *c = cnnrt_arena_create(wrong, 1);
  CHECK(c != NULL);
  CHECK(cnnrt_arena_load(c, path, 0) == -1);
  printf("capi: expected error: %s\n", cnnrt_last_error());
  cnnrt_arena_destroy(c);
  cnnrt_tensor_desc dup[2] = {descs[0], descs[0]};
  CHECK(cnnrt_arena_create(dup, 2) == NULL);
  printf("capi: expected error: %s\n", cnnrt_last_error());

  /* Aliases: the file is written under both names, read under either. */
  cnnrt_alias alias[1] = {{"shared.weight", 0}};
  cnnrt_arena *d = cnnrt_arena_create_with_aliases(descs, 3, alias, 1);
  CHECK(d != NULL);
  CHECK(cnnrt_arena_find(d, "shared.weight") == 0);
  CHECK(cnnrt_arena_size(d) == 192);
  memcpy(cnnrt_arena_base(d), cnnrt_arena_base(a), 192);
  snprintf(path, sizeof path, "%s/capi-alias.safetensors", dir);
  CHECK(cnnrt_arena_save(d, path) == 0);
  cnnrt_arena *e = cnnrt_arena_create_with_aliases(descs, 3, alias, 1);
  CHECK(e != NULL);
  CHECK(cnnrt_arena_load(e, path, 1) == 0);
  CHECK(memcmp(cnnrt_arena_base(d), cnnrt_arena_base(e), 192) == 0);
  cnnrt_arena_destroy(e);
  /* Without the alias, the file's extra name is refused when strict. */
  cnnrt_arena *f = cnnrt_arena_create(descs, 3);
  CHECK(f != NULL);
  CHECK(cnnrt_arena_load(f, path, 1) == -1);
  printf("capi: expected error: %s\n", cnnrt_last_error());
  cnnrt_arena_destroy(f);
  cnnrt_arena_destroy(d);
  cnnrt_alias bad[1] = {{"x", 3}};
  CHECK(cnnrt_arena_create_with_aliases(descs, 3, bad, 1) == NULL);
  printf("capi: expected error: %s\n", cnnrt_last_error());

  uint32_t ctr[4] = {0, 0, 0, 0}, key[2] = {0, 0}, out[4];
  cnnrt_philox4x32_10(ctr, key, out);
  CHECK(out[0] == 0x6627e8d5u && out[3] == 0x9b00dbd8u);
  CHECK(cnnrt_uniform_from_u32(0xffffffffu) == 1.0f - 0x1p-24f);

  cnnrt_arena_destroy(a);
  printf("capi: ok\n");
  return 0;
}
