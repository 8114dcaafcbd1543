#!/usr/bin/env python3
"""cnnc against the strongest peers on this CPU: training steps and
inference of the lecture's networks, side by side in one run.

    bench/setup.sh                    # once: bench/.venv with the peers (PyPI)
    bench/.venv/bin/python bench/peers.py [--quick] [--models net,net_res_deep]
        [--shapes fmnist,cifar2] [--rounds 5] [--seconds 0.4] [--threads 2]
        [--batch 64] [--cnnc build/bin/cnnc] [--results bench/RESULTS.md]

(Run with another python, the script starts itself again with the venv's.)

Peers, each in its own process (bench/peers/*.py, which say how each pins
its threads):
  training step  cnnc, PyTorch eager, torch.compile (inductor, default
                 mode), JAX jit
  inference      cnnc, PyTorch eager, torch.compile, ONNX Runtime (every
                 graph optimization)
Networks: the lecture's seven (models/*.cnn) and NetResDeep with 100 blocks
(net_res_deep_100: -D n_blocks=100), at the Fashion-MNIST shape (1x28x28,
10 classes, the models' default) and the CIFAR-2 shape (-D in_chans=3
-D side=32 -D n_classes=2).

For each network and shape:
  1. cnnc compiles the model into an executable; `info` gives its FLOPs and
     train { } settings, `init --save` its initial weights (batchnorm running
     statistics are then moved off 0 and 1, so eval mode uses them); a batch
     (standard normal images, uniform labels) is drawn;
  2. cnnc's `train-step` runs one step on the batch (its dropout masks are
     written out) and `infer` the eval forward;
  3. every peer loads the same checkpoint and batch, runs one training step
     with cnnc's masks and one eval forward, and is compared with cnnc:
     logits, loss, and every updated parameter and batchnorm statistic
     within 1e-4 of the tensor's largest magnitude (+1e-6). Where only
     gradients and updated state miss that bound, loss and logits within
     it and the rest within 2e-2 (FP32_SPREAD), the peer is timed and its
     cell marked "~" (the log names the tensors): f32 itself spreads that
     far in two cases, measured against a float64 step (bench/RESULTS.md):
     a max-pool window whose two largest inputs are 1e-7 apart routes its
     gradient to either, and a 100-block batchnorm net's gradients carry
     ~5e-4 of rounding in every f32 implementation. A peer that differs
     beyond that is reported and not timed. The timed steps draw their own
     dropout masks (each peer its own generator): the same work;
  4. rounds alternate between the peers (the order rotating), each round
     timing each peer's calls for about --seconds after warm-up calls (cnnc:
     `bench [--train] --runs N`); a figure is the median over the rounds of
     each round's median.

Reported: ms per batch, the ratio to the fastest peer, GFLOP/s and the
fraction of this machine's fp32 FMA peak on --threads cores, measured at the
start by bench/fma_peak.c (compiled with the system's cc: AVX-512 where the
CPU has it, else AVX2+FMA). FLOPs are cnnc's count (`info`: a multiply-add
is 2; convolutions, linears, bias, batchnorm, activations, pooling); a
training step counts 3x the forward (forward, input and weight gradients),
the same figure for every peer. They count a direct convolution's
multiply-adds: an implementation that computes a 3x3 conv by Winograd's
F(2x2, 3x3) (cnnc, where its strategy chooses it) does 16 multiplies for
the 36 counted, by F(4x4, 3x3) (cnnc's inference) 36 for 144, so its
GFLOP/s are effective ones and may exceed the peak.

Threads: every peer's process, and cnnc's, is bound to the first --threads
CPUs when the machine has more (sched_setaffinity); cnnc gets --threads.

--quick: 2 rounds of ~0.15 s, net_dropout and net_res_deep (dropout
masks, batchnorm statistics, a shared block) at both shapes. Only a full
run (every network, shape and mode) replaces its section of
bench/RESULTS.md; a quick or partial run writes no results file unless
--results is given (its table would drop the other rows).
"""
import argparse
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
VENV = os.path.join(BENCH, ".venv")
VENV_PYTHON = os.path.join(VENV, "bin", "python")

