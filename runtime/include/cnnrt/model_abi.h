/*===- model_abi.h - what a compiled model gives the runtime -------*- C -*-===*
 *
 * cnnc emits one `cnnc_model` descriptor per compiled model; libcnnrt's
 * executable main (eval, infer, info, bench, later train) and the static
 * library's C API drive the model only through it. Plain C, fixed widths,
 * so the compiler can emit it as LLVM constants and C programs can embed it.
 * This header is the one source of the ABI: its structs are declared from
 * field lists (CNNRT_<NAME>_FIELDS, see cnnrt.h) that cnnc expands into
 * the LLVM types it emits, the entry points' types are the typedefs below,
 * and cnnc checks the layouts against this header's before it emits
 * (compiler/codegen/ModelAbi.h).
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
 * 3: aliases added to cnnrt_model_tensor (a shared block's state_dict names).
 * 4: training: the train_step function, the training state's layout
 *    (gradients and momentum buffers after the model's tensors) and the
 *    dropout sites, after `forward`.
 * 5: target_cpu and target_features at the end: what the code needs of the
 *    CPU, checked before it runs (cnnrt_model_check_cpu).
 * 6: train_step is data-parallel: it calls cnnrt_replica_sum_f32/_f64
 *    (below), which the runtime defines; its mean loss, gradients and batch
 *    statistics are over the global batch of all replicas.
 * 7: the CUDA target: forward_cuda and its kernels (PTX) at the end; the
 *    code calls cnnrt_gpu_alloc and cnnrt_gpu_launch (below).
 * 8: train_step_cuda, the training step on the GPU, at the end; its
 *    kernels are in the same PTX and kernel list as forward_cuda's. It
 *    reads the batch from a data set on the device and its scalars from
 *    device memory (cnnrt_train_scalars), so one captured CUDA graph
 *    serves every step. */
#define CNNRT_MODEL_ABI_VERSION 8

/* MLIR's strided memref descriptors of the ranks the model functions use. */
typedef struct cnnrt_memref1d_i8 {
  int8_t *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} cnnrt_memref1d_i8;
typedef struct cnnrt_memref1d_f32 {
  float *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} cnnrt_memref1d_f32;
typedef struct cnnrt_memref1d_i32 {
  int32_t *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} cnnrt_memref1d_i32;
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

/* One training step (forward in train mode, mean cross-entropy loss, the
 * penalty, backward, the fused SGD update), destination-passing like
 * forward and with the same descriptor guarantees:
 *
 *   arena   train_arena_bytes: the model's tensors (as forward reads them),
 *           then each parameter's gradient and momentum buffer at the
 *           offsets of its cnnrt_train_slot. Read and written in place:
 *           parameters, momentum buffers and batchnorm buffers are updated,
 *           every gradient slot is overwritten with this step's gradient of
 *           the mean cross-entropy alone (what PyTorch's p.grad holds when
 *           the loss has no penalty; a shared tensor's gradient is the sum
 *           over its uses).
 *   input   [N, C, H, W] normalised batch; labels [N], 0 <= label < K.
 *   logits  out [N, K]: the train-mode forward's output (before the update).
 *   loss    out [2]: {mean cross-entropy, penalty}, the penalty being
 *           l2·Σp² + l1·Σ|p| over every parameter (biases included) before
 *           the update; the lecture's loss is their sum.
 *   masks   [N · mask_elems_per_sample] dropout masks, sites in order, site s
 *           at N · (sum of the earlier sites' elems_per_sample), each [N, E]
 *           row-major; a kept element holds 1/(1-p), a dropped one 0.
 *           Written with the masks the step generated, unless masks_given is
 *           nonzero: then read, and used instead of generating them. At
 *           least one element even for a model without dropout.
 *
 * Scalars: the SGD hyperparameters (PyTorch's torch.optim.SGD: g = grad +
 * 2·l2·p + l1·sign(p) + weight_decay·p; with momentum μ ≠ 0, buf = g when
 * first_step is nonzero, else buf = μ·buf + (1 − dampening)·g, then g = g +
 * μ·buf if nesterov else buf; p = p − lr·g), and the dropout key: the mask
 * of site s for element e (the row-major index within the site's [N, E]
 * mask of this batch) keeps the element iff uniform(x0) >= p, where
 * (x0, x1, x2, x3) = philox4x32_10(counter = {e, s, lo32(step), hi32(step)},
 * key = {lo32(seed), hi32(seed)}) and uniform is cnnrt_uniform_from_u32.
 * Batchnorm updates its running statistics once per use, in order of use,
 * and adds 1 to num_batches_tracked per use.
 *
 * Data parallelism (ABI 6): in a run of R replicas (processes, each with
 * its own arena, all with the same parameters) each replica calls
 * train_step with its shard of a global batch of N = N_0 + ... + N_{R-1}
 * samples (N_r may be 0; the masks, generated or given, are its shard's).
 * The step then computes what one process would with the whole batch: the
 * mean cross-entropy over N (loss[0], the same on every replica), batchnorm
 * statistics over the global batch (PyTorch's SyncBatchNorm), every
 * gradient slot holding the global batch's gradient, and the same update
 * everywhere. It exchanges sums through cnnrt_replica_sum_f32/_f64 (below),
 * the gradients in one call; every replica makes the same calls in the same
 * order. In a single process those calls change nothing. */
