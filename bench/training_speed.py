#!/usr/bin/python3
"""Training steps of the lecture's seven networks, cnnc against PyTorch
eager, side by side in one run.

    /usr/bin/python3 bench/training_speed.py [--cnnc build/bin/cnnc] [--batch 64]
        [--runs 20] [--rounds 3] [--threads 2] [--models net,net_res_deep]
        [--results FILE]

For each model (models/<name>.cnn, its default shape: Fashion-MNIST,
1x28x28, 10 classes):

  1. compiles it with cnnc into an executable;
  2. times the executable's `bench --train` (forward in train mode,
     cross-entropy, backward, fused SGD update; --threads, median of --runs
     steps after a warm-up);
  3. times the same step in PyTorch eager on the lecture's class
     (test/models/Inputs/lecture.py), torch.set_num_threads(--threads), in
     train mode: zero_grad, forward, F.cross_entropy, backward,
     torch.optim.SGD.step, median of --runs steps after a warm-up;
  4. alternates the two for --rounds rounds (the machine may be shared: both
     sides see the same noise) and reports the medians over rounds and the
     ratio cnnc / PyTorch (<= 1: cnnc is at least as fast).

Numerics are not checked here: test/models/pytorch/ compares the training
step with PyTorch's.
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
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

sys.path.insert(0, os.path.join(ROOT, "test", "models", "Inputs"))
from lecture import (Net, NetWidth, NetDropout, NetBatchNorm, NetDepth,  # noqa: E402
                     NetRes, NetResDeep)

MODELS = {
    # name: (model file, torch class, SGD learning rate of its train { })
    "net": ("net.cnn", Net, 1e-2),
    "net_width": ("net_width.cnn", NetWidth, 1e-2),
    "net_dropout": ("net_dropout.cnn", NetDropout, 1e-2),
    "net_batchnorm": ("net_batchnorm.cnn", NetBatchNorm, 1e-2),
    "net_depth": ("net_depth.cnn", NetDepth, 1e-2),
    "net_res": ("net_res.cnn", NetRes, 1e-2),
    "net_res_deep": ("net_res_deep.cnn", NetResDeep, 3e-3),
}
SHAPE = dict(in_chans=1, side=28, n_classes=10)
MEDIAN_RE = re.compile(r"ms per training step: median ([0-9.]+)")


def time_cnnc(exe, args):
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    out = subprocess.run([exe, "bench", "--train", "--batch-size", str(args.batch),
                          "--threads", str(args.threads), "--runs", str(args.runs)],
                         env=env, check=True, capture_output=True, text=True).stdout
    return float(MEDIAN_RE.search(out).group(1))


def time_torch(module, optimizer, x, labels, runs):
    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(module(x), labels)
        loss.backward()
        optimizer.step()

    for _ in range(5):
        step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def bench_one(args, name, workdir):
    model_file, cls, lr = MODELS[name]
    exe = os.path.join(workdir, name)
    subprocess.run([args.cnnc, os.path.join(ROOT, "models", model_file), "-o", exe],
                   check=True)
    torch.manual_seed(args.seed)
    module = cls(**SHAPE).train()
    optimizer = torch.optim.SGD(module.parameters(), lr=lr)
    x = torch.randn(args.batch, SHAPE["in_chans"], SHAPE["side"], SHAPE["side"])
    labels = torch.randint(0, SHAPE["n_classes"], (args.batch,))
    ours, theirs = [], []
    for _ in range(args.rounds):
        ours.append(time_cnnc(exe, args))
        theirs.append(time_torch(module, optimizer, x, labels, args.runs))
    return float(np.median(ours)), float(np.median(theirs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cnnc", default=os.path.join(ROOT, "build", "bin", "cnnc"),
                    help="the cnnc driver (default: build/bin/cnnc)")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--results", default="", help="also write the table to this file")
    args = ap.parse_args()

    if not os.path.exists(args.cnnc):
        sys.exit(f"training_speed.py: no cnnc at {args.cnnc}: build first "
                 "(scripts/build.sh) or pass --cnnc")
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()
    rows, slower = [], []
    with tempfile.TemporaryDirectory() as workdir:
        for name in args.models.split(","):
            a, b = bench_one(args, name, workdir)
            if a > b:
                slower.append(name)
            row = f"| {name} | {a:.2f} | {b:.2f} | {a / b:.2f} |"
            print(row, flush=True)
            rows.append(row)
    load_after = os.getloadavg()
    header = ["| model | cnnc ms/step | PyTorch ms/step | ratio |",
              "|---|---:|---:|---:|"]
    table = "\n".join(header + rows)
    meta = (f"fmnist 1x28x28, batch {args.batch}, {args.threads} threads, median of "
            f"{args.rounds} alternating rounds x {args.runs} steps; torch "
            f"{torch.__version__}; load average {load_before[0]:.2f} before, "
            f"{load_after[0]:.2f} after")
    print()
    print(table)
    print(meta)
    if slower:
        print("slower than PyTorch: " + ", ".join(slower))
    if args.results:
        write_results(args.results, "Training steps: cnnc vs PyTorch eager",
                      "training_speed.py", meta, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
