/*===- cnnrt.h - The C boundary of the cnnc runtime ---------------*- C -*-===*
 *
 * What generated model code (and C programs embedding a compiled model) call.
 * Plain C: opaque handles, fixed-width integers, status codes. A function that
 * can fail returns 0 on success and -1 on failure, and cnnrt_last_error() then
 * returns the message (thread-local, valid until the next failing call on the
 * same thread). No C++ exception crosses this boundary.
 *
 * Provisional: the first pieces of the runtime (arena, checkpoints, init,
 * Philox); the compiler's calling convention will extend it.
 *
 *===----------------------------------------------------------------------===*/
#ifndef CNNRT_CNNRT_H
#define CNNRT_CNNRT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { CNNRT_F32 = 0, CNNRT_I64 = 1 };
enum { CNNRT_PARAMETER = 0, CNNRT_BUFFER = 1 };
enum { CNNRT_INIT_UNIFORM = 0, CNNRT_INIT_NORMAL = 1, CNNRT_INIT_CONSTANT = 2 };

/* The structs that cnnc emits as constants (these two, and those of
 * cnnrt/model_abi.h) are declared from field lists: CNNRT_<NAME>_FIELDS(
 * FIELD, ARRAY) names each field in order, as FIELD(type, name) or
 * ARRAY(type, name, count). The C declaration expands the list with the
 * macros below; cnnc expands the same list to build the struct's LLVM type
 * and constants (compiler/codegen/ModelAbi.h), so the two cannot drift. */
#define CNNRT_DECLARE_FIELD(type, name) type name;
#define CNNRT_DECLARE_ARRAY(type, name, count) type name[count];

/* One row of the layout table the compiler emits. */
#define CNNRT_TENSOR_DESC_FIELDS(FIELD, ARRAY)                               \
  FIELD(const char *, name)     /* state_dict name */                        \
  FIELD(int32_t, dtype)         /* CNNRT_F32 | CNNRT_I64 */                  \
  FIELD(int32_t, role)          /* CNNRT_PARAMETER | CNNRT_BUFFER */         \
  FIELD(int32_t, rank)                                                       \
  FIELD(const int64_t *, shape) /* rank entries */
typedef struct cnnrt_tensor_desc {
  CNNRT_TENSOR_DESC_FIELDS(CNNRT_DECLARE_FIELD, CNNRT_DECLARE_ARRAY)
} cnnrt_tensor_desc;

/* uniform(a, b) | normal(mean a, std b) | constant(a) */
#define CNNRT_INIT_SPEC_FIELDS(FIELD, ARRAY)                                 \
  FIELD(int32_t, kind) /* CNNRT_INIT_* */                                    \
  FIELD(double, a)                                                           \
  FIELD(double, b)
typedef struct cnnrt_init_spec {
  CNNRT_INIT_SPEC_FIELDS(CNNRT_DECLARE_FIELD, CNNRT_DECLARE_ARRAY)
} cnnrt_init_spec;

/* Another state_dict name of tensor `tensor` (an index into the
 * descriptors): a block shared by n uses is stored once, but PyTorch's
 * state_dict lists it under every use's prefix. The --emit=lib header's
 * `<prefix>_aliases` table has this layout. */
typedef struct cnnrt_alias {
  const char *name;
  int64_t tensor;
} cnnrt_alias;

typedef struct cnnrt_arena cnnrt_arena;

const char *cnnrt_last_error(void);

/* NULL on failure. */
cnnrt_arena *cnnrt_arena_create(const cnnrt_tensor_desc *descs, int64_t count);
/* With the tensors' other names: checkpoints are then read under any of a
 * tensor's names (copies under several must agree) and written under all of
 * them, as PyTorch's state_dict of a shared block has them. */
cnnrt_arena *cnnrt_arena_create_with_aliases(const cnnrt_tensor_desc *descs,
                                             int64_t count,
                                             const cnnrt_alias *aliases,
                                             int64_t num_aliases);
void cnnrt_arena_destroy(cnnrt_arena *arena);
/* Base of the contiguous, 64-byte aligned storage. */
void *cnnrt_arena_base(cnnrt_arena *arena);
int64_t cnnrt_arena_size(const cnnrt_arena *arena);
/* Byte offset of tensor `index`, or -1 if out of range. */
int64_t cnnrt_arena_offset(const cnnrt_arena *arena, int64_t index);
/* Index of the tensor with this name or alias, or -1. */
int64_t cnnrt_arena_find(const cnnrt_arena *arena, const char *name);

/* specs[i] initialises tensor i; streams keyed by (seed, i). */
int cnnrt_arena_init(cnnrt_arena *arena, const cnnrt_init_spec *specs,
                     uint64_t seed);
/* strict != 0: tensors in the file that the arena lacks are an error. */
int cnnrt_arena_load(cnnrt_arena *arena, const char *path, int strict);
int cnnrt_arena_save(const cnnrt_arena *arena, const char *path);

/* CPU features (x86). `features` is a comma-separated list of LLVM's
 * feature names, as cnnc records them in a compiled model
 * (cnnrt_model.target_features, e.g. "avx2,fma,avx512f"); the result is the
 * ones this CPU lacks, comma-separated, or "" when it has them all. A feature
 * counts as lacking when CPUID does not report it, when the operating system
 * does not enable its registers (AVX, AVX-512, AMX, APX state), and when the
 * runtime does not know the name (cnnrt/CpuFeatures.def lists those it
 * knows). The environment variable CNNRT_CPU_MASK, a list of names like
 * `features`, hides features of this CPU (a test hook: CNNRT_CPU_MASK=avx512f
 * plays a CPU without AVX-512). The string is thread-local, valid until the
 * next call of a cnnrt_cpu or cnnrt_model_check_cpu function on the thread. */
const char *cnnrt_cpu_missing_features(const char *features);
/* The best of cnnc's -mcpu=x86-64, x86-64-v2, x86-64-v3 (AVX2, FMA) and
 * x86-64-v4 (AVX-512) that this CPU (less CNNRT_CPU_MASK) runs. */
const char *cnnrt_cpu_level(void);

void cnnrt_philox4x32_10(const uint32_t counter[4], const uint32_t key[2],
                         uint32_t out[4]);
/* (x >> 8) * 2^-24, in [0, 1). */
float cnnrt_uniform_from_u32(uint32_t x);

#ifdef __cplusplus
}
#endif

#endif /* CNNRT_CNNRT_H */