typedef void (*cnnrt_train_step_fn)(cnnrt_memref1d_i8 *arena,
                                    cnnrt_memref4d_f32 *input,
                                    cnnrt_memref1d_i32 *labels,
                                    cnnrt_memref2d_f32 *logits,
                                    cnnrt_memref1d_f32 *loss,
                                    cnnrt_memref1d_f32 *masks, float lr,
                                    float momentum, float dampening,
                                    float weight_decay, float l2, float l1,
                                    int32_t nesterov, int32_t first_step,
                                    int32_t masks_given, int64_t seed,
                                    int64_t step);

/* The training step on the GPU (ABI 8): train_step's work, but shaped
 * for a data set that lives on the device and for CUDA graphs, whose
 * kernel parameters are fixed when captured:
 *
 *   images  the whole data set [M, C, H, W], normalised; labels [M].
 *   batch   [N] indices into it, 0 <= batch[n] < M: this step's samples,
 *           in order (the step gathers them; an epoch's shuffle is the
 *           runtime's choice of indices).
 *   scalars train_step's scalar arguments as a cnnrt_train_scalars in
 *           device memory (at least sizeof(cnnrt_train_scalars) bytes),
 *           read by the kernels when they run.
 *
 * The arena, logits, loss and masks are train_step's, in device memory.
 * Every call with the same descriptors (addresses and N) makes the same
 * launches, so the runtime captures one graph and, before each replay,
 * writes only the batch's indices and the scalars. */
#define CNNRT_TRAIN_SCALARS_FIELDS(FIELD, ARRAY)                             \
  FIELD(float, lr)                                                           \
  FIELD(float, momentum)                                                     \
  FIELD(float, dampening)                                                    \
  FIELD(float, weight_decay)                                                 \
  FIELD(float, l2)                                                           \
  FIELD(float, l1)                                                           \
  FIELD(int32_t, nesterov)                                                   \
  FIELD(int32_t, first_step)                                                 \
  FIELD(int32_t, masks_given)                                                \
  FIELD(int32_t, reserved) /* 0 */                                           \
  FIELD(int64_t, seed)                                                       \
  FIELD(int64_t, step)
typedef struct cnnrt_train_scalars {
  CNNRT_TRAIN_SCALARS_FIELDS(CNNRT_DECLARE_FIELD, CNNRT_DECLARE_ARRAY)
} cnnrt_train_scalars;

typedef void (*cnnrt_train_step_cuda_fn)(
    cnnrt_memref1d_i8 *arena, cnnrt_memref4d_f32 *images,
    cnnrt_memref1d_i32 *labels, cnnrt_memref1d_i32 *batch,
    cnnrt_memref2d_f32 *logits, cnnrt_memref1d_f32 *loss,
    cnnrt_memref1d_f32 *masks, cnnrt_memref1d_i8 *scalars);

