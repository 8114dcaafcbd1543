/*===- cuda.h - A model's GPU forward, for C programs -------------*- C -*-===*
 *
 * For a program embedding a model compiled with cnnc --target=cuda
 * --emit=lib (its header defines <PREFIX>_HAS_CUDA 1): the model's
 * forward_cuda on GPU 0 (CUDA_VISIBLE_DEVICES picks which GPU that is), as
 * the executables' --device cuda runs it (cnnrt/CudaForward.h): the PTX
 * JIT-loaded once, a device arena with the weights, per batch size an eager
 * call, then one CUDA graph replayed.
 *
 * libcuda.so.1 is opened at run time (CNNRT_CUDA_DRIVER overrides the
 * name), never linked: a program using these functions starts on machines
 * without it, and can run the model's CPU forward there instead.
 *
 * In the style of cnnrt.h: 0 on success, -1 (or NULL) on failure with the
 * message in cnnrt_last_error(), the executables' words (e.g. "no CUDA
 * driver (libcuda.so.1 not found)").
 *
 *===----------------------------------------------------------------------===*/
#ifndef CNNRT_CUDA_H
#define CNNRT_CUDA_H

#include "cnnrt/model_abi.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* NULL when `model` can run on this machine's GPU 0, else why not: "<name>
 * was compiled without GPU code (cnnc --target=cuda adds it)", "no CUDA
 * driver (libcuda.so.1 not found)", "no CUDA GPU (cuInit: ...)", "the
 * model's GPU code is for sm_90, but device 0 (...) is sm_86", or a
 * descriptor of another ABI version. The first call loads and initialises
 * the driver. The message is thread-local, valid until the next call of
 * this function on the thread. */
const char *cnnrt_model_check_cuda(const cnnrt_model *model);

typedef struct cnnrt_cuda_forward cnnrt_cuda_forward;

/* The model's forward on GPU 0, its weights copied from `arena` (the host
 * arena, model->arena_bytes bytes laid out as the header's layout table
 * says; cnnrt_arena_base of an arena created from the descriptor). NULL on
 * failure: cnnrt_model_check_cuda's reasons, a PTX the driver cannot load,
 * no device memory. `model` must outlive the handle. */
cnnrt_cuda_forward *cnnrt_cuda_forward_create(const cnnrt_model *model,
                                              const void *arena);

/* Copies the weights again, after they changed in the host arena. */
int cnnrt_cuda_forward_upload(cnnrt_cuda_forward *forward, const void *arena);

/* Eval-mode forward of `batch` samples: `input` [batch, C, H, W] and
 * `logits` [batch, classes] floats, contiguous, in host memory. Blocks
 * until the logits are there. One thread at a time per handle. */
int cnnrt_cuda_forward_run(cnnrt_cuda_forward *forward, const float *input,
                           int64_t batch, float *logits);

/* "CUDA device 0: NVIDIA H200 (sm_90)", valid while the handle lives. */
const char *cnnrt_cuda_forward_device(const cnnrt_cuda_forward *forward);

/* Frees the device memory, the graphs and the stream; NULL is ignored. */
void cnnrt_cuda_forward_destroy(cnnrt_cuda_forward *forward);

#ifdef __cplusplus
}
#endif

#endif /* CNNRT_CUDA_H */
