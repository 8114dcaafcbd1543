#!/usr/bin/python3
"""Times the CPU pipeline's code for the lecture's Net (and two NetResDeep
blocks) at batch 64 against PyTorch eager on the same machine, in one run.

    /usr/bin/python3 bench/pipeline_net.py [--build build-pipeline] [--iters 300]

Compiles test/compiler/pipeline/Inputs/<model>.mlir with cnnc-pipeline-tool,
links the object with the test harness (g++, -lomp), checks the output against
PyTorch, then alternates rounds of both (median ms per batch over --iters runs
each, OMP_NUM_THREADS=2 / torch.set_num_threads(2), torch.no_grad) and prints
the median over rounds and the ratio cnnc / PyTorch (< 1: cnnc is faster).
The machine may be shared: rounds alternate so both see the same noise.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INPUTS = os.path.join(ROOT, "test", "compiler", "pipeline", "Inputs")
sys.path.insert(0, INPUTS)
import pipeline_models  # noqa: E402

LLVM_LIB = "/usr/lib/llvm-22/lib"


def build(tool, model, workdir, extra_flags):
    mlir = os.path.join(INPUTS, pipeline_models.MODELS[model][3])
    obj = os.path.join(workdir, model + ".o")
    exe = os.path.join(workdir, model + "_harness")
    subprocess.run([tool, mlir, "-o", obj, *extra_flags], check=True)
    subprocess.run(["g++", "-std=c++17", "-O2", os.path.join(INPUTS, "harness.cpp"), obj,
                    "-o", exe, "-L" + LLVM_LIB, "-lomp", "-Wl,-rpath," + LLVM_LIB],
                   check=True)
    return exe


def time_cnnc(exe, args, iters, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run([exe, *args, "--iters", str(iters)], check=True, env=env,
                         capture_output=True, text=True).stdout.split()
    return float(out[out.index("median_ms") + 1])


def time_torch(module, x, iters):
    with torch.no_grad():
        for _ in range(10):
            module(x)
        times = []
        for _ in range(iters):
            start = time.perf_counter()
            module(x)
            times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build-pipeline"))
    ap.add_argument("--models", default="net,resblocks")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--iters", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tool-flags", default="", help="extra cnnc-pipeline-tool flags")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    tool = os.path.join(args.build, "bin", "cnnc-pipeline-tool")
    with tempfile.TemporaryDirectory() as workdir:
        for model in args.models.split(","):
            case = os.path.join(workdir, model)
            exe = build(tool, model, workdir, args.tool_flags.split())
            module, x = pipeline_models.make_case(model, args.batch, 0, case)
            hargs = pipeline_models.harness_args(model, args.batch, case)
            ours, theirs = [], []
            for _ in range(args.rounds):
                ours.append(time_cnnc(exe, hargs, args.iters, args.threads))
                theirs.append(time_torch(module, x, args.iters))
            # Correctness of what was timed.
            got = np.fromfile(hargs[2], dtype="<f4").reshape(
                args.batch, *pipeline_models.MODELS[model][2])
            with torch.no_grad():
                want = module(x).numpy()
            err = float(np.abs(got - want).max()) / max(float(np.abs(want).max()), 1e-6)
            a, b = float(np.median(ours)), float(np.median(theirs))
            print(f"{model:10s} batch {args.batch} threads {args.threads}: "
                  f"cnnc {a:8.3f} ms  pytorch {b:8.3f} ms  ratio {a / b:5.2f}  "
                  f"(rounds cnnc {', '.join(f'{t:.2f}' for t in ours)}; "
                  f"pytorch {', '.join(f'{t:.2f}' for t in theirs)}; rel err {err:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
