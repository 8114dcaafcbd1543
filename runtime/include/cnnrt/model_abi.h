/*===- model_abi.h - what a compiled model gives the runtime -------*- C -*-===*
 *
 * cnnc emits one `cnnc_model` descriptor per compiled model; libcnnrt's
 * executable main (eval, infer, info, bench, later train) and the static
 * library's C API drive the model only through it. Plain C, fixed widths,
 * so the compiler can emit it as LLVM constants and C programs can embed it.
 *
 * The generated functions follow MLIR's C interface (`llvm.emit_c_interface`):
 * each memref argument is a pointer to a strided memref descriptor.
 *
 *===----------------------------------------------------------------------===*/
#ifndef CNNRT_MODEL_ABI_H
#define CNNRT_MODEL_ABI_H

#include "cnnrt/cnnrt.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2: hyperparameters added after `name`; the buffer conventions of forward
 * written down.
 * 3: aliases added to cnnrt_model_tensor (a shared block's state_dict names). */
#define CNNRT_MODEL_ABI_VERSION 3

/* MLIR's strided memref descriptors of the ranks the model functions use. */
typedef struct cnnrt_memref1d_i8 {
  int8_t *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} cnnrt_memref1d_i8;
typedef struct cnnrt_memref2d_f32 {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} cnnrt_memref2d_f32;
typedef struct cnnrt_memref4d_f32 {
  float *allocated, *aligned;
  int64_t offset, sizes[4], strides[4];
} cnnrt_memref4d_f32;

/* Eval-mode forward, destination-passing: reads the arena (parameters and
 * buffers at their layout offsets) and an input batch [N, C, H, W], writes
 * the logits [N, K]. N (>= 1) is the batch size of both descriptors and may
 * differ from call to call (the last batch of a data set is partial).
 *
 * What the runtime guarantees, so the generated code may assume it: every
 * descriptor has allocated == aligned, offset 0, contiguous row-major strides
 * (input: C*H*W, H*W, W, 1; output: K, 1; arena: 1), and the aligned pointer
 * is a multiple of 64 bytes. The arena's size is arena_bytes. The function
 * may run OpenMP threads (see setThreads in runtime/main/Threads.h); it must
 * not keep the pointers after it returns. */
typedef void (*cnnrt_forward_fn)(cnnrt_memref1d_i8 *arena,
                                 cnnrt_memref4d_f32 *input,
                                 cnnrt_memref2d_f32 *output);

/* One parameter or buffer: layout (offset into the arena, a multiple of 64,
 * in declaration order as cnnrt::Layout places them) and initializer.
 *
 * `aliases` are the tensor's other state_dict names: a block shared by n
 * uses (PyTorch's `nn.Sequential(*(n * [block]))`) is stored once, under
 * desc.name ("resblocks.0.conv.weight"), but PyTorch's state_dict lists it
 * under every use ("resblocks.1.conv.weight", ...). Checkpoints are read
 * under any of the names and written under all of them. num_aliases is 0
 * (aliases may then be NULL) for a tensor with one name; no name, alias or
 * not, occurs twice in a model. */
typedef struct cnnrt_model_tensor {
  cnnrt_tensor_desc desc;
  int64_t offset;
  cnnrt_init_spec init;
  int64_t num_aliases;
  const char *const *aliases;
} cnnrt_model_tensor;

/* A resolved model parameter as the model file spells it after -D overrides,
 * e.g. {"n_chans1", "32"}: `info` prints them, and a data set of the wrong
 * shape is answered with the -D flags to recompile with. */
typedef struct cnnrt_model_hyperparam {
  const char *name;
  const char *value;
} cnnrt_model_hyperparam;

enum { CNNRT_PENALTY_NONE = 0, CNNRT_PENALTY_L1 = 1, CNNRT_PENALTY_L2 = 2 };

/* The model file's train { } section: defaults for the trainer's flags. */
typedef struct cnnrt_train_config {
  double lr, momentum, dampening, weight_decay;
  int32_t nesterov, penalty; /* CNNRT_PENALTY_* */
  double penalty_strength;
  int64_t epochs, batch_size, seed;
} cnnrt_train_config;

typedef struct cnnrt_model {
  int32_t abi_version;          /* CNNRT_MODEL_ABI_VERSION */
  const char *name;             /* the model's name, e.g. "NetResDeep" */
  int64_t num_hyperparams;
  const cnnrt_model_hyperparam *hyperparams; /* in declaration order */
  int64_t input_shape[3];       /* per sample: C, H, W */
  int64_t num_classes;          /* logits per sample */
  int64_t num_tensors;
  const cnnrt_model_tensor *tensors;
  int64_t arena_bytes;          /* the layout's total size */
  int64_t flops_per_sample;     /* forward pass, multiply-add = 2 FLOPs */
  cnnrt_train_config train;
  cnnrt_forward_fn forward;
} cnnrt_model;

/* Emitted by cnnc into every model object. */
extern const cnnrt_model cnnc_model;

#ifdef __cplusplus
}
#endif

#endif /* CNNRT_MODEL_ABI_H */