/* Where the training state of one parameter lives: its gradient and its
 * momentum buffer, f32 tensors of the parameter's shape. Layout rule (as
 * cnnrt::Layout continues it): after the model's tensors (arena_bytes),
 * every parameter's gradient in the order of `tensors`, then every
 * parameter's momentum buffer in the same order, each at the next multiple
 * of 64 bytes. */
#define CNNRT_TRAIN_SLOT_FIELDS(FIELD, ARRAY)                                \
  FIELD(int64_t, tensor) /* index into cnnrt_model.tensors (a parameter) */  \
  FIELD(int64_t, grad_offset)     /* bytes into the arena */                 \
  FIELD(int64_t, momentum_offset) /* bytes into the arena */
typedef struct cnnrt_train_slot {
  CNNRT_TRAIN_SLOT_FIELDS(CNNRT_DECLARE_FIELD, CNNRT_DECLARE_ARRAY)
} cnnrt_train_slot;

/* A dropout op of the model, in site order (cnn.dropout's `site`). */
#define CNNRT_DROPOUT_SITE_FIELDS(FIELD, ARRAY)                              \
  FIELD(const char *, name) /* the layer's path, e.g. "conv1_dropout" */     \
  FIELD(double, p)          /* drop probability */                           \
  /* 1 for dropout2d: one draw per (sample, channel) */                      \
  FIELD(int32_t, channelwise)                                                \
  /* E: C for dropout2d, else the activation's size */                       \
  FIELD(int64_t, elems_per_sample)
typedef struct cnnrt_dropout_site {
  CNNRT_DROPOUT_SITE_FIELDS(CNNRT_DECLARE_FIELD, CNNRT_DECLARE_ARRAY)
} cnnrt_dropout_site;

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
#define CNNRT_MODEL_TENSOR_FIELDS(FIELD, ARRAY)                              \
  FIELD(cnnrt_tensor_desc, desc)                                             \
  FIELD(int64_t, offset)                                                     \
  FIELD(cnnrt_init_spec, init)                                               \
  FIELD(int64_t, num_aliases)                                                \
  FIELD(const char *const *, aliases)
typedef struct cnnrt_model_tensor {
  CNNRT_MODEL_TENSOR_FIELDS(CNNRT_DECLARE_FIELD, CNNRT_DECLARE_ARRAY)
} cnnrt_model_tensor;

/* A resolved model parameter as the model file spells it after -D overrides,
 * e.g. {"n_chans1", "32"}: `info` prints them, and a data set of the wrong
 * shape is answered with the -D flags to recompile with. */
#define CNNRT_MODEL_HYPERPARAM_FIELDS(FIELD, ARRAY)                          \
  FIELD(const char *, name)                                                  \
  FIELD(const char *, value)
typedef struct cnnrt_model_hyperparam {
  CNNRT_MODEL_HYPERPARAM_FIELDS(CNNRT_DECLARE_FIELD, CNNRT_DECLARE_ARRAY)
} cnnrt_model_hyperparam;

enum { CNNRT_PENALTY_NONE = 0, CNNRT_PENALTY_L1 = 1, CNNRT_PENALTY_L2 = 2 };

/* The model file's train { } section: defaults for the trainer's flags. */
#define CNNRT_TRAIN_CONFIG_FIELDS(FIELD, ARRAY)                              \
  FIELD(double, lr)                                                          \
  FIELD(double, momentum)                                                    \
  FIELD(double, dampening)                                                   \
  FIELD(double, weight_decay)                                                \
  FIELD(int32_t, nesterov)                                                   \
  FIELD(int32_t, penalty) /* CNNRT_PENALTY_* */                              \
  FIELD(double, penalty_strength)                                            \
  FIELD(int64_t, epochs)                                                     \
  FIELD(int64_t, batch_size)                                                 \
  FIELD(int64_t, seed)
