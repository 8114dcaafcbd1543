#!/usr/bin/python3
"""Accuracy after training, cnnc against PyTorch from the same start.

    /usr/bin/python3 bench/training_accuracy.py [--cnnc build/bin/cnnc]
        [--models net,net_dropout,...] [--epochs 2] [--limit N]
        [--batch-size 64] [--seeds 3] [--threads 2] [--results FILE]

For each model (models/<name>.cnn in its default shape: Fashion-MNIST,
1x28x28, 10 classes) and each seed (dropout models: --seeds seeds, 0..k-1;
the others: seed 0 only, since nothing else is random once the initial
weights and the batch order are fixed):

  1. compiles the model with cnnc; `init --seed S --save` writes the initial
     weights;
  2. trains the executable: `train --load INIT --seed S --epochs E`, with the
     model's own train { } settings (lr, momentum, penalty, weight decay),
     and reads its train and validation accuracy;
  3. trains the lecture's PyTorch class (test/models/Inputs/lecture.py) from
     the same initial weights with the same hyperparameters, the same
     normalisation (the training split's per-channel mean and std) and the
     same batch order (each epoch's shuffle recomputed from the trainer's
     documented Philox stream by test/runtime/Inputs/rtref.py, which does not
     share code with the C++): zero_grad, forward, cross-entropy + the
     lecture's penalty over model.parameters(), backward,
     torch.optim.SGD.step. PyTorch draws its own dropout masks (seeded with
     S), so dropout models are compared as means over the seeds;
  4. prints a table: mean validation (and train) accuracy on both sides, the
     difference in points, seconds of each side's training.

The bar (issue 4): within 1 point of PyTorch on every model.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # keep the source tree clean
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "models", "Inputs"))
sys.path.insert(0, os.path.join(ROOT, "test", "runtime", "Inputs"))
import cli_ref  # noqa: E402
import lecture  # noqa: E402
import rtref  # noqa: E402

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
MODELS = ["net", "net_width", "net_width_l2", "net_width_l1",
          "net_width_weight_decay", "net_dropout", "net_batchnorm",
          "net_depth", "net_res", "net_res_deep", "net_res_deep_distinct"]
DEFAULTS_RE = re.compile(
    r"^train defaults: sgd lr=(\S+) momentum=(\S+) dampening=(\S+) "
    r"weight_decay=(\S+) nesterov=(true|false); penalty (.+?); epochs",
    re.MULTILINE)


def torch_class(stem):
    """The lecture's class of a model file: the NetWidth variants differ only
    in their train { } section."""
    for suffix in ("_l2", "_l1", "_weight_decay"):
        if stem.endswith(suffix) and stem[: -len(suffix)] in lecture.MODELS:
            return lecture.MODELS[stem[: -len(suffix)]]
    return lecture.MODELS[stem]


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def train_settings(exe):
    """The model's train { } settings, as the executable's `info` states them."""
    info = run([exe, "info"])
    m = DEFAULTS_RE.search(info)
    if not m:
        sys.exit(f"{exe} info: no 'train defaults' line")
    lr, momentum, dampening, wd, nesterov, penalty = m.groups()
    l1 = l2 = 0.0
    if penalty != "none":
        for term in penalty.split(","):
            # "l2(0.001)" as info writes it, or "l2:0.001" as --penalty takes it
            kind, value = re.fullmatch(r"(l1|l2)[(:]([^)]+)\)?", term.strip()).groups()
            if kind == "l1":
                l1 = float(value)
            else:
                l2 = float(value)
    return dict(lr=float(lr), momentum=float(momentum),
                dampening=float(dampening), weight_decay=float(wd),
                nesterov=nesterov == "true", l1=l1, l2=l2,
                dropout="dropout: none" not in info)


def cnnc_run(exe, init, seed, args, workdir):
    """Trains the executable from `init`; returns (train acc, val acc, s)."""
    cmd = [exe, "train", "--load", init, "--seed", str(seed),
           "--epochs", str(args.epochs), "--batch-size", str(args.batch_size),
           "--threads", str(args.threads), "--progress", "lines"]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    out = run(cmd)

    def figure(pattern):
        m = re.search(pattern, out, re.MULTILINE)
        if not m:
            sys.exit(f"{' '.join(cmd)}: no line matching {pattern!r}:\n{out}")
        return float(m.group(1))
    return (figure(r"^Accuracy train: ([0-9.]+)"),
            figure(r"^Accuracy val: ([0-9.]+)"),
            figure(r"^time: ([0-9.]+) s training"))


def accuracy(module, x, y, batch):
    module.eval()
    correct = 0
    with torch.no_grad():
        for b in range(0, len(x), batch):
            correct += int((module(x[b:b + batch]).argmax(1) == y[b:b + batch]).sum())
    return correct / len(x)


def torch_run(stem, init, seed, settings, data, args):
    """The lecture's loop in PyTorch from `init`; returns (train acc, val
    acc, s)."""
    (xtr, ytr), (xva, yva) = data
    torch.manual_seed(seed)  # PyTorch's own dropout masks
    module = torch_class(stem)(**lecture.SHAPES["fmnist"])
    _, tensors = rtref.st_read(init)
    module.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in tensors.items()},
                           strict=True)
    params = list(module.parameters())
    opt = torch.optim.SGD(params, lr=settings["lr"], momentum=settings["momentum"],
                          dampening=settings["dampening"],
                          weight_decay=settings["weight_decay"],
                          nesterov=settings["nesterov"])
    start = time.perf_counter()
    for epoch in range(args.epochs):
        module.train()
        order = torch.tensor(rtref.shuffle(len(xtr), seed, epoch))
        for b in range(0, len(order), args.batch_size):
            idx = order[b:b + args.batch_size]
            loss = F.cross_entropy(module(xtr[idx]), ytr[idx])
            if settings["l2"]:
                loss = loss + settings["l2"] * sum(p.pow(2.0).sum() for p in params)
            if settings["l1"]:
                loss = loss + settings["l1"] * sum(p.abs().sum() for p in params)
            opt.zero_grad()
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start
    return (accuracy(module, xtr, ytr, args.batch_size),
            accuracy(module, xva, yva, args.batch_size), seconds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cnnc", default=os.path.join(ROOT, "build", "bin", "cnnc"))
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0,
                    help="first N samples of each split (default: all)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--seeds", type=int, default=3, help="seeds of dropout models")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--results", default="", help="also write the table to this file")
    ap.add_argument("--json", default="", help="also write every run to this file")
    args = ap.parse_args()
    if not os.path.exists(args.cnnc):
        sys.exit(f"training_accuracy.py: no cnnc at {args.cnnc}: build first "
                 "(scripts/build.sh) or pass --cnnc")
    models = args.models.split(",")
    for stem in models:
        if stem not in MODELS:
            sys.exit(f"training_accuracy.py: unknown model '{stem}' (one of {', '.join(MODELS)})")
    torch.set_num_threads(args.threads)
    data = tuple(cli_ref.prepared("fashion-mnist", FASHION_MNIST, "all", args.limit, split)
                 for split in ("train", "test"))

    header = ["| model | seeds | cnnc val | PyTorch val | difference (points) "
              "| cnnc train | PyTorch train | cnnc s | PyTorch s |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    print("\n".join(header), flush=True)
    rows, runs, outside = [], [], []
    with tempfile.TemporaryDirectory() as workdir:
        for stem in models:
            exe = os.path.join(workdir, stem)
            run([args.cnnc, os.path.join(ROOT, "models", stem + ".cnn"), "-o", exe])
            settings = train_settings(exe)
            seeds = range(args.seeds if settings["dropout"] else 1)
            ours, theirs = [], []
            for seed in seeds:
                init = os.path.join(workdir, f"{stem}.{seed}.safetensors")
                run([exe, "init", "--seed", str(seed), "--save", init])
                ours.append(cnnc_run(exe, init, seed, args, workdir))
                theirs.append(torch_run(stem, init, seed, settings, data, args))
                runs.append(dict(model=stem, seed=seed, cnnc=ours[-1], pytorch=theirs[-1]))
            a, b = np.mean(ours, axis=0), np.mean(theirs, axis=0)
            diff = round(100 * (a[1] - b[1]), 2) + 0.0  # no "-0.00"
            if abs(diff) > 1:
                outside.append(stem)
            row = (f"| {stem} | {len(seeds)} | {a[1]:.4f} | {b[1]:.4f} | {diff:+.2f} "
                   f"| {a[0]:.4f} | {b[0]:.4f} | {a[2]:.0f} | {b[2]:.0f} |")
            print(row, flush=True)
            rows.append(row)
    n = args.limit or "all"
    meta = (f"Fashion-MNIST ({n} training / {n} validation samples), {args.epochs} "
            f"epochs, batch {args.batch_size}, each model's train {{ }} settings, "
            f"{args.threads} threads; torch {torch.__version__}")
    print(meta)
    verdict = ("every model within 1 point of PyTorch" if not outside else
               "more than 1 point from PyTorch: " + ", ".join(outside))
    print(verdict)
    if args.results:
        with open(args.results, "w") as f:
            f.write("\n".join(header + rows) + "\n\n" + meta + "\n" + verdict + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(runs, f, indent=1)
    return 1 if outside else 0


if __name__ == "__main__":
    sys.exit(main())