if os.path.realpath(sys.prefix) != os.path.realpath(VENV):
    if not os.path.exists(VENV_PYTHON):
        sys.exit("peers.py: no bench/.venv: run bench/setup.sh first")
    os.execv(VENV_PYTHON, [VENV_PYTHON, os.path.abspath(__file__), *sys.argv[1:]])

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(BENCH, "peers"))
from common import FP32_SPREAD, compare, compare_step, load, save  # noqa: E402

SHAPES = {
    "fmnist": dict(in_chans=1, side=28, n_classes=10),
    "cifar2": dict(in_chans=3, side=32, n_classes=2),
}
# name: (model file stem, other -D parameters)
MODELS = {
    "net": ("net", {}),
    "net_width": ("net_width", {}),
    "net_dropout": ("net_dropout", {}),
    "net_batchnorm": ("net_batchnorm", {}),
    "net_depth": ("net_depth", {}),
    "net_res": ("net_res", {}),
    "net_res_deep": ("net_res_deep", {}),
    "net_res_deep_100": ("net_res_deep", {"n_blocks": 100}),
}
QUICK_MODELS = "net_dropout,net_res_deep"  # dropout masks, batchnorm, a shared block
# peer module (bench/peers/<module>.py): its column title
PEERS = {
    "cnnc": "cnnc",
    "torch_eager": "torch eager",
    "torch_compile": "torch.compile",
    "jax_xla": "JAX jit",
    "onnx_runtime": "ONNX Runtime",
}
MODES = {
    "train": ["cnnc", "torch_eager", "torch_compile", "jax_xla"],
    "infer": ["cnnc", "torch_eager", "torch_compile", "onnx_runtime"],
}
DEFAULTS_RE = re.compile(
    r"^train defaults: sgd lr=(\S+) momentum=(\S+) dampening=(\S+) "
    r"weight_decay=(\S+) nesterov=(true|false); penalty (.+?); epochs", re.MULTILINE)
FLOPS_RE = re.compile(r"^FLOPs per sample: (\d+)", re.MULTILINE)
MEDIAN_RE = re.compile(r"ms per (?:batch|training step): median ([0-9.]+)")


class Failure(Exception):
    pass


def run(cmd, **kw):
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        raise Failure(f"{shlex.join(cmd)} failed ({done.returncode}):\n{done.stderr.strip()}")
    return done.stdout


def cpus_for(threads):
    cpus = sorted(os.sched_getaffinity(0))
    return cpus[:threads] if len(cpus) > threads else None


# --- The machine. ----------------------------------------------------------

def cpu_name():
    """The first CPU's model name, with its family and model numbers: a VM
    may name only the vendor ("AMD EPYC"), and the numbers tell a Zen 4
    (family 25) from a Zen 5 (26), whose FMA peaks differ twofold."""
    fields = {}
    try:
        for line in open("/proc/cpuinfo"):
            if not line.strip():
                break
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    name = fields.get("model name") or platform.processor() or "unknown CPU"
    if fields.get("cpu family") and fields.get("model"):
        name += f" (family {fields['cpu family']}, model {fields['model']})"
    return name


def cpu_flags():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def fma_peak(threads, workdir):
    """(GFLOP/s, 'AVX-512'|'AVX2'): the best of three 0.5 s runs of
    bench/fma_peak.c on `threads` threads."""
    flags = cpu_flags()
    if "avx512f" in flags:
        isa, cflags = "AVX-512", ["-mavx512f"]
    elif "avx2" in flags and "fma" in flags:
        isa, cflags = "AVX2", ["-DUSE_AVX2", "-mavx2", "-mfma"]
    else:
        raise Failure("this CPU has neither AVX-512 nor AVX2+FMA: no FMA peak to measure")
    exe = os.path.join(workdir, "fma_peak")
    cc = os.environ.get("CC", "cc")
    run([cc, "-O2", *cflags, "-pthread", os.path.join(BENCH, "fma_peak.c"), "-o", exe])
    best = 0.0
    for _ in range(3):
        out = run([exe, str(threads), "0.5"], preexec_fn=pin_cpus(threads))
        best = max(best, float(out.split()[1]))
    return best, isa