typedef struct cnnrt_train_config {
  CNNRT_TRAIN_CONFIG_FIELDS(CNNRT_DECLARE_FIELD, CNNRT_DECLARE_ARRAY)
} cnnrt_train_config;

/* The descriptor. From ABI 5, target_cpu and target_features: the CPU the
 * code was compiled for, cnnc's -mcpu, or the host's name for the default
 * -mcpu=native ("znver5"), and the x86 features of cnnrt/CpuFeatures.def
 * that -mcpu and -mattr enable, comma-separated ("sse3,...,avx512f,...";
 * "" for baseline x86-64). Code run on a CPU without one of them may stop
 * with SIGILL: see cnnrt_model_check_cpu. */
#define CNNRT_MODEL_FIELDS(FIELD, ARRAY)                                     \
  FIELD(int32_t, abi_version) /* CNNRT_MODEL_ABI_VERSION */                  \
  FIELD(const char *, name)   /* the model's name, e.g. "NetResDeep" */      \
  FIELD(int64_t, num_hyperparams)                                            \
  /* in declaration order */                                                 \
  FIELD(const cnnrt_model_hyperparam *, hyperparams)                         \
  ARRAY(int64_t, input_shape, 3) /* per sample: C, H, W */                   \
  FIELD(int64_t, num_classes)    /* logits per sample */                     \
  FIELD(int64_t, num_tensors)                                                \
  FIELD(const cnnrt_model_tensor *, tensors)                                 \
  FIELD(int64_t, arena_bytes)      /* the layout's total size */             \
  FIELD(int64_t, flops_per_sample) /* forward, multiply-add = 2 FLOPs */     \
  FIELD(cnnrt_train_config, train)                                           \
  FIELD(cnnrt_forward_fn, forward)                                           \
  /* Training (ABI 4). */                                                    \
  FIELD(cnnrt_train_step_fn, train_step)                                     \
  /* arena_bytes plus the training state */                                  \
  FIELD(int64_t, train_arena_bytes)                                          \
  /* one per parameter, in tensor order */                                   \
  FIELD(int64_t, num_train_slots)                                            \
  FIELD(const cnnrt_train_slot *, train_slots)                               \
  FIELD(int64_t, num_dropout_sites)                                          \
  FIELD(const cnnrt_dropout_site *, dropout_sites)                           \
  /* the sum of the sites' elems_per_sample */                               \
  FIELD(int64_t, mask_elems_per_sample)                                      \
  /* The CPU (ABI 5). */                                                     \
  FIELD(const char *, target_cpu)                                            \
  FIELD(const char *, target_features)                                       \
  /* The NVIDIA GPU (ABI 7): NULL and 0 unless compiled with --target=cuda. \
   * forward_cuda has forward's type and buffer conventions, but every      \
   * pointer in its descriptors is a device address (CUdeviceptr) and it    \
   * runs on the host only to enqueue work: its temporaries come from       \
   * cnnrt_gpu_alloc and its kernels are started by cnnrt_gpu_launch, the   \
   * same calls in the same order on every call with the same batch size   \
   * (so a call can be captured into a CUDA graph and replayed). */         \
  FIELD(cnnrt_forward_fn, forward_cuda)                                      \
  FIELD(const char *, gpu_arch) /* --gpu-arch, e.g. "sm_90" */               \
  FIELD(const char *, gpu_ptx)  /* every kernel, PTX text */                 \
  FIELD(int64_t, gpu_num_kernels)                                            \
  /* the kernels' .entry names; cnnrt_gpu_launch's `kernel` indexes them */  \
  FIELD(const char *const *, gpu_kernel_names)                               \
  /* The training step on the GPU (ABI 8): NULL unless compiled with        \
   * --target=cuda and a train step. See cnnrt_train_step_cuda_fn; with     \
   * forward_cuda's rules (device addresses, enqueue only). Its             \
   * cnnrt_replica_sum calls get device addresses when the work is only     \
   * enqueued: a data-parallel run on GPUs needs a hook that orders itself  \
   * on the stream (the executables run it in one process). */             \
  FIELD(cnnrt_train_step_cuda_fn, train_step_cuda)
