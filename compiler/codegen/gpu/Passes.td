//===- Passes.td - the GPU wing's passes -------------------*- tablegen -*-===//
//
// What cnnc adds to MLIR's passes to take target-neutral linalg to NVIDIA
// kernels and a host function that starts them through libcnnrt:
// buildGpuPipeline (GpuPipeline.cpp) strings them together with upstream
// passes.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_CODEGEN_GPU_PASSES
#define CNNC_CODEGEN_GPU_PASSES

include "mlir/Pass/PassBase.td"

def GpuCopiesToLinalg : Pass<"cnn-gpu-copies-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Turn memref.copy into linalg.copy, so copies become kernels";
  let description = [{
    Bufferization writes a tensor into a slice of another (a padded image,
    a result into the output) as memref.copy, which the host would run;
    as linalg.copy it is lowered to a parallel loop and mapped to the GPU
    like every other op.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def GpuTrainEntry : Pass<"cnn-gpu-train-entry", "mlir::ModuleOp"> {
  let summary = "The GPU training step's entry: data set, indices, scalars";
  let description = [{
    Rewrites `function` (a train_step in linalg, model_abi.h's CPU
    signature) to the GPU's entry `entry` (cnnrt_train_step_cuda_fn): the
    batch is gathered from the whole data set through `batch`'s indices,
    and each scalar argument is loaded from the cnnrt_train_scalars in
    device memory (the kernels that use it load it:
    cnn-gpu-serial-kernels). A CUDA graph captured once then serves every
    step of a run. A module without `function` is left alone.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::bufferization::BufferizationDialect",
                           "mlir::arith::ArithDialect"];
  let options = [
    Option<"function", "function", "std::string",
           /*default=*/"\"train_step\"", "The training step to rewrite">,
    Option<"entry", "entry", "std::string",
           /*default=*/"\"train_step_cuda\"", "Its name on the GPU">,
  ];
}

def GpuSplitReductions
    : Pass<"cnn-gpu-split-reductions", "mlir::func::FuncOp"> {
  let summary = "Long sums split into partial sums and a fixed-order total";
  let description = [{
    A thread sums its reduction serially: a convolution's weight gradient
    (a few thousand outputs, each a sum over the batch and the image) or a
    penalty's sum over a whole parameter (one output) would leave most of
    the GPU idle behind a long chain of dependent adds. A sum whose outer
    reduction loop is the batch (or at least `min-split` long) and whose
    remaining reduction is at least `min-rest` long becomes two ops: the
    partial sums, that loop made parallel (one partial per batch element
    or row, each a thread), then the total over the partials, in order.
    No atomics: the result is the same bits on every run. Only sums
    (`out + x` yielded for every output) are split.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
  let options = [
    Option<"minSplit", "min-split", "int64_t", /*default=*/"8",
           "The shortest static outer loop worth splitting">,
    Option<"minRest", "min-rest", "int64_t", /*default=*/"16",
           "The shortest reduction left to each partial sum">,
  ];
}

def GpuReductionsInner
    : Pass<"cnn-gpu-reductions-inner", "mlir::func::FuncOp"> {
  let summary = "Every linalg op's parallel loops outside its reductions";
  let description = [{
    The schedule gives each thread one output element and runs its
    reduction serially, in a fixed order (deterministic, no atomics). That
    needs the parallel loops outermost: a reduction before a parallel loop
    (a bias gradient sums over the batch first) would stay a host loop
    around a launch per step. Such ops are generalized and interchanged,
    parallel loops first.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def GpuFoldPadding : Pass<"cnn-gpu-fold-padding", "mlir::func::FuncOp"> {
  let summary = "Read a padded image's source through a bounds check";
  let description = [{
    A convolution's padding is bufferized as a new image: one kernel fills
    it with the pad value, a second copies the source into its interior,
    and the convolution reads it. On the GPU the two kernels cost two
    launches and a pass over memory for each padded convolution. Each load
    of such an image becomes a load of the source at the index less the
    padding, guarded by its bounds (the pad value outside), and the fill,
    the copy and the image go. Only when every read comes after the copy
    in the same block and nothing in between may write the source.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def GpuSerialKernels : Pass<"cnn-gpu-serial-kernels", "mlir::func::FuncOp"> {
  let summary = "Element work left on the host becomes one-thread kernels";
  let description = [{
    What has no parallel loop (the loss's sum over the batch, the penalty's
    sums over every parameter, a 0-d fill or copy, a scalar assembled into
    a small tensor) is loads, stores and serial loops in the host function.
    Each run of such ops between two kernels (with the scalar arithmetic
    among them) moves into a parallel loop of one iteration, which the
    mapping makes a kernel of one thread: the same arithmetic in the same
    order, on the device. A scalar the host still needs is recomputed
    there when it is pure; a loaded one the host would need is an error.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def GpuCheckHostCode : Pass<"cnn-gpu-check-host-code", "mlir::func::FuncOp"> {
  let summary = "No access to device memory left outside the kernels";
  let description = [{
    After the mapping, every buffer of the host function is device memory:
    a load, store, copy or linalg op outside a gpu.launch would run on the
    host against device addresses (on a real GPU a fault; on the CPU
    emulation and the fake driver it would silently work). Such an op is
    an error naming it, so the schedule's gaps show at compile time.
  }];
}

def GpuAccumulateInRegisters
    : Pass<"cnn-gpu-accumulate-in-registers", "mlir::func::FuncOp"> {
  let summary = "Keep a thread's reduction in a register across its loops";
  let description = [{
    Linalg's loops read and write an output element at every step of a
    reduction (a convolution's channels and window, a matmul's k). When a
    scf.for loads and stores one element at indices defined outside it and
    touches that buffer nowhere else, the value is carried as an iter_arg
    instead: one load before the loop, one store after. Innermost loops
    first, so a nest of reduction loops carries it through all of them.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::memref::MemRefDialect"];
}

def GpuHoistInvariantKernels
    : Pass<"cnn-gpu-hoist-invariant-kernels", "mlir::func::FuncOp"> {
  let summary = "Kernels that compute the same on every iteration run once";
  let description = [{
    A block repeated by sharing is one loop whose body is the block's
    kernels. Some compute only from the shared parameters (in eval, the
    convolution's weights with the batchnorm folded in): the same values
    on every iteration, at the cost of a launch each time. Such a kernel
    moves before the loop with the allocation it fills, when it uses no
    value of the loop but that allocation, nothing else in the loop writes
    the allocation, and nothing in the loop writes what the kernel reads.
  }];
}

def GpuMapToThreads : Pass<"cnn-gpu-map-to-threads", "mlir::func::FuncOp"> {
  let summary = "Map every outermost scf.parallel to a 1-D grid of blocks";
  let description = [{
    The GPU schedule of one parallel loop nest: its dimensions collapsed
    into one, tiled by `threads-per-block`, the tiles mapped to blocks and
    the elements of a tile to threads (a guard drops the last block's
    excess threads). convert-parallel-loops-to-gpu then makes each a
    gpu.launch. Adjacent loops of the same iteration space are fused first
    (bias, convolution, activation: one kernel); a temporary that only the
    next loop reads, at most once an element, is computed in that loop's
    threads instead (eval's convolution inside the max pooling after it);
    then, after collapsing, the loops between two host ops (a call, a host
    loop) are grouped by the longest chain of dependent loops before each,
    and each group, whose loops touch no memory another writes, runs side
    by side in one launch (a training step's per-parameter updates).
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t",
           /*default=*/"256", "Threads of one block">,
    Option<"fuseReaders", "fuse-readers", "bool", /*default=*/"true",
           "Compute a temporary read once in the loop that reads it">,
    Option<"fuseIndependent", "fuse-independent", "bool",
           /*default=*/"true",
           "Run loops that touch no memory another writes in one launch">,
  ];
}

def GpuLaunchToLoops : Pass<"cnn-gpu-launch-to-loops", "mlir::func::FuncOp"> {
  let summary = "Run each gpu.launch's blocks and threads as loops on the CPU";
  let description = [{
    The CPU emulation of the GPU schedule (for testing without a GPU): a
    gpu.launch becomes loops over its grid and block, the block and thread
    ids their induction variables. Valid for kernels without barriers or
    shared memory, which cnn-gpu-map-to-threads makes.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def GpuMergeKernelModules
    : Pass<"cnn-gpu-merge-kernel-modules", "mlir::ModuleOp"> {
  let summary = "Put every outlined kernel into one gpu.module";
  let description = [{
    gpu-kernel-outlining makes a gpu.module per kernel; one module is one
    PTX text that the runtime JIT-loads once. The launches are renamed to
    the merged module's symbol.
  }];
  let options = [
    Option<"moduleName", "module-name", "std::string",
           /*default=*/"\"cnn_kernels\"", "The merged gpu.module's name">,
  ];
}

def GpuApproximateMath : Pass<"cnn-gpu-approximate-math"> {
  let summary = "Polynomial approximations of math functions in the kernels";
  let description = [{
    convert-gpu-to-nvvm lowers math.tanh and its kin to libdevice calls,
    which need the CUDA toolkit's bitcode at build time; the polynomial
    approximations MLIR provides (the CPU wing uses the same) need nothing.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def GpuFuseMultiplyAdd : Pass<"cnn-gpu-fuse-multiply-add"> {
  let summary = "A product added once becomes math.fma (fma.rn.f32)";
  let description = [{
    LLVM's NVPTX back end prints a separate arith.mulf and arith.addf as
    mul.rn.f32 and add.rn.f32, which ptxas may not contract: a
    convolution's inner loop would issue twice the instructions it needs.
    `addf(mulf(a, b), c)`, the product used nowhere else, is computed as
    one fused multiply-add (rounded once, as cuDNN and the CPU wing's
    vector FMAs do).
  }];
  let dependentDialects = ["mlir::math::MathDialect"];
}

def GpuKernelsToNVVM : Pass<"cnn-gpu-kernels-to-nvvm", "mlir::gpu::GPUModuleOp"> {
  let summary = "The kernels to the LLVM and NVVM dialects, math inline";
  let description = [{
    convert-gpu-to-nvvm without its libdevice calls: it makes math ops and
    LLVM's fabs and sqrt intrinsics calls of libdevice's __nv_* functions,
    which need the CUDA toolkit's bitcode at build time. Here the LLVM
    intrinsics (from convert-math-to-llvm, run before) stay, and the NVPTX
    back end selects them as instructions (abs.f32, sqrt.rn.f32,
    fma.rn.f32); the transcendental functions are polynomials by then
    (cnn-gpu-approximate-math). A kernel that still calls out is an error.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::NVVM::NVVMDialect"];
}

def GpuHostKernels : Pass<"cnn-gpu-host-kernels", "mlir::ModuleOp"> {
  let summary = "Copies of the NVVM kernels that run on the host (testing)";
  let description = [{
    For the runtime's fake CUDA driver (runtime/tools/cnnrt-fake-cuda.cpp),
    which runs a kernel NAME as the host function cnnrt_fake_kernel_NAME(
    const unsigned grid[3], const unsigned block[3], void **params): each
    kernel of the gpu.module, already in the LLVM and NVVM dialects, is
    copied into the host module with its thread and block registers as
    arguments, and such a function loops over the grid and block, reading
    the parameters as the kernel declares them. The whole GPU path — the
    host function's launches and temporaries, the parameters as
    cnn-gpu-launches-to-runtime passes them, the runtime's graphs — then
    runs on a machine without a GPU, with the kernels' own code.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect"];
}

def GpuLaunchesToRuntime
    : Pass<"cnn-gpu-launches-to-runtime", "mlir::ModuleOp"> {
  let summary = "Start the kernels through libcnnrt's cnnrt_gpu_launch";
  let description = [{
    The host side without MLIR's GPU runtime: each gpu.launch_func becomes
    a call of model_abi.h's cnnrt_gpu_launch with the kernel's index (in
    order of first launch, as cnn.gpu_kernels and the descriptor's
    gpu_kernel_names list them), the grid, the block, the
    dynamic shared memory and cuLaunchKernel's parameter array, the
    arguments expanded as convert-gpu-to-nvvm expands them in the kernel
    (a memref: allocated and aligned pointer, offset, sizes, strides).
    The gpu.binary and the kernel modules go; their PTX is read before
    (GpuCodegen.h). Runs before the host's lowering to the LLVM dialect.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def GpuAllocsToRuntime : Pass<"cnn-gpu-allocs-to-runtime", "mlir::ModuleOp"> {
  let summary = "Temporaries of the host function from cnnrt_gpu_alloc";
  let description = [{
    The host function's memref.allocs are lowered with MLIR's generic
    allocation function (finalize-memref-to-llvm{use-generic-functions});
    this pass defines it as a call of model_abi.h's cnnrt_gpu_alloc, which
    returns device memory. The host code never frees (the runtime reuses
    the buffers from call to call), so a free is an error.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // CNNC_CODEGEN_GPU_PASSES
