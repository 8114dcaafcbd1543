/* A C program embedding a model built with --target=cuda --emit=lib: loads
 * a PyTorch checkpoint through libcnnrt's C API (as embed_checkpoint.c)
 * and runs the model's forward on the GPU through cnnrt/cuda.h, or on the
 * CPU. Built with -include cnnrt/cuda.h -include <model>.h and
 * -DMODEL=<prefix>_model -DINFER=<prefix>_infer -DHAS_CUDA=<PREFIX>_HAS_CUDA.
 *
 * Usage: embed_cuda CKPT INPUT BATCH OUTPUT, INPUT and OUTPUT raw floats.
 * EMBED_DEVICE picks where it runs:
 *   cuda (default)  the GPU or an error (cnnrt_cuda_forward_create's);
 *                   the batch runs three times (eager, captured, replayed),
 *                   and the three answers must be the same bytes
 *   auto            the GPU when cnnrt_model_check_cuda allows, else the CPU
 *                   with a note saying why
 *   cpu             <prefix>_infer */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, const char *why) {
  fprintf(stderr, "embed_cuda: %s%s%s\n", what, *what ? ": " : "", why);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: embed_cuda CKPT INPUT BATCH OUTPUT\n");
    return 2;
  }
  const char *device = getenv("EMBED_DEVICE") ? getenv("EMBED_DEVICE") : "cuda";
  const cnnrt_model *m = &MODEL;
  printf("header: has cuda %d\n", HAS_CUDA);
  const char *cpu = cnnrt_model_check_cpu(m);
  if (cpu)
    return fail(m->name, cpu);

  cnnrt_tensor_desc *descs = malloc(sizeof *descs * m->num_tensors);
  cnnrt_alias *aliases = NULL;
  int64_t num_aliases = 0;
  for (int64_t i = 0; i < m->num_tensors; ++i) {
    descs[i] = m->tensors[i].desc;
    for (int64_t j = 0; j < m->tensors[i].num_aliases; ++j) {
      aliases = realloc(aliases, sizeof *aliases * (num_aliases + 1));
      aliases[num_aliases].name = m->tensors[i].aliases[j];
      aliases[num_aliases++].tensor = i;
    }
  }
  cnnrt_arena *arena =
      cnnrt_arena_create_with_aliases(descs, m->num_tensors, aliases, num_aliases);
  if (!arena || cnnrt_arena_load(arena, argv[1], /*strict=*/1) != 0)
    return fail("", cnnrt_last_error());

  long batch = atol(argv[3]);
  size_t in = (size_t)batch * m->input_shape[0] * m->input_shape[1] * m->input_shape[2];
  size_t out = (size_t)batch * m->num_classes;
  float *input = aligned_alloc(64, (sizeof(float) * in + 63) / 64 * 64);
  float *logits = aligned_alloc(64, (sizeof(float) * out + 63) / 64 * 64);
  float *again = aligned_alloc(64, (sizeof(float) * out + 63) / 64 * 64);
  FILE *f = fopen(argv[2], "rb");
  if (!f || fread(input, sizeof(float), in, f) != in)
    return fail("cannot read", argv[2]);
  fclose(f);

  int gpu = strcmp(device, "cpu") != 0;
  if (strcmp(device, "auto") == 0) {
    const char *why = cnnrt_model_check_cuda(m);
    if (why) {
      fprintf(stderr, "embed_cuda: note: %s: running on the CPU\n", why);
      gpu = 0;
    }
  }
  if (gpu) {
    cnnrt_cuda_forward *g = cnnrt_cuda_forward_create(m, cnnrt_arena_base(arena));
    if (!g)
      return fail("", cnnrt_last_error());
    /* Eager, then captured into a graph, then the graph replayed. */
    for (int run = 0; run < 3; ++run) {
      if (cnnrt_cuda_forward_run(g, input, batch, run == 0 ? logits : again) != 0)
        return fail("", cnnrt_last_error());
      if (run > 0 && memcmp(logits, again, sizeof(float) * out) != 0)
        return fail("", "the GPU's runs disagree");
    }
    /* The API's own checks: a negative batch is an error, not a crash. */
    if (cnnrt_cuda_forward_run(g, input, -1, again) == 0)
      return fail("", "batch -1 accepted");
    printf("ran on %s, 3 runs agree; batch -1: %s\n", cnnrt_cuda_forward_device(g),
           cnnrt_last_error());
    cnnrt_cuda_forward_destroy(g);
  } else {
    INFER(cnnrt_arena_base(arena), input, batch, logits);
    printf("ran on the CPU\n");
  }
  f = fopen(argv[4], "wb");
  fwrite(logits, sizeof(float), out, f);
  fclose(f);
  cnnrt_arena_destroy(arena);
  free(again);
  free(logits);
  free(input);
  free(aliases);
  free(descs);
  return 0;
}