typedef struct cnnrt_model {
  CNNRT_MODEL_FIELDS(CNNRT_DECLARE_FIELD, CNNRT_DECLARE_ARRAY)
} cnnrt_model;

/* What train_step calls: sums over the replicas of a data-parallel run.
 *
 * cnnrt_replica_sum_f32 (and _f64) replace the `size` elements at aligned +
 * offset (stride 1) by their element-wise sum over the replicas, the same
 * bits on every replica. The arguments are MLIR's default calling
 * convention for a memref<?xf32> (allocated, aligned, offset, size,
 * stride). libcnnrt defines them: they do nothing until a replica_sum hook
 * is set, and call it then. The executable's `train` sets one under mpirun
 * (runtime/main/Replicas.h); a program embedding a model may set its own
 * (MPI, NCCL, ...). The hook gets the buffer, its element count and its
 * dtype (CNNRT_F32 or CNNRT_F64 = 2), and must not return before the sum
 * is there; a failure must end the process (the step cannot fail). */
enum { CNNRT_F64 = 2 };
typedef void (*cnnrt_replica_sum_fn)(void *data, int64_t count, int32_t dtype,
                                     void *context);
/* fn NULL: back to a single process. Not thread-safe against running
 * steps; set it before the first. */
void cnnrt_set_replica_sum(cnnrt_replica_sum_fn fn, void *context);
void cnnrt_replica_sum_f32(float *allocated, float *aligned, int64_t offset,
                           int64_t size, int64_t stride);
void cnnrt_replica_sum_f64(double *allocated, double *aligned, int64_t offset,
                           int64_t size, int64_t stride);

/* What forward_cuda calls (ABI 7); libcnnrt defines them, for the CUDA
 * wing of the runtime (cnnrt/Gpu.h) to serve.
 *
 * cnnrt_gpu_alloc: a device buffer of at least `bytes` for a temporary of
 * the current call, as an address (the code aligns it itself). The n-th
 * request of every call with the same batch size may return the same
 * buffer. On failure (out of device memory) it returns 0 and the runtime
 * reports the error when forward_cuda returns.
 *
 * cnnrt_gpu_launch: enqueue kernel `kernel` (an index into
 * gpu_kernel_names) on a grid of gx·gy·gz blocks of bx·by·bz threads with
 * `shared_bytes` of dynamic shared memory; `params` is cuLaunchKernel's
 * kernelParams: one pointer per kernel parameter, to its value. Launches
 * after a failed one are skipped; the runtime reports the first failure
 * when forward_cuda returns. */
int64_t cnnrt_gpu_alloc(int64_t bytes);
void cnnrt_gpu_launch(int64_t kernel, int64_t gx, int64_t gy, int64_t gz,
                      int64_t bx, int64_t by, int64_t bz, int64_t shared_bytes,
                      void **params);

/* Emitted by cnnc into every model object. */
extern const cnnrt_model cnnc_model;

/* NULL when this CPU has every feature in model->target_features (see
 * cnnrt_cpu_missing_features, which this calls; CNNRT_CPU_MASK applies),
 * else a message that continues "<the model> was " and names what is
 * missing and the -mcpu to recompile with, e.g. "compiled for znver5
 * (AVX-512), but this CPU lacks avx512f, avx512bw: recompile with cnnc
 * -mcpu=x86-64-v3 (or -mcpu=native)". Also NULL for a descriptor of another
 * ABI version (whose fields it cannot read). Call it before the model's
 * first forward or train_step: the executables' main does, and a program
 * embedding a model (--emit=lib) should. The message is thread-local, as
 * cnnrt_cpu_missing_features's result. */
const char *cnnrt_model_check_cpu(const cnnrt_model *model);

#ifdef __cplusplus
}
#endif

#endif /* CNNRT_MODEL_ABI_H */
