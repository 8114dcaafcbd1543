#!/usr/bin/python3
"""Eval-mode inference of the lecture's seven networks, cnnc against PyTorch
eager, side by side in one run.

    /usr/bin/python3 bench/inference.py [--build build-perf] [--batch 64]
        [--iters 200] [--rounds 5] [--threads 2] [--models net,net_res_deep]
        [--shapes cifar2,fmnist] [--results bench/RESULTS.md]

For each model (models/<name>.cnn) and each input shape (CIFAR-2: 3x32x32,
2 classes; Fashion-MNIST: 1x28x28, 10 classes, via -D overrides):

  1. compiles it:  cnnc --emit=cnn |
     cnnc-opt --pass-pipeline='builtin.module(cnnc-cpu-eval{stop-after=linalg})'
     (parameter offsets recorded) | cnnc-opt --cnn-strip-params |
     cnnc-pipeline-tool -> object, linked with the pipeline tests' C++
     harness (test/compiler/codegen/cpu/Inputs/harness.cpp, -lomp);
  2. builds the same network as a torch.nn.Module (seeded; batchnorm with
     non-trivial running statistics and affine parameters) and packs its
     state_dict into the arena at the offsets cnnc recorded;
  3. checks the compiled forward against PyTorch eval (max abs error <= 1e-4
     of the output's max abs value);
  4. alternates timing rounds of both (OMP_NUM_THREADS / torch.set_num_threads,
     torch.no_grad, warm-up, median ms per batch over --iters calls each) and
     reports the median over rounds and the ratio cnnc / PyTorch (<= 1: cnnc
     is at least as fast).

The machine may be shared: rounds alternate so both sides see the same
noise, and the load average is printed with the table.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

from results_file import write_results  # bench/, the script's own folder
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HARNESS = os.path.join(ROOT, "test", "compiler", "pipeline", "Inputs", "harness.cpp")
LLVM_LIB = "/usr/lib/llvm-22/lib"
TOLERANCE = 1e-4

SHAPES = {
    # name: (in_chans, side, n_classes)
    "cifar2": (3, 32, 2),
    "fmnist": (1, 28, 10),
}


# The lecture's networks in PyTorch: the same classes the tests check against.
sys.path.insert(0, os.path.join(ROOT, "test", "models", "Inputs"))
from lecture import (Net, NetWidth, NetDropout, NetBatchNorm, NetDepth,  # noqa: E402
                     NetRes, NetResDeep)


MODELS = {
    # name: (model file, torch class)
    "net": ("net.cnn", Net),
    "net_width": ("net_width.cnn", NetWidth),
    "net_dropout": ("net_dropout.cnn", NetDropout),
    "net_batchnorm": ("net_batchnorm.cnn", NetBatchNorm),
    "net_depth": ("net_depth.cnn", NetDepth),
    "net_res": ("net_res.cnn", NetRes),
    "net_res_deep": ("net_res_deep.cnn", NetResDeep),
}


def make_module(cls, shape, seed):
    torch.manual_seed(seed)
    in_chans, side, n_classes = shape
    module = cls(in_chans=in_chans, side=side, n_classes=n_classes)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                # Statistics far from (0, 1) so that using (folding) them shows.
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(3)
                if not isinstance(module, NetResDeep):
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.5, 0.5)
    return module.eval()


# --- Compiling and packing. ---------------------------------------------

PARAM_RE = re.compile(r"cnn\.param @(\S+) : tensor<([^>]*)>.* offset (\d+)")
ARENA_RE = re.compile(r"cnn\.arena_size = (\d+)")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def compile_model(args, name, shape, workdir):
    """Compiles models/<name>.cnn for `shape`; returns (exe, params, arena
    size, output shape without batch)."""
    bindir = os.path.join(args.build, "bin")
    in_chans, side, n_classes = shape
    defines = ["-D", f"in_chans={in_chans}", "-D", f"side={side}", "-D", f"n_classes={n_classes}"]
    base = os.path.join(workdir, name)
    cnn = run([args.cnnc, os.path.join(ROOT, "models", MODELS[name][0]),
               *defines, "--emit=cnn"], capture_output=True, text=True).stdout
    lowered = run([os.path.join(bindir, "cnnc-opt"),
                   "--pass-pipeline=builtin.module(cnnc-cpu-eval{stop-after=linalg})"], input=cnn,
                  capture_output=True, text=True).stdout
    with open(base + ".lowered.mlir", "w") as f:
        f.write(lowered)
    run([os.path.join(bindir, "cnnc-opt"), base + ".lowered.mlir", "--cnn-strip-params",
         "-o", base + ".mlir"])
    run([os.path.join(bindir, "cnnc-pipeline-tool"), base + ".mlir", "-o", base + ".o",
         *args.tool_flags.split()])
    run(["g++", "-std=c++17", "-O2", HARNESS, base + ".o", "-o", base,
         "-L" + LLVM_LIB, "-lomp", "-Wl,-rpath," + LLVM_LIB])
    params = [(m.group(1), m.group(2), int(m.group(3))) for m in PARAM_RE.finditer(lowered)]
    arena = int(ARENA_RE.search(lowered).group(1))
    return base, params, arena, (n_classes,)


def pack_arena(module, params, arena_size):
    state = module.state_dict()
    arena = bytearray(arena_size)
    for pname, ty, offset in params:
        t = state[pname].detach().numpy()
        dtype = "<i8" if ty.endswith("i64") else "<f4"
        data = t.astype(dtype).tobytes()
        arena[offset:offset + len(data)] = data
    return bytes(arena)


# --- Timing. --------------------------------------------------------------

def time_cnnc(exe, hargs, iters, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = run([exe, *hargs, "--iters", str(iters)], env=env, capture_output=True,
              text=True).stdout.split()
    return float(out[out.index("median_ms") + 1])


def time_torch(module, x, iters):
    with torch.no_grad():
        for _ in range(5):
            module(x)
        times = []
        for _ in range(iters):
            start = time.perf_counter()
            module(x)
            times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def bench_one(args, name, shape_name, workdir):
    shape = SHAPES[shape_name]
    case = os.path.join(workdir, f"{name}.{shape_name}")
    os.makedirs(case, exist_ok=True)
    exe, params, arena_size, out_shape = compile_model(args, name, shape, case)
    module = make_module(MODELS[name][1], shape, args.seed)
    torch.manual_seed(args.seed + 1)
    x = torch.randn(args.batch, shape[0], shape[1], shape[1])
    paths = [os.path.join(case, f) for f in ("arena.bin", "input.bin", "output.bin")]
    with open(paths[0], "wb") as f:
        f.write(pack_arena(module, params, arena_size))
    with open(paths[1], "wb") as f:
        f.write(x.numpy().astype("<f4").tobytes())
    hargs = [*paths, *map(str, (args.batch, shape[0], shape[1], shape[1])),
             *map(str, (args.batch, *out_shape))]

    ours, theirs = [], []
    for _ in range(args.rounds):
        ours.append(time_cnnc(exe, hargs, args.iters, args.threads))
        theirs.append(time_torch(module, x, args.iters))
    got = np.fromfile(paths[2], dtype="<f4").reshape(args.batch, *out_shape)
    with torch.no_grad():
        want = module(x).numpy()
    err = float(np.abs(got - want).max()) / max(float(np.abs(want).max()), 1e-6)
    return float(np.median(ours)), float(np.median(theirs)), err


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build-perf"))
    ap.add_argument("--cnnc", default="",
                    help="the cnnc driver (default: <build>/bin/cnnc, else build/bin/cnnc)")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--shapes", default="cifar2,fmnist")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--iters", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tool-flags", default="", help="extra cnnc-pipeline-tool flags")
    ap.add_argument("--results", default="", help="also write the table to this file")
    args = ap.parse_args()

    if not args.cnnc:
        args.cnnc = os.path.join(args.build, "bin", "cnnc")
        if not os.path.exists(args.cnnc):
            args.cnnc = os.path.join(ROOT, "build", "bin", "cnnc")
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()
    rows, failed = [], False
    with tempfile.TemporaryDirectory() as workdir:
        for shape_name in args.shapes.split(","):
            for name in args.models.split(","):
                a, b, err = bench_one(args, name, shape_name, workdir)
                ok = err <= TOLERANCE
                failed |= not ok
                row = (f"| {name} | {shape_name} | {a:.3f} | {b:.3f} | {a / b:.2f} | "
                       f"{err:.1e}{'' if ok else ' FAIL'} |")
                print(row, flush=True)
                rows.append(row)
    load_after = os.getloadavg()
    header = ["| model | shape | cnnc ms | PyTorch ms | ratio | rel err |",
              "|---|---|---:|---:|---:|---:|"]
    table = "\n".join(header + rows)
    meta = (f"batch {args.batch}, {args.threads} threads, median of {args.rounds} "
            f"alternating rounds x {args.iters} calls; torch {torch.__version__}; "
            f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    print()
    print(table)
    print(meta)
    if args.results:
        write_results(args.results, "Inference: cnnc vs PyTorch eager",
                      "inference.py", meta, table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
