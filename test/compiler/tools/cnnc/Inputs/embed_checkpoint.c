/* A C program embedding a model built with --emit=lib that loads a PyTorch
 * checkpoint through libcnnrt's C API: the arena comes from the exported
 * descriptor, with the shared tensors' aliases, so PyTorch's full
 * state_dict (every alias present) loads strictly. Built with
 * -include cnnrt/model_abi.h -include <model>.h and -DMODEL=<prefix>_model
 * -DINFER=<prefix>_infer. Usage: embed_checkpoint CKPT INPUT BATCH OUTPUT,
 * INPUT and OUTPUT raw floats. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: embed_checkpoint CKPT INPUT BATCH OUTPUT\n");
    return 2;
  }
  const cnnrt_model *m = &MODEL;
  /* Before the model's code runs: it may need CPU features this CPU lacks. */
  const char *cpu = cnnrt_model_check_cpu(m);
  if (cpu) {
    fprintf(stderr, "embed_checkpoint: %s was %s\n", m->name, cpu);
    return 1;
  }
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
  if (!arena || cnnrt_arena_load(arena, argv[1], /*strict=*/1) != 0) {
    fprintf(stderr, "embed_checkpoint: %s\n", cnnrt_last_error());
    return 1;
  }
  long batch = atol(argv[3]);
  size_t in = (size_t)batch * m->input_shape[0] * m->input_shape[1] * m->input_shape[2];
  float *input = aligned_alloc(64, (sizeof(float) * in + 63) / 64 * 64);
  float *logits = aligned_alloc(64, (sizeof(float) * batch * m->num_classes + 63) / 64 * 64);
  FILE *f = fopen(argv[2], "rb");
  if (!f || fread(input, sizeof(float), in, f) != in) {
    fprintf(stderr, "embed_checkpoint: cannot read %s\n", argv[2]);
    return 1;
  }
  fclose(f);
  INFER(cnnrt_arena_base(arena), input, batch, logits);
  f = fopen(argv[4], "wb");
  fwrite(logits, sizeof(float), batch * m->num_classes, f);
  fclose(f);
  printf("loaded %lld tensors and %lld aliases\n", (long long)m->num_tensors,
         (long long)num_aliases);
  cnnrt_arena_destroy(arena);
  free(logits);
  free(input);
  free(aliases);
  free(descs);
  return 0;
}
