//===- Passes.td - the CPU wing's passes -------------------*- tablegen -*-===//
//
// The strategy that decides layouts and tiles for the machine, then the
// passes that carry the decisions out and that MLIR does not provide
// as-is: tiling with producer fusion, vectorization of the tiles, lowering
// of the vector ops to 1-D form, stack buffers. buildCpuPipeline strings
// them together with upstream passes (CpuPipeline.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_CODEGEN_CPU_PASSES
#define CNNC_CODEGEN_CPU_PASSES

include "mlir/Pass/PassBase.td"

def CpuStrategy : Pass<"cnn-cpu-strategy", "mlir::func::FuncOp"> {
  let summary = "Choose layouts and tiles for the CPU, as #cnn_cpu.config";
  let description = [{
    Reads the machine (TargetInfo: vector width, vector registers, caches)
    from LLVM's TargetMachine for `cpu` and `features` (empty or `native`:
    the host, as cnnc's -mcpu/-mattr), then decides for every linalg op on
    tensors:

    - its layout: a convolution whose output channels fill whole vector
      registers is computed channels-last (`lane_conv`, ChannelLaneConv.h),
      the channels in the vector lanes; a conv weight gradient takes input
      or output channels as the lane where they fill registers, else the
      output columns; a sum over the batch and the image per channel (bias
      gradients, batchnorm statistics) is split by image column
      (LaneSums.h);
    - how a 3x3, stride-1 lane conv of even output sides is computed:
      Winograd's F(2x2, 3x3) or F(4x4, 3x3), whichever multiplies less
      (`algorithm = "winograd"` or `"winograd4x4"`, computed by
      cnn-cpu-winograd-conv; a training step's forward convs by
      F(2x2, 3x3), which rounds less) unless `winograd=false`; its weight gradient
      likewise, by F(3x3, 2x2) over channels-last x and dy;
    - what it is to the tiling (its `kind`) and its tile sizes: the channel
      x row tiles inside one image, the register tile of one step, the
      loop order of those steps;

    and records the decision on the op as `cnn_cpu.config`, which
    cnn-cpu-tile-and-fuse reads. Every number that depends on the machine
    is in Strategy.cpp.
  }];
  let dependentDialects = ["::cnnc::cpu::CnnCpuDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
  let options = [
    Option<"cpu", "cpu", "std::string", /*default=*/"\"native\"",
           "Target CPU, as cnnc's -mcpu (native: this machine)">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "Target features, as cnnc's -mattr (+avx2,-avx512f)">,
    Option<"winograd", "winograd", "bool", /*default=*/"true",
           "Compute the 3x3 convs Winograd suits by F(2x2, 3x3) or "
           "F(4x4, 3x3) (false: all directly)">,
    Option<"winogradTile", "winograd-tile", "int64_t", /*default=*/"0",
           "The output tile of those convs: 2 (F(2x2, 3x3)), 4 "
           "(F(4x4, 3x3)) or 0, the one with fewer products">,
  ];
}

def CpuFuseElementwise : Pass<"cnn-cpu-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg producers into their consumers";
  let description = [{
    Linalg's elementwise fusion (single-use producers merged into the
    consuming generic, reshapes folded by expansion) except for layout
    copies: a generic that only permutes its input's dimensions stays an
    op of its own, nothing fused into or out of
    it, since fusing it would bring back the strided reads it exists to
    avoid.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect"];
}

def CpuTileAndFuse : Pass<"cnn-cpu-tile-and-fuse", "mlir::func::FuncOp"> {
  let summary = "Tile linalg chains on tensors and fuse their producers";
  let description = [{
    First slices the whole network over the batch: every op whose tensors
    carry the dynamic batch as their outer, parallel, straight-through
    dimension (convs, poolings, pads, elementwise ops, flatten, linear
    layers) moves into one `scf.forall` over the images (`scf.for` with
    `parallel=false`) and works on one image; values used twice (a residual
    block's input) stay per-image tensors. Whatever is left at the top level
    (weight folding, a training step's batch-wide sums) goes by chains:
    fills and pads that several ops share are first cloned, one per
    consumer; then it finds the ends of producer chains (a pooling, an
    elementwise op or a contraction whose result is not consumed by a single
    linalg op), tiles each with `scf.forall` over its outer dimension and
    fuses its single-use producers (convolutions, matmuls, fills,
    elementwise ops, pads) into the loop.
    Inside, the chain is tiled again with `scf.for` (producers fused, pads
    and channels-last convs excluded), and convolutions, poolings and
    matmuls are tiled down to the steps the vectorizer turns into register
    tiles. What each op is and its tile sizes are the CPU strategy's
    (`cnn-cpu-strategy`, compiler/codegen/cpu/Strategy.cpp), read from its
    `#cnn_cpu.config`: an op without one is not tiled.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect", "mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect"];
  let options = [
    Option<"parallel", "parallel", "bool", /*default=*/"true",
           "Tile the batch with scf.forall (parallel) instead of scf.for">,
  ];
}

def CpuWinogradConv : Pass<"cnn-cpu-winograd-conv", "mlir::func::FuncOp"> {
  let summary = "Compute the strategy's Winograd convs by F(2x2, 3x3) or "
                "F(4x4, 3x3) and weight gradients by F(3x3, 2x2) or "
                "F(3x3, 4x4)";
  let description = [{
    Replaces each channel-lane conv whose #cnn_cpu.config says
    `algorithm = "winograd"` (3x3, stride 1, even output sides; whole per
    image after tiling) by vector code on tensors: the filter transformed
    once where it is defined (U = G g Gᵀ, 16 points a channel pair), and per
    image the input tiles transformed (V = Bᵀ d B), 16 matrix products of V
    and U in register tiles of the config's `registers` (tiles x output
    channels), and the products transformed back (Aᵀ M A) and added to the
    output's initial values. `"winograd4x4"`: the same with F(4x4, 3x3)'s 36
    points and 6x6 input tiles, the last tiles' outputs past the image
    dropped. An input that is a zero padding of one row and column is read
    through: the tiles at the border read zeros there.

    Each weight gradient whose config (a `batch_contraction`) says
    `algorithm = "winograd"` likewise: the batch split into parts that the
    threads share (an scf.forall), each summing, image by image, 16 products
    of x's transformed tiles (V = Bᵀ x B) and dy's (D = G dy Gᵀ) into a
    partial of its own in register tiles of the config's `registers`
    (output channels x input channels); then the partials summed and
    transformed to the 3x3 taps (A M Aᵀ) once. While an image's products
    run, the next image's x and dy are prefetched into the second-level
    cache (`memref.prefetch` through a read-only `bufferization.to_buffer`).
    `"winograd4x4"`: the same
    with 4x4 tiles of dy, 36 points (x's transform F(4x4, 3x3)'s, dy's by
    its Aᵀ transposed, the taps by its G transposed), dy's rows and
    columns past its end zeros.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect",
                           "mlir::bufferization::BufferizationDialect",
                           "mlir::memref::MemRefDialect"];
  let options = [
    Option<"cpu", "cpu", "std::string", /*default=*/"\"native\"",
           "Target CPU, as cnnc's -mcpu (native: this machine)">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "Target features, as cnnc's -mattr (+avx2,-avx512f)">,
  ];
}

def CpuVectorize : Pass<"cnn-cpu-vectorize", "mlir::func::FuncOp"> {
  let summary = "Vectorize the tiled linalg ops";
  let description = [{
    Generalizes the tiled convolutions, decomposes the tiled 2-D poolings into
    1-D ones, drops unit dimensions, and vectorizes every linalg op with static
    shapes (`linalg::vectorize`). A tiled convolution step becomes a broadcast
    multiply-add on a `vector<Cout x W>` register tile. math.tanh and friends
    are replaced by polynomial approximations so they vectorize too.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect",
                           "mlir::math::MathDialect"];
  let options = [
    Option<"cpu", "cpu", "std::string", /*default=*/"\"native\"",
           "Target CPU, as cnnc's -mcpu (native: this machine)">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "Target features, as cnnc's -mattr (+avx2,-avx512f)">,
  ];
}

def CpuLowerVector : Pass<"cnn-cpu-lower-vector", "mlir::func::FuncOp"> {
  let summary = "Lower n-D vector ops to the 1-D forms LLVM handles well";
  let description = [{
    Vectorizes memref.copy as a loop nest of 1-D row copies (or turns it
    into linalg.copy, so no call to the runner library's memrefCopy
    remains), turns transposes of broadcasts into broadcasts (splats, not
    shuffles), then lowers contractions, multi-reductions, transposes,
    broadcasts and n-D transfers (after bufferization) to 1-D vector
    operations, so that the vector-to-LLVM conversion sees loads, stores,
    FMAs and shuffles only. Nothing is unrolled beyond one register tile:
    LLVM's instruction selection is superlinear in the size of a block.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::scf::SCFDialect",
                           "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect"];
  let options = [
    Option<"cpu", "cpu", "std::string", /*default=*/"\"native\"",
           "Target CPU, as cnnc's -mcpu (native: this machine)">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "Target features, as cnnc's -mattr (+avx2,-avx512f)">,
  ];
}

def CpuLinalgToLoops : Pass<"cnn-cpu-linalg-to-loops", "mlir::func::FuncOp"> {
  let summary = "Leftover linalg ops to scf.for loops that LLVM keeps rolled";
  let description = [{
    The linalg ops on buffers that no register tile vectorized (a filter's
    layout copy, a parameter's small reshuffle) become scalar scf.for loop
    nests, as convert-linalg-to-loops makes them, each loop marked
    `llvm.loop.unroll.disable`. At -O3 LLVM unrolls such a loop fully when
    its trip count is small: straight-line scalar copies that ran no faster
    (2,400 of the 9,000 lines of NetDepth's train_step function in LLVM IR).
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::LLVM::LLVMDialect"];
}

def CpuReadSlicesInPlace : Pass<"cnn-cpu-read-slices-in-place",
                                 "mlir::func::FuncOp"> {
  let summary = "Read a slice itself, not a copy of it, while it stays intact";
  let description = [{
    Runs after bufferization: a `memref.copy` of a subview of a local
    buffer into a fresh `memref.alloc` that is only read afterwards (loads,
    vector reads, linalg inputs, through subviews) goes, and its readers
    read the subview, where no op between the copy and the last read may
    write into the subview. Writes into other subviews of the buffer are
    allowed where an offset differs by at least the slice's static size
    from the copied one's (slot k + 1 of a stack against slot k); a buffer
    that reaches anything but view ops and ops that name the memory they
    write is left alone.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def CpuPrefetchWrites : Pass<"cnn-cpu-prefetch-writes", "mlir::func::FuncOp"> {
  let summary = "Fetch the lines an image loop's stores will write, while a "
                "loop of arithmetic runs";
  let description = [{
    Runs on scf.parallel loops after bufferization. An image loop (one
    index, from 0 by 1) with FMAs in its body (at least a register tile's:
    a conv's products) prefetches for writing, at the top of each
    iteration, every line of image n + 1 (the last image: itself) of the
    slice [N, H, W, C] its stores write image by image, and every line of
    image n of the slice the next image loop in its block writes, where
    that loop runs over the same images without FMAs (an elementwise op
    writing a saved tensor). A store to a line not in the cache reads it
    from memory first: these reads then overlap the arithmetic. The slice
    must be one buffer from outside the loops (f32, static H, W and C);
    the next loop's is recomputed before the first where its view is made
    between them (pure ops only), else left alone.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def CpuStackBuffers : Pass<"cnn-cpu-stack-buffers", "mlir::func::FuncOp"> {
  let summary = "Small static buffers to the stack, out of the tile loops";
  let description = [{
    Runs after bufferization and deallocation: every memref.alloc with a
    static shape of at most `max-buffer-bytes` whose buffer does not escape
    (only views, loads, stores and vector transfers use it, and
    memref.dealloc in its block frees it) becomes a memref.alloca at the top
    of the enclosing scf.parallel / scf.forall body (one per iteration, that
    is per thread) or of the function, and its deallocations go. Hoisting
    out of scf.for loops is sound: such a buffer holds nothing across
    iterations. At most `max-scope-bytes` go to the stack per scope. A
    non-escaping buffer left on the heap without a deallocation (the
    deallocation pipeline skips scf.forall bodies) is freed at the end of
    its block.
    Allocas left in an omp.wsloop (run after scf-to-openmp) move to the top
    of the omp.parallel region; a heap buffer inside an OpenMP region stays
    on the heap (the function's stack would be shared by the threads).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
  let options = [
    Option<"maxBufferBytes", "max-buffer-bytes", "int64_t", /*default=*/"262144",
           "Largest buffer moved to the stack">,
    Option<"maxScopeBytes", "max-scope-bytes", "int64_t", /*default=*/"1048576",
           "Stack bytes per allocation scope (thread stacks are a few MiB)">,
  ];
}

def CpuSplitEmptyTensors : Pass<"cnn-cpu-split-empty-tensors", "mlir::func::FuncOp"> {
  let summary = "At most a few uses per tensor.empty, a fill per writer in an image loop, before bufferization";
  let description = [{
    CSE merges the identical `tensor.empty` ops of a function, so that one
    empty tensor is the destination of every tile loop that makes an
    activation of that shape, and One-Shot Bufferize computes such layers
    in place in one buffer. Its analysis checks each write into the shared
    value against the reads of all the others: quadratic in the number of
    layers. Each empty tensor keeps its first few uses (in program order);
    the next few get a copy of it, and so on.

    Inside an image loop (`scf.forall`), a `linalg.fill` that CSE merged
    and that more than one op or `scf.for` writes into (two per-image
    partial sums starting from zeros) gets a copy for each writer but the
    first: shared, empty-tensor elimination and One-Shot Bufferize left one
    partial sum in the other's output image.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def CpuOutlineParallel : Pass<"cnn-cpu-outline-parallel", "mlir::ModuleOp"> {
  let summary = "Each omp.parallel of a function in a function of its own";
  let description = [{
    Run on the LLVM dialect right before the translation to LLVM IR: in a
    function with more than `max-regions` omp.parallel regions, each moves
    into an internal always_inline function of its own (the values it uses
    from outside as arguments, constants cloned, allocas only it uses moved
    along), called where it stood. LLVM's OpenMP outlining scans the whole
    enclosing function once per region (quadratic in the number of
    layers); LLVM's inliner puts the calls' bodies back.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
  let options = [
    Option<"maxRegions", "max-regions", "unsigned", /*default=*/"64",
           "Parallel regions a function keeps (a compile-time budget: 64 "
           "translate in 0.2 s, and the lecture's models have fewer)">,
  ];
}

#endif // CNNC_CODEGEN_CPU_PASSES
