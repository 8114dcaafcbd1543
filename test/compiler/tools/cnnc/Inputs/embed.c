/* A C program embedding a model built with --emit=lib: reads a raw arena and
 * a raw input batch, writes raw logits. Built with -include <model>.h and
 * -DINFER=<prefix>_infer -DARENA_BYTES=... -DIN_ELEMS=... -DCLASSES=... */
#include <stdio.h>
#include <stdlib.h>

static void *slurp(const char *path, size_t bytes) {
  void *data = aligned_alloc(64, (bytes + 63) / 64 * 64);
  FILE *f = fopen(path, "rb");
  if (!data || !f || fread(data, 1, bytes, f) != bytes) {
    fprintf(stderr, "embed: cannot read %zu bytes of %s\n", bytes, path);
    exit(1);
  }
  fclose(f);
  return data;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: embed ARENA INPUT BATCH OUTPUT\n");
    return 2;
  }
  long batch = atol(argv[3]);
  void *arena = slurp(argv[1], ARENA_BYTES);
  float *input = slurp(argv[2], sizeof(float) * batch * IN_ELEMS);
  float *logits = malloc(sizeof(float) * batch * CLASSES);
  INFER(arena, input, batch, logits);
  FILE *f = fopen(argv[4], "wb");
  fwrite(logits, sizeof(float), batch * CLASSES, f);
  fclose(f);
  return 0;
}
