#!/usr/bin/python3
"""Two builds of cnnc side by side: the same models compiled by each, their
inference and training steps timed in alternating rounds, so a change can
be quoted as a before/after ratio measured on one machine in one run.

    /usr/bin/python3 bench/compare_builds.py OLD_CNNC NEW_CNNC
        [--models net,net_res_deep,...] [--shapes fmnist,cifar2]
        [--deep 100] [--runs 20] [--rounds 3] [--threads 2]

For each model (models/<name>.cnn) and shape (fmnist: 1x28x28, 10 classes;
cifar2: 3x32x32, 2 classes), and NetResDeep/NetResDeepDistinct with
--deep blocks: compiles it with both compilers (the compile time is
reported too), then times `bench` (eval forward) and `bench --train`
(training step) of both executables, alternating OLD and NEW for --rounds
rounds, batch 64. Reports the median ms of each and the ratio NEW/OLD
(< 1: the new build is faster). Numerics are not checked here: the lit
suites compare both steps with PyTorch.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = ["net", "net_width", "net_dropout", "net_batchnorm", "net_depth",
          "net_res", "net_res_deep", "net_res_deep_distinct"]
SHAPES = {"fmnist": [], "cifar2": ["-D", "in_chans=3", "-D", "side=32",
                                   "-D", "n_classes=2"]}
EVAL_RE = re.compile(r"ms per batch: median ([0-9.]+)")
TRAIN_RE = re.compile(r"ms per training step: median ([0-9.]+)")


def compile_model(cnnc, model, defines, out):
    start = time.perf_counter()
    subprocess.run([cnnc, os.path.join(ROOT, "models", model + ".cnn"),
                    *defines, "-o", out], check=True)
    return time.perf_counter() - start


def bench(exe, train, runs, threads):
    args = [exe, "bench", "--runs", str(runs), "--threads", str(threads)]
    if train:
        args.append("--train")
    out = subprocess.run(args, check=True, capture_output=True,
                         text=True).stdout
    match = (TRAIN_RE if train else EVAL_RE).search(out)
    if not match:
        sys.exit(f"compare_builds: no timing in the output of {' '.join(args)}:\n{out}")
    return float(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--shapes", default="fmnist,cifar2")
    parser.add_argument("--deep", type=int, default=100,
                        help="also NetResDeep(Distinct) with this many blocks (0: no)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    cases = []
    for shape in args.shapes.split(","):
        if shape not in SHAPES:
            sys.exit(f"compare_builds: unknown shape '{shape}' (fmnist, cifar2)")
        for model in args.models.split(","):
            if model not in MODELS:
                sys.exit(f"compare_builds: unknown model '{model}'")
            cases.append((model, shape, list(SHAPES[shape])))
        if args.deep:
            for model in ("net_res_deep", "net_res_deep_distinct"):
                cases.append((f"{model}@{args.deep}", shape,
                              SHAPES[shape] + ["-D", f"n_blocks={args.deep}"]))

    print(f"old: {args.old}\nnew: {args.new}\nbatch 64, {args.threads} threads, "
          f"median of {args.runs} runs, {args.rounds} alternating rounds\n")
    print("| model | shape | compile s old | new | eval ms old | new | ratio "
          "| train ms old | new | ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for model, shape, defines in cases:
            name = model.split("@")[0]
            exes, seconds = {}, {}
            for side, cnnc in (("old", args.old), ("new", args.new)):
                exes[side] = os.path.join(tmp, f"{side}-{model}-{shape}")
                seconds[side] = compile_model(cnnc, name, defines, exes[side])
            times = {(side, train): [] for side in exes for train in (0, 1)}
            for _ in range(args.rounds):
                for train in (0, 1):
                    for side in ("old", "new"):
                        times[(side, train)].append(
                            bench(exes[side], train, args.runs, args.threads))
            med = {key: statistics.median(v) for key, v in times.items()}
            print(f"| {model} | {shape} | {seconds['old']:.1f} | {seconds['new']:.1f} "
                  f"| {med[('old', 0)]:.2f} | {med[('new', 0)]:.2f} "
                  f"| {med[('new', 0)] / med[('old', 0)]:.2f} "
                  f"| {med[('old', 1)]:.2f} | {med[('new', 1)]:.2f} "
                  f"| {med[('new', 1)] / med[('old', 1)]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