def pin_cpus(threads):
    cpus = cpus_for(threads)
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


# --- The peers' processes. --------------------------------------------------

class Worker:
    """bench/peers/worker.py running one peer."""

    def __init__(self, module, threads, log_path):
        self.module = module
        self.log_path = log_path
        self.log = open(log_path, "a")
        self.proc = subprocess.Popen(
            [VENV_PYTHON, os.path.join(BENCH, "peers", "worker.py"), module, str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True)

    def ask(self, request):
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise Failure(f"{self.module} worker died (log: {self.log_path})")
        reply = json.loads(line)
        if "error" in reply:
            raise Failure(f"{reply['error']} (log: {self.log_path})")
        return reply

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.log.close()


# --- One network at one shape. ----------------------------------------------

def settings_of(info):
    m = DEFAULTS_RE.search(info)
    if not m:
        raise Failure("`info` printed no 'train defaults' line")
    lr, momentum, dampening, wd, nesterov, penalty = m.groups()
    l1 = l2 = 0.0
    if penalty != "none":
        for term in penalty.split(","):
            kind, value = re.fullmatch(r"(l1|l2)[(:]([^)]+)\)?", term.strip()).groups()
            if kind == "l1":
                l1 = float(value)
            else:
                l2 = float(value)
    return dict(lr=float(lr), momentum=float(momentum), dampening=float(dampening),
                weight_decay=float(wd), nesterov=nesterov == "true", l1=l1, l2=l2)


def prepare(args, shape_name, name, case_dir):
    """Compiles the model, writes weights and batch, runs cnnc's step and
    forward on them. Returns (case, exe, forward FLOPs per sample)."""
    stem, extra = MODELS[name]
    shape = SHAPES[shape_name]
    defines = {**shape, **extra}
    exe = os.path.join(case_dir, name)
    cmd = [args.cnnc, os.path.join(ROOT, "models", stem + ".cnn"), "-o", exe]
    for k, v in defines.items():
        cmd += ["-D", f"{k}={v}"]
    # An executable from an earlier run of the same command with the same
    # cnnc and model file is reused (NetResDeep's 100-block training step
    # takes minutes to compile).
    stamp = exe + ".command"
    sources = [args.cnnc, cmd[1]]
    fresh = (os.path.exists(exe) and os.path.exists(stamp)
             and open(stamp).read() == shlex.join(cmd)
             and all(os.path.getmtime(exe) > os.path.getmtime(s) for s in sources))
    if not fresh:
        run(cmd)
        with open(stamp, "w") as f:
            f.write(shlex.join(cmd))
    info = run([exe, "info", "--batch-size", str(args.batch)])
    flops = int(FLOPS_RE.search(info).group(1))

    init = os.path.join(case_dir, "init.safetensors")
    run([exe, "init", "--seed", str(args.seed), "--save", init])
    rng = np.random.default_rng(args.seed)
    weights = dict(load(init))

    def alias_of(k):  # a shared block's other names: resblocks.k.* for k > 0
        if stem == "net_res_deep" and k.startswith("resblocks.") and \
                not k.startswith("resblocks.0."):
            return "resblocks.0." + k.split(".", 2)[2]
        return None
    for k in sorted(weights):
        # Running statistics away from 0 and 1, so that eval mode shows
        # whether they are used.
        if alias_of(k):
            continue
        if k.endswith(".running_mean"):
            weights[k] = rng.normal(0.0, 0.3, weights[k].shape).astype(np.float32)
        elif k.endswith(".running_var"):
            weights[k] = rng.uniform(0.5, 2.0, weights[k].shape).astype(np.float32)
    for k in weights:
        if alias_of(k):
            weights[k] = weights[alias_of(k)]
    weights_path = os.path.join(case_dir, "weights.safetensors")
    save(weights_path, weights)

    batch_path = os.path.join(case_dir, "batch.safetensors")
    x = rng.standard_normal((args.batch, shape["in_chans"], shape["side"], shape["side"]),
                            dtype=np.float32)
    y = rng.integers(0, shape["n_classes"], args.batch).astype(np.int64)
    save(batch_path, {"input": x, "labels": y})

    threads = ["--threads", str(args.threads)]
    cnnc_train = os.path.join(case_dir, "cnnc-train.safetensors")
    run([exe, "train-step", "--load", weights_path, "--batch", batch_path, "-o", cnnc_train,
         *threads], preexec_fn=pin_cpus(args.threads))
    cnnc_infer = os.path.join(case_dir, "cnnc-infer.safetensors")
    run([exe, "infer", "--load", weights_path, "--input", batch_path, "--output", cnnc_infer,
         "--batch-size", str(args.batch), *threads], preexec_fn=pin_cpus(args.threads))
    masks = {k: v for k, v in load(cnnc_train).items() if k.startswith("mask.")}
    masks_path = ""
    if masks:
        masks_path = os.path.join(case_dir, "masks.safetensors")
        save(masks_path, masks)
    case = dict(model=stem, shape=shape, defines=extra, weights=weights_path,
                batch=batch_path, masks=masks_path, sgd=settings_of(info),
                threads=args.threads, workdir=case_dir)
    return case, exe, flops, cnnc_train, cnnc_infer


def within_fp32_spread(case_dir, worker, cnnc_out):
    """Whether the peer's last training step (checked already) is within
    f32's own spread of cnnc's: loss and logits within 1e-4, every other
    tensor within FP32_SPREAD of its largest magnitude."""
    got = load(os.path.join(case_dir, f"{worker.module}-train.safetensors"))
    want = load(cnnc_out)
    _, problems = compare_step(got, want, tolerance=FP32_SPREAD)
    return not problems


class Spread(float):
    """A time whose peer matched cnnc within f32's spread only."""


def check(worker, mode, case_dir, cnnc_out):
    """The peer's step or forward against cnnc's: (worst relative error,
    mismatches)."""
    out = os.path.join(case_dir, f"{worker.module}-{mode}.safetensors")
    worker.ask({"op": "check", "mode": mode, "out": out})
    got, want = load(out), load(cnnc_out)
    if mode == "train":
        return compare_step(got, want)
    rel, problem = compare("logits", got["logits"], want["logits"])
    return rel, [problem] if problem else []


def time_cnnc(args, exe, weights, mode, runs, warmup):
    cmd = [exe, "bench", "--batch-size", str(args.batch), "--threads", str(args.threads),
           "--runs", str(runs), "--warmup", str(warmup), "--load", weights]
    if mode == "train":
        cmd.append("--train")
    out = run(cmd, preexec_fn=pin_cpus(args.threads))
    return float(MEDIAN_RE.search(out).group(1))


def time_peer(args, workers, exe, case, peer, mode, runs, warmup):
    if peer == "cnnc":
        return time_cnnc(args, exe, case["weights"], mode, runs, warmup)
    ms = workers[peer].ask({"op": "time", "mode": mode, "runs": runs,
                            "warmup": warmup})["ms"]
    return float(np.median(ms))


def bench_case(args, workers, shape_name, name, case_dir, say):
    """{mode: {peer: ms or an error text}}, forward FLOPs per sample."""
    start = time.perf_counter()
    case, exe, flops, cnnc_train, cnnc_infer = prepare(args, shape_name, name, case_dir)
    say(f"compiled (or reused) and ran cnnc ({time.perf_counter() - start:.1f} s)")
    cnnc_out = {"train": cnnc_train, "infer": cnnc_infer}
    results = {mode: {} for mode in args.modes}
    live = {mode: ["cnnc"] for mode in args.modes}
    spread = {mode: set() for mode in args.modes}
    for peer in PEERS:
        modes = [m for m in args.modes if peer in MODES[m] and peer != "cnnc"]
        if not modes:
            continue
        worker = workers[peer]
        start = time.perf_counter()
        try:
            worker.ask({"op": "setup", "case": case})
        except Failure as e:
            for mode in modes:
                results[mode][peer] = "setup failed"
            say(f"{PEERS[peer]}: setup FAILED: {e}")
            continue
        notes = []
        for mode in modes:
            ran = False
            try:
                worst, problems = check(worker, mode, case_dir, cnnc_out[mode])
                ran = True
                # Warm up (torch.compile and JAX compile what is timed now).
                worker.ask({"op": "time", "mode": mode, "runs": 0, "warmup": 2})
            except Failure as e:
                worst, problems = float("inf"), [str(e)]
            if (problems and ran and mode == "train"
                    and within_fp32_spread(case_dir, worker, cnnc_out[mode])):
                live[mode].append(peer)
                spread[mode].add(peer)
                notes.append(f"{mode} within f32's spread of cnnc (loss and logits within "
                             f"1e-4, the rest within {FP32_SPREAD}; beyond 1e-4: "
                             + "; ".join(problems[:4]) + ")")
            elif problems:
                results[mode][peer] = "differs"
                notes.append(f"{mode} DIFFERS from cnnc: " + "; ".join(problems[:4]))
            else:
                live[mode].append(peer)
                notes.append(f"{mode} same as cnnc (worst relative error {worst:.1e})")
        say(f"{PEERS[peer]}: {', '.join(notes)} ({time.perf_counter() - start:.1f} s)")

    for mode in args.modes:
        peers = live[mode]
        # Calibration: calls per round for about --seconds each.
        runs = {}
        for peer in peers:
            est = time_peer(args, workers, exe, case, peer, mode, 2, 1)
            runs[peer] = int(min(args.max_runs, max(args.min_runs, args.seconds * 1e3 / est)))
        per_round = {peer: [] for peer in peers}
        for r in range(args.rounds):
            order = peers[r % len(peers):] + peers[:r % len(peers)]
            for peer in order:
                per_round[peer].append(time_peer(args, workers, exe, case, peer, mode,
                                                 runs[peer], args.warmup))
        for peer in peers:
            results[mode][peer] = float(np.median(per_round[peer]))
            if peer in spread[mode]:
                results[mode][peer] = Spread(results[mode][peer])
        say(f"{mode}: " + ", ".join(f"{PEERS[p]} {results[mode][p]:.3f} ms" for p in peers))
    return results, flops


# --- The tables. ------------------------------------------------------------

def table(mode, rows, batch, peak):
    """rows: [(shape, model, results, flops per sample)]."""
    peers = MODES[mode]
    head = (["shape", "model", "GFLOP"] + [f"{PEERS[p]} ms" for p in peers]
            + ["fastest", "cnnc GFLOP/s", "cnnc % peak", "fastest GFLOP/s", "fastest % peak"])
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---"] * 2 + ["---:"] * (len(head) - 2)) + "|"]
    factor = 3 if mode == "train" else 1
    for shape, model, results, flops in rows:
        got = results[mode]
        gflop = factor * flops * batch * 1e-9
        times = {p: v for p, v in got.items() if isinstance(v, float)}
        fastest = min(times, key=times.get) if times else None
        cells = [shape, model, f"{gflop:.3f}"]
        for p in peers:
            v = got.get(p, "-")
            if isinstance(v, float):
                mark = " ~" if isinstance(v, Spread) else ""
                cells.append(f"{v:.3f}{mark} ({v / times[fastest]:.2f}x)")
            else:
                cells.append(v)
        if fastest:
            cells.append(PEERS[fastest])
            for p in ("cnnc", fastest):
                if p in times:
                    rate = gflop / times[p] * 1e3
                    cells += [f"{rate:.1f}", f"{100 * rate / peak:.1f}%"]
                else:
                    cells += ["-", "-"]
        else:
            cells += ["-"] * 5
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


SECTION_BEGIN = "<!-- bench/peers.py: begin -->"
SECTION_END = "<!-- bench/peers.py: end -->"


def write_results(path, text):
    """Replaces the section between the markers, or appends it."""
    old = open(path).read() if os.path.exists(path) else ""
    section = f"{SECTION_BEGIN}\n{text.rstrip()}\n{SECTION_END}\n"
    if SECTION_BEGIN in old and SECTION_END in old:
        before, rest = old.split(SECTION_BEGIN, 1)
        after = rest.split(SECTION_END, 1)[1].lstrip("\n")
        new = before + section + ("\n" + after if after else "")
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + section
    with open(path + ".tmp", "w") as f:
        f.write(new)
    os.replace(path + ".tmp", path)


def versions():
    import jax
    import onnxruntime
    import torch
    return (f"torch {torch.__version__}, jax/jaxlib {jax.__version__}, "
            f"onnxruntime {onnxruntime.__version__}")


def git_commit():
    try:
        return run(["git", "-C", ROOT, "log", "-1", "--format=%h %s"]).strip()
    except (Failure, OSError):
        return "unknown"


def elapsed(start):
    s = int(time.perf_counter() - start)
    return f"{s // 60}m{s % 60:02d}s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--cnnc", default=os.path.join(ROOT, "build", "bin", "cnnc"))
    ap.add_argument("--models", default="", help=f"of {','.join(MODELS)} (default: all)")
    ap.add_argument("--shapes", default="fmnist,cifar2")
    ap.add_argument("--modes", default="train,infer")
    ap.add_argument("--quick", action="store_true",
                    help=f"smoke run: 2 short rounds, models {QUICK_MODELS}")
    ap.add_argument("--rounds", type=int, default=0, help="(default 5, --quick 2)")
    ap.add_argument("--seconds", type=float, default=0.0,
                    help="timed seconds per peer per round (default 0.4, --quick 0.15)")
    ap.add_argument("--min-runs", type=int, default=3)
    ap.add_argument("--max-runs", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=2, help="untimed calls before each round's")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", default=os.path.join(ROOT, "build", "peers"),
                    help="executables, checkpoints, peers' logs (kept)")
    ap.add_argument("--results", default=None,
                    help="markdown file whose bench/peers.py section the tables replace "
                         "(default: bench/RESULTS.md for a full run; else none)")
    args = ap.parse_args()
    args.rounds = args.rounds or (2 if args.quick else 5)
    args.seconds = args.seconds or (0.15 if args.quick else 0.4)
    if not args.models:
        args.models = QUICK_MODELS if args.quick else ",".join(MODELS)
    args.modes = args.modes.split(",")
    models, shapes = args.models.split(","), args.shapes.split(",")
    full = (not args.quick and set(models) == set(MODELS) and set(shapes) == set(SHAPES)
            and set(args.modes) == set(MODES))
    if args.results is None:
        args.results = os.path.join(BENCH, "RESULTS.md") if full else ""
    for what, given, known in (("model", models, MODELS), ("shape", shapes, SHAPES),
                               ("mode", args.modes, MODES)):
        for g in given:
            if g not in known:
                sys.exit(f"peers.py: unknown {what} '{g}' (one of {', '.join(known)})")
    if not os.path.exists(args.cnnc):
        sys.exit(f"peers.py: no cnnc at {args.cnnc}: build first (scripts/build.sh) or "
                 "pass --cnnc")

    start = time.perf_counter()
    os.makedirs(args.workdir, exist_ok=True)
    peak, isa = fma_peak(args.threads, args.workdir)
    cpus = cpus_for(args.threads)
    binding = (f"bound to CPUs {','.join(map(str, cpus))}" if cpus else
               f"all {os.cpu_count()} CPUs of this machine")
    print(f"peers.py: {cpu_name()}, {os.cpu_count()} CPUs; measured fp32 FMA peak on "
          f"{args.threads} threads: {peak:.1f} GFLOP/s ({isa} loop, bench/fma_peak.c)")
    print(f"peers.py: {versions()}; cnnc {git_commit()}")
    print(f"peers.py: threads: every peer {binding}; cnnc --threads {args.threads}; "
          f"torch.set_num_threads({args.threads}); JAX: XLA's pools sized by the CPU binding, "
          f"XLA_FLAGS=--xla_cpu_multi_thread_eigen=true; ONNX Runtime "
          f"intra_op_num_threads={args.threads}, inter_op_num_threads=1", flush=True)

    needed = {p for m in args.modes for p in MODES[m]} - {"cnnc"}
    workers = {p: Worker(p, args.threads, os.path.join(args.workdir, f"{p}.log"))
               for p in PEERS if p in needed}
    load_before = os.getloadavg()
    rows, failed = [], False
    cases = [(s, m) for s in shapes for m in models]
    try:
        for i, (shape_name, name) in enumerate(cases):
            tag = f"[{i + 1}/{len(cases)} {shape_name} {name}]"

            def say(text, tag=tag):
                print(f"{tag} {text}  [{elapsed(start)}]", flush=True)
            case_dir = os.path.join(args.workdir, f"{shape_name}-{name}")
            os.makedirs(case_dir, exist_ok=True)
            try:
                results, flops = bench_case(args, workers, shape_name, name, case_dir, say)
            except Failure as e:
                say(f"FAILED: {e}")
                failed = True
                continue
            failed |= any(isinstance(v, str) for r in results.values() for v in r.values())
            rows.append((shape_name, name, results, flops))
    finally:
        for w in workers.values():
            try:
                w.close()
            except Exception:  # a dead worker: nothing to close
                pass
    load_after = os.getloadavg()

    titles = {"train": "Training step (forward, cross-entropy, backward, SGD update)",
              "infer": "Inference (eval-mode forward)"}
    command = shlex.join(["bench/.venv/bin/python", "bench/peers.py", *sys.argv[1:]])
    meta = (f"{cpu_name()}, {os.cpu_count()} CPUs; fp32 FMA peak on {args.threads} "
            f"threads measured {peak:.1f} GFLOP/s ({isa}); batch {args.batch}, "
            f"{args.threads} threads everywhere; median of {args.rounds} alternating rounds "
            f"of ~{args.seconds} s per peer; {versions()}; cnnc {git_commit()}; load average "
            f"{load_before[0]:.2f} before, {load_after[0]:.2f} after; {elapsed(start)} in all")
    text = [f"## Against the peers: cnnc, PyTorch eager, torch.compile, JAX, ONNX Runtime\n",
            f"Command: `{command}`\n", meta + ".\n",
            "Each cell: ms per batch (the ratio to the fastest). GFLOP: cnnc's count of "
            "the forward pass (a multiply-add is 2) for the batch, 3x for a training step. "
            "% peak: of the measured FMA peak (effective where a 3x3 conv is computed by "
            "Winograd's F(2x2, 3x3), with 16 multiplies for the 36 counted, or "
            "F(4x4, 3x3), 36 for 144: cnnc's can exceed 100%). Every peer was checked against cnnc on the "
            "same weights and batch before it was timed (bench/peers.py says how); "
            f"~: loss and logits within 1e-4, gradients and updated state only within "
            f"{FP32_SPREAD} (f32's own spread there, see the float64 check below).\n"]
    for mode in args.modes:
        text.append(f"### {titles[mode]}\n")
        text.append(table(mode, rows, args.batch, peak) + "\n")
    report = "\n".join(text)
    print()
    print(report)
    if args.results:
        write_results(args.results, report)
        print(f"peers.py: wrote its section of {args.results}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
