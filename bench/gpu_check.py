#!/usr/bin/env python3
"""cnnc on the GPU: the lecture's networks compiled for CUDA, checked against
PyTorch on the GPU and timed against PyTorch eager and torch.compile.

The GPU machine has no LLVM and no package registry, so the work is split:

  build    HERE (scripts/gpu-build.sh): compiles every models/*.cnn in both
           shapes with --target=cuda --gpu-arch=sm_90 into one folder
           (default build-gpu-check/, git-ignored, carried to the device),
           with the shared libraries the executables need, weights, input
           batches, CPU references and manifest.json.
  check    THERE (scripts/gpu-check.sh): eval logits of every executable
           against PyTorch on CUDA with TF32 off (1e-4 relative), then
           timings of `bench` against PyTorch eager, torch.compile and
           torch.compile(mode="reduce-overhead"), each with PyTorch's
           defaults and with TF32 off, at batch 64 and 1024, inside a hard
           time budget; writes results.md, results.csv, results.json and
           log.txt (the wrapper's) to --out.
  publish  HERE: puts a results.md into bench/RESULTS.md (its own section).

docs/gpu-check.md says how a session with the GPU machine runs it. `check
--cpu` is the dry run on a machine without a GPU: PyTorch on the CPU, the
executables with --device cpu (or no --device before the flag exists).
"""
import argparse
import csv
import datetime
import io
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

STARTED = time.monotonic()  # the budget counts from here, imports included
from concurrent.futures import ThreadPoolExecutor

import numpy as np

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
# The independent PyTorch reference (the lecture's classes) and a
# safetensors reader/writer in numpy alone: the tests' own, imported.
sys.path.insert(0, os.path.join(ROOT, "test", "models", "Inputs"))
sys.path.insert(0, os.path.join(ROOT, "test", "runtime", "Inputs"))
from rtref import st_read, st_write  # noqa: E402
import gpu_check_train  # noqa: E402 - bench/, beside this file

SHAPES = {  # the lecture's two shapes, as -D parameters of models/*.cnn
    "fmnist": dict(in_chans=1, side=28, n_classes=10),
    "cifar2": dict(in_chans=3, side=32, n_classes=2),
}
# Models whose eval-mode network is another's: they differ in training only
# (penalty, weight decay), so their forward is checked but not timed again.
SAME_EVAL = {"net_width_l1": "net_width", "net_width_l2": "net_width",
             "net_width_weight_decay": "net_width"}
# The order the timing phases take (most telling first), so that a run cut
# short by the budget has the rows that matter most.
TIMING_ORDER = ["net_res_deep", "net", "net_batchnorm", "net_res", "net_depth",
                "net_dropout", "net_width", "net_res_deep_distinct"]
TOLERANCE = 1e-4      # max |cnnc - torch| over max(max |torch|, 1)
INPUT_SEED = 4321
WEIGHT_SEED = 1234
GLIBC = ("ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6", "libpthread.so.0",
         "libdl.so.2", "librt.so.1", "libresolv.so.2")
MEDIAN_RE = re.compile(r"ms per batch: median ([0-9.eE+-]+) min ([0-9.eE+-]+) "
                       r"max ([0-9.eE+-]+)")
SECTION_BEGIN = "<!-- bench/gpu_check.py: begin -->"
SECTION_END = "<!-- bench/gpu_check.py: end -->"


def log(msg):
    print(msg, flush=True)


def lecture():
    import lecture as module  # test/models/Inputs/lecture.py (needs torch)
    return module


def rel_error(got, want):
    """max |got - want| / max(max |want|, 1): check_infer.py's measure.
    NaN or a shape mismatch is infinite."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape:
        return float("inf")
    err = float(np.abs(got - want).max()) if want.size else 0.0
    scale = float(np.abs(want).max()) if want.size else 0.0
    rel = err / max(scale, 1.0)
    return rel if rel == rel else float("inf")


def short(text, limit=300):
    """One line of at most `limit` characters, for a table or a list."""
    text = " / ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def first_exe_name(env):
    return env.get("first_exe", "exe")


def fmt_err(e):
    return "-" if e is None else ("inf" if e == float("inf") else f"{e:.2e}")


def git_describe():
    try:
        out = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "-uno"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return (out or "unknown") + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# --------------------------------------------------------------------------
# build: here, with cnnc and Debian's PyTorch.
# --------------------------------------------------------------------------

def cnnc_knows_cuda(cnnc, gpu_arch):
    """Whether cnnc takes the CUDA flags (an unknown flag or value fails the
    parse; --emit=graph stops before any code generation)."""
    done = subprocess.run([cnnc, "--target=cuda", f"--gpu-arch={gpu_arch}", "--emit=graph",
                           os.path.join(ROOT, "models", "net.cnn"), "-o", os.devnull],
                          capture_output=True, text=True)
    return done.returncode == 0


def compile_one(cnnc, model, shape, exe, target_flags):
    cmd = [cnnc, os.path.join(ROOT, "models", model + ".cnn")]
    for k, v in SHAPES[shape].items():
        cmd += ["-D", f"{k}={v}"]
    cmd += [*target_flags, "-o", exe]
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:  # e.g. cnnc being relinked at that moment
        return shlex.join(cmd), time.perf_counter() - t0, f"cannot run cnnc: {e}"
    secs = time.perf_counter() - t0
    if done.returncode != 0:
        return shlex.join(cmd), secs, (done.stderr.strip() or done.stdout.strip()
                                       or f"exit status {done.returncode}")
    # Stripped: the symbol tables are a third of each executable, and the
    # carried tree has a 64 MiB limit. (The dynamic symbols stay.)
    if shutil.which("strip"):
        subprocess.run(["strip", exe], check=True)
    return shlex.join(cmd), secs, None


def shared_libraries(exes):
    """{soname: path} of everything the executables load (ldd, transitively),
    the vDSO aside."""
    libs = {}
    for exe in exes:
        out = subprocess.run(["ldd", exe], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            m = re.match(r"\s*(\S+) => (/\S+)", line) or re.match(r"\s*(/\S+/(\S+)) \(", line)
            if not m:
                continue
            if "=>" in line:
                libs[m.group(1)] = m.group(2)
            else:  # the dynamic loader, listed by path
                libs[os.path.basename(m.group(1))] = m.group(1)
    return libs


def supports_device_flag(exe, env=None):
    out = subprocess.run([exe, "infer", "--help"], capture_output=True, text=True, env=env)
    return "--device" in out.stdout


def supports_device(exe, command, exes):
    """Whether EXE's COMMAND takes --device (train-step before the runtime's
    GPU training did not)."""
    out = subprocess.run([*exes.prefix, exe, command, "--help"], capture_output=True,
                         text=True, env=exes.env)
    return "--device" in out.stdout


def build(args):
    import torch
    lec = lecture()
    # A bare name is looked up on the PATH (as lit's tests give it).
    cnnc = os.path.abspath(args.cnnc if os.sep in args.cnnc else (shutil.which(args.cnnc) or args.cnnc))
    if not os.access(cnnc, os.X_OK):
        sys.exit(f"gpu-build: no cnnc at {cnnc} (build it first: scripts/build.sh), "
                 "or name one with --cnnc")
    models = args.models.split(",") if args.models else sorted(
        f[:-4] for f in os.listdir(os.path.join(ROOT, "models")) if f.endswith(".cnn"))
    shapes = args.shapes.split(",")
    for s in shapes:
        if s not in SHAPES:
            sys.exit(f"gpu-build: unknown shape '{s}' (of {', '.join(SHAPES)})")
    for m in models:
        if not os.path.exists(os.path.join(ROOT, "models", m + ".cnn")):
            sys.exit(f"gpu-build: no models/{m}.cnn")
        if SAME_EVAL.get(m, m) not in lec.MODELS:
            sys.exit(f"gpu-build: models/{m}.cnn has no PyTorch reference in "
                     "test/models/Inputs/lecture.py (MODELS) nor in SAME_EVAL here")

    target = "cpu" if args.cpu else "cuda"
    if target == "cuda" and not cnnc_knows_cuda(cnnc, args.gpu_arch):
        msg = (f"gpu-build: {cnnc} does not know --target=cuda yet (issue 12's GPU "
               "target has not landed in this build)")
        if args.require_cuda:
            sys.exit(msg)
        log(f"WARNING: {msg}.\nWARNING: building CPU-only executables instead: on the "
            "GPU machine the check then compares cnnc's CPU code with PyTorch on CUDA "
            "and times PyTorch alone. Rebuild cnnc with the CUDA target and run this "
            "again before spending device time.")
        target = "cpu"
    target_flags = [f"--mcpu={args.mcpu}"]
    if target == "cuda":
        target_flags += ["--target=cuda", f"--gpu-arch={args.gpu_arch}"]

    out = os.path.abspath(args.out)
    # Everything anew: a stale executable must not be checked by mistake.
    if os.path.exists(out):
        if not os.path.exists(os.path.join(out, "manifest.json")) and os.listdir(out):
            sys.exit(f"gpu-build: {out} exists and is not a gpu-build folder; "
                     "refusing to empty it")
        shutil.rmtree(out)
    for sub in ("bin", "lib", "lib/glibc", "data"):
        os.makedirs(os.path.join(out, sub))

    # 1. Executables, compiled two at a time (cnnc is single-threaded).
    jobs = [(m, s) for m in models for s in shapes]
    log(f"gpu-build: compiling {len(jobs)} executables ({target}, "
        f"{' '.join(target_flags)}) into {out}/bin")
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        built = list(pool.map(lambda j: compile_one(
            cnnc, j[0], j[1], os.path.join(out, "bin", f"{j[0]}-{j[1]}"), target_flags), jobs))
    log(f"gpu-build: compiled in {time.perf_counter() - t0:.0f} s")

    # 2. Weights (the lecture's classes, perturbed as test/models does) and
    # one batch of 64 per shape.
    weights, inputs = {}, {}
    for s in shapes:
        shape = SHAPES[s]
        torch.manual_seed(INPUT_SEED)
        x = torch.randn(args.batch, shape["in_chans"], shape["side"], shape["side"])
        inputs[s] = f"data/input-{s}.safetensors"
        st_write(os.path.join(out, inputs[s]), [("input", x.numpy())])
        for m in models:
            cls = SAME_EVAL.get(m, m)
            if (cls, s) in weights:
                continue
            torch.manual_seed(WEIGHT_SEED)
            net = lec.perturb(lec.MODELS[cls](**shape)).eval()
            rel = f"data/weights-{cls}-{s}.safetensors"
            st_write(os.path.join(out, rel),
                     [(k, v.numpy()) for k, v in lec.unique_state_dict(net).items()])
            with torch.no_grad():
                weights[(cls, s)] = (rel, net(x).numpy())

    # 3. The CPU references, and a first check that the bundle is sound: the
    # executables' CPU code against PyTorch on the CPU.
    entries, exes = [], []
    for (m, s), (cmd, secs, error) in zip(jobs, built):
        cls = SAME_EVAL.get(m, m)
        exe = f"bin/{m}-{s}"
        e = dict(model=m, torch_class=cls, shape=s, exe=exe, compile_command=cmd,
                 compile_s=round(secs, 1), weights=weights[(cls, s)][0], input=inputs[s],
                 timed=m not in SAME_EVAL, build_error=error)
        if error is None:
            exes.append(os.path.join(out, exe))
            ref = f"data/ref-{m}-{s}.safetensors"
            logits = os.path.join(out, ref + ".tmp")
            dev = ["--device", "cpu"] if supports_device_flag(exes[-1]) else []
            done = subprocess.run([exes[-1], "infer", *dev, "--load", os.path.join(out, e["weights"]),
                                   "--input", os.path.join(out, inputs[s]), "--output", logits,
                                   "--batch-size", str(args.batch)],
                                  capture_output=True, text=True)
            torch_cpu = weights[(cls, s)][1]
            if done.returncode == 0:
                cnnc_cpu = st_read(logits)[1]["logits"]
                os.remove(logits)
                st_write(os.path.join(out, ref), [("cnnc_cpu", cnnc_cpu), ("torch_cpu", torch_cpu)])
                e["ref"] = ref
                e["cpu_error"] = rel_error(cnnc_cpu, torch_cpu)
                ok = e["cpu_error"] <= TOLERANCE
                log(f"  {m:24s} {s:7s} built in {secs:4.1f} s; CPU logits vs PyTorch "
                    f"{fmt_err(e['cpu_error'])} {'ok' if ok else 'MISMATCH'}")
            else:
                st_write(os.path.join(out, ref), [("torch_cpu", torch_cpu)])
                e["ref"] = ref
                e["cpu_error"] = None
                log(f"  {m:24s} {s:7s} built, but its CPU infer failed: {done.stderr.strip()}")
        else:
            log(f"  {m:24s} {s:7s} FAILED to compile: {error.splitlines()[0] if error else ''}")
        entries.append(e)

    # 4. Shared libraries: the executables run there with these (the GPU
    # machine's own system libraries may differ from Debian's). glibc's
    # core goes apart: it is loaded only through its own loader, as a
    # fallback where the machine's glibc is too old.
    libs = shared_libraries(exes) if exes else {}
    carried = []
    for soname, path in sorted(libs.items()):
        sub = "lib/glibc" if soname in GLIBC else "lib"
        shutil.copy2(os.path.realpath(path), os.path.join(out, sub, soname))
        carried.append(f"{sub}/{soname}")

    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
    manifest = dict(
        format=1, created=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        commit=git_describe(), cnnc=cnnc, target=target, gpu_arch=args.gpu_arch if target == "cuda" else None,
        mcpu=args.mcpu, batch=args.batch, tolerance=TOLERANCE, torch_here=torch.__version__,
        shapes={s: SHAPES[s] for s in shapes}, libraries=carried, bytes=size, entries=entries)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    failed = [e for e in entries if e["build_error"]]
    bad_cpu = [e for e in entries if e.get("cpu_error") is not None and e["cpu_error"] > TOLERANCE]
    log(f"gpu-build: {len(entries) - len(failed)} of {len(entries)} executables, "
        f"{len(carried)} libraries, {size / 2**20:.1f} MiB in {out}")
    if size > 48 * 2**20:
        log("WARNING: over 48 MiB: with the working tree this may pass the device "
            "tool's 64 MiB limit; build fewer models (--models) or shapes")
    if failed or bad_cpu:
        log(f"gpu-build: {len(failed)} failed to compile, {len(bad_cpu)} differ from "
            "PyTorch on the CPU (see above)")
        return 1
    return 0


# --------------------------------------------------------------------------
# check: there, with the GPU, python3's torch, numpy; no cnnc.
# --------------------------------------------------------------------------

class OutOfTime(Exception):
    pass


class Budget:
    """A hard deadline for the whole check. Each step asks before it starts
    whether its estimated cost still fits, keeping `reserve` seconds to write
    the results; estimates are the largest cost seen so far of that kind."""

    def __init__(self, seconds, reserve, guesses):
        self.start = STARTED
        self.deadline = self.start + seconds
        self.reserve = reserve
        self.seen = {k: [] for k in guesses}
        self.guesses = guesses

    def left(self):
        return self.deadline - time.monotonic()

    def elapsed(self):
        return time.monotonic() - self.start

    def estimate(self, kind):
        seen = self.seen[kind]
        return max(seen[-3:]) if seen else self.guesses[kind]

    def allows(self, kind):
        return self.left() - self.reserve >= self.estimate(kind)

    def record(self, kind, seconds):
        self.seen[kind].append(seconds)

    def limit(self):
        """Seconds a single step may still take before the reserve."""
        return max(1.0, self.left() - self.reserve)


class Results:
    """Everything measured, rewritten to disk after every step, so that a
    run killed at its limit still leaves its results."""

    def __init__(self, out, env):
        self.out = out
        self.env = env
        self.numerics, self.timings, self.skipped, self.errors = [], [], [], []
        self.training = []  # gpu_check_train's rows

    def error(self, what, exc):
        text = str(exc).strip() or type(exc).__name__
        self.errors.append(dict(what=what, error=text[-2000:]))
        log(f"  ERROR {what}: {text.splitlines()[-1] if text else ''}")

    def skip(self, what, why):
        self.skipped.append(dict(what=what, why=why))

    def write(self):
        self.env["elapsed_s"] = round(self.env["budget"].elapsed(), 1)
        data = dict(env={k: v for k, v in self.env.items() if k != "budget"},
                    numerics=self.numerics, timings=self.timings, training=self.training,
                    skipped=self.skipped,
                    errors=self.errors)
        self._atomic("results.json", json.dumps(data, indent=1, default=str))
        self._atomic("results.csv", self.csv())
        self._atomic("results.md", self.markdown())

    def _atomic(self, name, text):
        path = os.path.join(self.out, name)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)

    def cnnc_ms(self, t):
        for c in self.timings:
            if (c["peer"] == "cnnc" and c["ms"] is not None and c["model"] == t["model"]
                    and c["shape"] == t["shape"] and c["batch"] == t["batch"]):
                return c["ms"]
        return None

    def csv(self):
        """One row per measurement. Timings: ms_* with the batch already on
        the device (PyTorch only), io_ms_* with it copied in from host
        memory and the logits out (cnnc's bench; PyTorch measured both
        ways); the ratios are the peer's io_ms (or ms) over cnnc's."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["kind", "model", "shape", "batch", "peer", "precision", "io_ms_median",
                    "io_ms_min", "io_ms_max", "io_peer_over_cnnc", "ms_median", "ms_min",
                    "ms_max", "peer_over_cnnc", "runs", "compile_s", "rel_error_vs_torch_fp32",
                    "status", "note"])
        for n in self.numerics:
            w.writerow(["logits", n["model"], n["shape"], n["batch"], "cnnc", "fp32", "", "", "",
                        "", "", "", "", "", "", "", n["error"], n["status"], n.get("note", "")])

        def ratio(v, c):
            return None if v is None or not c else round(v / c, 4)
        for t in self.timings:
            c = self.cnnc_ms(t)
            cnnc = t["peer"] == "cnnc"
            w.writerow(["time", t["model"], t["shape"], t["batch"], t["peer"], t["precision"],
                        t.get("io_ms"), t.get("io_ms_min", t.get("ms_min") if cnnc else None),
                        t.get("io_ms_max", t.get("ms_max") if cnnc else None),
                        None if cnnc else ratio(t.get("io_ms"), c),
                        None if cnnc else t["ms"], None if cnnc else t.get("ms_min"),
                        None if cnnc else t.get("ms_max"),
                        None if cnnc else ratio(t["ms"], c), t.get("runs"), t.get("compile_s"),
                        t.get("error"), t["status"], t.get("note", "")])
        for row in gpu_check_train.csv_rows(self.training):
            w.writerow(row)
        return buf.getvalue()

    def markdown(self):
        env = self.env
        lines = [f"GPU check on {env.get('device_name', '?')}: {env.get('when', '')}; "
                 f"{env.get('versions', '')}; bundle {env.get('bundle_commit', '?')} "
                 f"(target {env.get('target', '?')}); {env['elapsed_s']:.0f} s of a "
                 f"{env.get('budget_s', 0):.0f} s budget.", "",
                 f"Command: `{env.get('command', '')}`", "",
                 ("GPU (nvidia-smi: name, driver, SM clock, max SM clock, temperature, "
                  f"load): {env['nvidia_smi']}; " if env.get("nvidia_smi") else "") +
                 f"CPU: {env.get('cpu', '?')}; the executables started with "
                 f"{env.get('executables_start_with', '?')}" +
                 (f"; `{first_exe_name(env)} info`: {env['cnnc_gpu']}" if env.get("cnnc_gpu") else "")
                 + ".", "",
                 f"PyTorch's defaults here: {env.get('torch_defaults', '?')}; \"fp32\" is both "
                 "`torch.backends.cudnn.allow_tf32` and `torch.backends.cuda.matmul.allow_tf32` "
                 "False.", ""]
        lines += ["### Eval logits against PyTorch (TF32 off)", "",
                  f"Error: max |x - torch fp32| / max(max |torch fp32|, 1); ok at <= {TOLERANCE}.",
                  "", "| model | shape | batch | cnnc | status | torch defaults | cnnc CPU (built here) |",
                  "|---|---|---:|---:|---|---:|---:|"]
        for n in self.numerics:
            lines.append(f"| {n['model']} | {n['shape']} | {n['batch']} | {fmt_err(n['error'])} | "
                         f"{n['status']} | {fmt_err(n.get('torch_defaults_error'))} | "
                         f"{fmt_err(n.get('cnnc_cpu_error'))} |")
        cols = [("cnnc", "fp32", "cnnc"), ("eager", "defaults", "eager"),
                ("eager", "fp32", "eager fp32"), ("compile", "defaults", "compile"),
                ("compile", "fp32", "compile fp32"), ("reduce-overhead", "defaults", "reduce-overhead"),
                ("reduce-overhead", "fp32", "reduce-overhead fp32")]
        rows = []
        for t in self.timings:
            key = (t["model"], t["shape"], t["batch"])
            if key not in rows:
                rows.append(key)

        def table(columns, field, ratios):
            out = ["| model | shape | batch | " + " | ".join(c[2] for c in columns) + " |",
                   "|---|---|---:|" + "---:|" * len(columns)]
            for key in rows:
                cells = []
                for peer, prec, _ in columns:
                    t = next((t for t in self.timings if (t["model"], t["shape"], t["batch"]) == key
                              and t["peer"] == peer and t["precision"] == prec), None)
                    if t is None:
                        cells.append("-")
                    elif t.get(field) is None:
                        cells.append(t["status"])
                    else:
                        c = self.cnnc_ms(t)
                        r = f" ({t[field] / c:.2f})" if ratios and c and peer != "cnnc" else ""
                        cells.append(f"{t[field]:.3f}{r}")
                out.append(f"| {key[0]} | {key[1]} | {key[2]} | " + " | ".join(cells) + " |")
            return out
        bench = " ".join(["bench", *env.get("device_flag", "").split()])
        lines += ["", "### Inference time (eval forward), ms per batch", "",
                  "Median wall-clock ms per call, synchronised each call. The same work as "
                  f"cnnc's `{bench}` (on the {env.get('cnnc_device') or '?'}): the batch copied "
                  "in from (pageable) host memory, the logits copied out. In brackets: that "
                  "peer's time over cnnc's (above 1: cnnc is faster). compile: "
                  "`torch.compile`; reduce-overhead: `torch.compile(mode=\"reduce-overhead\")` "
                  "(CUDA graphs).", ""] + table(cols, "io_ms", True)
        lines += ["", "PyTorch with the batch already on the device and the logits left "
                  "there (no copies; cnnc's bench always copies), ms per batch:", ""] + \
            table(cols[1:], "ms", False)
        worst = {}
        for t in self.timings:
            if t.get("error") is not None and t["peer"] != "cnnc":
                k = f"{t['peer']} {t['precision']}"
                worst[k] = max(worst.get(k, 0.0), t["error"])
        if worst:
            lines += ["", "The timed PyTorch calls' logits against PyTorch eager with TF32 off "
                      "(largest error over the rows; fp32 should stay under 1e-5): " +
                      ", ".join(f"{k} {fmt_err(v)}" for k, v in worst.items()) + "."]
        compiles = [t for t in self.timings if t.get("compile_s") is not None]
        if compiles:
            lines += ["", "torch.compile's first call (compile and warm-up), s: " + ", ".join(
                f"{t['model']}/{t['shape']}/{t['batch']} {t['peer']} {t['precision']} "
                f"{t['compile_s']:.1f}" for t in compiles) + "."]
        lines += gpu_check_train.markdown(self.training, fmt_err)
        if self.skipped:
            why = {}
            for s in self.skipped:
                kind = s["what"].rsplit(" ", 1)[0]  # the peer (and precision), not the row
                why.setdefault(s["why"], {}).setdefault(kind, 0)
                why[s["why"]][kind] += 1
            lines += ["", f"Skipped ({len(self.skipped)} steps; results.json lists them): " +
                      "; ".join(f"{w}: " + ", ".join(f"{k} x{n}" for k, n in kinds.items())
                                for w, kinds in why.items()) + "."]
        if self.errors:
            lines += ["", "Errors (whole in results.json):", ""] + [
                f"- {e['what']}: {short(e['error'])}" for e in self.errors]
        return "\n".join(lines) + "\n"


class Executables:
    """Runs the carried executables with the carried libraries: first with
    the machine's own glibc, else through the carried loader (a machine with
    an older glibc than Debian's)."""

    def __init__(self, bundle, device_flag):
        self.bundle = bundle
        lib = os.path.join(bundle, "lib")
        glibc = os.path.join(lib, "glibc")
        old = os.environ.get("LD_LIBRARY_PATH", "")
        self.env = dict(os.environ, LD_LIBRARY_PATH=lib + (":" + old if old else ""))
        # Never join an MPI job by accident (the runtime looks for these).
        for var in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"):
            self.env.pop(var, None)
        self.loader = [os.path.join(glibc, "ld-linux-x86-64.so.2"), "--library-path",
                       ":".join(p for p in (glibc, lib, old) if p)]
        self.prefix = []
        self.device_flag = device_flag
        self.info = ""

    def probe(self, exe):
        """Decides how to start the executables; returns a note."""
        direct = subprocess.run([exe, "info"], capture_output=True, text=True, env=self.env)
        if direct.returncode == 0:
            self.info = direct.stdout
            return "the machine's glibc"
        if os.path.exists(self.loader[0]):
            via = subprocess.run([*self.loader, exe, "info"], capture_output=True, text=True,
                                 env=self.env)
            if via.returncode == 0:
                self.info = via.stdout
                self.prefix = self.loader
                return ("the carried glibc's loader (the machine's glibc failed: "
                        f"{direct.stderr.strip().splitlines()[-1:]})")
        raise RuntimeError(f"the executables do not start here: {direct.stderr.strip()}")

    def supports_device(self, exe):
        out = subprocess.run([*self.prefix, exe, "infer", "--help"], capture_output=True,
                             text=True, env=self.env)
        return "--device" in out.stdout

    def run(self, exe, argv, timeout):
        cmd = [*self.prefix, exe, *argv]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, env=self.env,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            raise OutOfTime(f"{shlex.join(cmd)} ran past {timeout:.0f} s")
        if done.returncode != 0:
            raise RuntimeError(f"{os.path.basename(exe)} {argv[0]} failed (exit status "
                               f"{done.returncode}): "
                               f"{(done.stderr or done.stdout).strip() or 'no output'}"
                               f"\ncommand: {shlex.join(cmd)}")
        return done.stdout


class Torch:
    """PyTorch on the device: the lecture's modules from the carried
    weights, the precision switch, and the timed calls."""

    def __init__(self, device):
        import torch
        self.torch = torch
        self.device = device
        self.lec = lecture()
        b = torch.backends
        self.defaults = (b.cudnn.allow_tf32, b.cuda.matmul.allow_tf32)
        self.modules = {}

    def describe_defaults(self):
        t = self.torch
        text = (f"cudnn.allow_tf32={self.defaults[0]}, cuda.matmul.allow_tf32="
                f"{self.defaults[1]}, float32_matmul_precision={t.get_float32_matmul_precision()}")
        try:  # PyTorch 2.9's fp32_precision settings, where they exist
            b = t.backends
            text += (f" (fp32_precision: cudnn.conv {b.cudnn.conv.fp32_precision}, "
                     f"cuda.matmul {b.cuda.matmul.fp32_precision})")
        except (AttributeError, RuntimeError):
            pass
        return text

    def precision(self, name):
        b = self.torch.backends
        if name == "fp32":
            b.cudnn.allow_tf32 = False
            b.cuda.matmul.allow_tf32 = False
        else:
            b.cudnn.allow_tf32, b.cuda.matmul.allow_tf32 = self.defaults

    def sync(self):
        if self.device == "cuda":
            self.torch.cuda.synchronize()

    def module(self, bundle, entry):
        """The lecture's class with the carried weights, eval mode, on the
        device (cached per class and shape)."""
        key = (entry["torch_class"], entry["shape"])
        if key not in self.modules:
            t = self.torch
            net = self.lec.MODELS[entry["torch_class"]](**SHAPES[entry["shape"]])
            kept = set(self.lec.unique_state_dict(net))
            state = {k: t.from_numpy(v.copy()) for k, v in
                     st_read(os.path.join(bundle, entry["weights"]))[1].items()}
            missing, unexpected = net.load_state_dict(state, strict=False)
            # Only a shared block's aliases may be missing: they are the kept
            # names' tensors.
            if unexpected or set(missing) & kept:
                raise RuntimeError(f"weights do not fit {entry['torch_class']}: missing "
                                   f"{sorted(set(missing) & kept)}, unexpected {unexpected}")
            self.modules[key] = net.to(self.device).eval()
        return self.modules[key]

    def forward(self, fn, x):
        with self.torch.no_grad():
            out = fn(x)
            self.sync()
        return out

    def time(self, fn, x, runs, warmup, cap_s, mark_step=False, host=None):
        """Median, min and max ms per call over up to `runs` calls (fewer
        past cap_s, at least 10), each synchronised: what `bench` reports.
        With `host` (the batch in pageable host memory), each call copies it
        in and the logits out, as cnnc's `bench --device cuda` does."""
        t = self.torch
        step = getattr(getattr(t, "compiler", None), "cudagraph_mark_step_begin", None)
        step = step if (mark_step and step) else (lambda: None)
        call = (lambda: fn(x)) if host is None else (lambda: fn(host.to(self.device)).cpu())
        ms = []
        with t.no_grad():
            for _ in range(warmup):
                step()
                call()
            self.sync()
            stop = time.perf_counter() + cap_s
            for _ in range(runs):
                t0 = time.perf_counter()
                step()
                call()
                self.sync()
                ms.append((time.perf_counter() - t0) * 1e3)
                if len(ms) >= 10 and time.perf_counter() > stop:
                    break
        return (round(float(np.median(ms)), 5), round(float(min(ms)), 5),
                round(float(max(ms)), 5), len(ms))

    def measure(self, row, fn, x, host, args, mark_step=False):
        """Both timings of a PyTorch peer into its row: inputs on the device
        (ms) and from/to host memory (io_ms, the work cnnc's bench does)."""
        med, lo, hi, runs = self.time(fn, x, args.runs, args.warmup, args.cap, mark_step)
        row.update(ms=med, ms_min=lo, ms_max=hi, runs=runs)
        med, lo, hi, runs = self.time(fn, x, args.runs, args.warmup, args.cap, mark_step, host)
        row.update(io_ms=med, io_ms_min=lo, io_ms_max=hi, io_runs=runs, status="ok")


def versions(torch, device):
    v = [f"torch {torch.__version__}", f"python {sys.version.split()[0]}",
         f"numpy {np.__version__}"]
    if device == "cuda":
        v += [f"CUDA {torch.version.cuda}", f"cuDNN {torch.backends.cudnn.version()}"]
    try:
        import triton
        v.append(f"triton {triton.__version__}")
    except ImportError:
        pass
    return ", ".join(v)


def machine_notes(device):
    notes = {}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                notes["cpu"] = f"{line.split(':', 1)[1].strip()} x{os.cpu_count()}"
                break
    except OSError:
        pass
    if device == "cuda" and shutil.which("nvidia-smi"):
        q = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,clocks.sm,"
                            "clocks.max.sm,temperature.gpu,utilization.gpu",
                            "--format=csv,noheader"], capture_output=True, text=True)
        notes["nvidia_smi"] = q.stdout.strip() or q.stderr.strip()
    return notes


def check(args):
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    bundle = os.path.abspath(args.bundle)
    device = "cpu" if args.cpu else "cuda"
    budget = Budget(args.budget, args.reserve,
                    dict(exe=20.0, torch=10.0, compile=60.0, epoch=30.0))
    work = args.workdir
    os.makedirs(work, exist_ok=True)
    # The wrapper passes what its caller gave it (it adds --out itself).
    given = os.environ.get("GPU_CHECK_ARGS", shlex.join(sys.argv[2:]))
    env = dict(budget=budget, budget_s=args.budget, device=device,
               command=f"scripts/gpu-check.sh {given}".strip(),
        when=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    results = Results(out, env)

    # A SIGTERM (the wrapper's timeout) ends the run with the results written.
    def stop(signum, _frame):
        raise OutOfTime(f"stopped by signal {signum}")
    signal.signal(signal.SIGTERM, stop)

    try:
        return run_check(args, bundle, device, budget, work, env, results)
    except OutOfTime as e:
        results.error("run", e)
        return 3
    except SystemExit as e:  # a reason the check cannot run here, into the results too
        if isinstance(e.code, str):
            results.error("run", e.code)
            return 2
        raise
    finally:
        results.write()
        log(f"gpu-check: results in {out} (results.md, results.csv, results.json) "
            f"after {budget.elapsed():.0f} s")


def run_check(args, bundle, device, budget, work, env, results):
    try:
        manifest = json.load(open(os.path.join(bundle, "manifest.json")))
    except OSError as e:
        raise SystemExit(f"gpu-check: no bundle at {bundle} ({e}); make it with "
                         "scripts/gpu-build.sh and carry it (docs/gpu-check.md)")
    env.update(bundle_commit=manifest["commit"], target=manifest["target"],
               bundle_created=manifest["created"])
    import torch
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("gpu-check: PyTorch sees no CUDA device here; on a machine "
                         "without a GPU run the dry run, scripts/gpu-check.sh --cpu")
    env["versions"] = versions(torch, device)
    env["device_name"] = torch.cuda.get_device_name(0) if device == "cuda" else "the CPU (dry run)"
    env.update(machine_notes(device))
    tc = Torch(device)
    env["torch_defaults"] = tc.describe_defaults()
    log(f"gpu-check: {env['device_name']}; {env['versions']}; bundle {manifest['commit']} "
        f"(target {manifest['target']}); budget {args.budget:.0f} s")

    models = set(args.models.split(",")) if args.models else None
    shapes = args.shapes.split(",")
    batches = [int(b) for b in args.batches.split(",")]
    entries = [e for e in manifest["entries"]
               if (models is None or e["model"] in models) and e["shape"] in shapes]
    if not entries:
        raise SystemExit("gpu-check: no executable in the bundle matches --models/--shapes")

    # How the executables start, and with which device.
    exes = Executables(bundle, [])
    first = next((e for e in entries if not e["build_error"]), None)
    cnnc_device = None
    if first:
        try:
            env["first_exe"] = os.path.basename(first["exe"])
            env["executables_start_with"] = exes.probe(os.path.join(bundle, first["exe"]))
            has_flag = exes.supports_device(os.path.join(bundle, first["exe"]))
            # `info`'s GPU lines: the code it carries, and what the runtime
            # found here (driver, device) or why not.
            env["cnnc_gpu"] = "; ".join(line.strip() for line in exes.info.splitlines()
                                        if line.startswith(("gpu:", "this machine's GPU:")))
            if manifest["target"] == "cuda" and device == "cuda":
                cnnc_device = "cuda"
                exes.device_flag = ["--device", "cuda"]
            else:
                cnnc_device = "cpu"
                exes.device_flag = ["--device", "cpu"] if has_flag else []
        except Exception as e:  # noqa: BLE001 - recorded; the torch side goes on
            results.error("starting the executables", e)
            first = None
    env["device_flag"] = " ".join(exes.device_flag)
    env["cnnc_device"] = cnnc_device
    if cnnc_device == "cpu" and device == "cuda":
        log("NOTE: the bundle has no CUDA code (built before --target=cuda existed): "
            "cnnc runs on the CPU; its timings are not comparable with the GPU's")
    results.write()

    inputs = {}

    def batch_input(shape, n):
        """The carried batch of 64, or a batch of n drawn here (its reference
        is computed here too, so it need not match anything built there)."""
        key = (shape, n)
        if key not in inputs:
            carried = os.path.join(bundle, f"data/input-{shape}.safetensors")
            x = st_read(carried)[1]["input"]
            path = carried
            if x.shape[0] != n:
                s = SHAPES[shape]
                x = np.random.default_rng(INPUT_SEED + n).standard_normal(
                    (n, s["in_chans"], s["side"], s["side"]), dtype=np.float32)
                path = os.path.join(work, f"input-{shape}-{n}.safetensors")
                st_write(path, [("input", x)])
            host = torch.from_numpy(np.array(x))  # pageable, as cnnc's bench buffer
            inputs[key] = (path, host.to(device), host)
        return inputs[key]

    refs = {}

    def reference(entry, n, precision="fp32"):
        key = (entry["torch_class"], entry["shape"], n, precision)
        if key not in refs:
            tc.precision(precision)
            try:
                refs[key] = tc.forward(tc.module(bundle, entry), batch_input(entry["shape"], n)[1]
                                       ).float().cpu().numpy()
            finally:
                tc.precision("defaults")
        return refs[key]

    if not args.no_compile and hasattr(torch, "compile"):
        # inductor's compile workers start while phase 1 runs (no timing
        # then), not inside the first timed compile.
        try:
            from torch._inductor.async_compile import AsyncCompile
            AsyncCompile.warm_pool()
        except Exception as x:  # noqa: BLE001 - only a head start
            log(f"  (inductor's worker pool did not warm up early: {x})")

    # Phase 1: eval logits, every model and shape, both batch sizes. The
    # references first (PyTorch, in this process), then the executables,
    # several at a time: each pays its process start, CUDA context and
    # module load, and their results do not depend on what else runs.
    log("== logits: cnnc against PyTorch with TF32 off")
    pending = []
    pool = ThreadPoolExecutor(max(1, args.jobs))
    for e in entries:
        for n in batches:
            what = f"logits {e['model']}/{e['shape']}/{n}"
            row = dict(model=e["model"], shape=e["shape"], batch=n, error=None, status="error")
            results.numerics.append(row)
            if e["build_error"]:
                row["status"] = "not built"
                row["note"] = e["build_error"].splitlines()[0][:200]
                continue
            if first is None:
                row["status"] = "not run"
                continue
            if not budget.allows("exe"):
                row["status"] = "skipped"
                results.skip(what, "time budget")
                continue
            try:
                want = reference(e, n)
                row["torch_defaults_error"] = rel_error(reference(e, n, "defaults"), want)
                path = batch_input(e["shape"], n)[0]
                got_path = os.path.join(work, f"logits-{e['model']}-{e['shape']}-{n}.safetensors")
                argv = ["infer", *exes.device_flag, "--load", os.path.join(bundle, e["weights"]),
                        "--input", path, "--output", got_path, "--batch-size", str(n)]
                job = pool.submit(exes.run, os.path.join(bundle, e["exe"]), argv,
                                  min(120, budget.limit()))
                pending.append((e, n, row, want, got_path, job))
            except Exception as x:  # noqa: BLE001 - one model's failure is recorded
                results.error(what, x)
    carried_batch = manifest["batch"]
    for e, n, row, want, got_path, job in pending:
        what = f"logits {e['model']}/{e['shape']}/{n}"
        try:
            job.result()
            got = st_read(got_path)[1]["logits"]
            row["error"] = rel_error(got, want)
            row["status"] = "ok" if row["error"] <= TOLERANCE else "MISMATCH"
            if e.get("ref") and n == carried_batch:
                cpu = st_read(os.path.join(bundle, e["ref"]))[1]
                if "cnnc_cpu" in cpu:
                    row["cnnc_cpu_error"] = rel_error(got, cpu["cnnc_cpu"])
                row["torch_cpu_error"] = rel_error(cpu["torch_cpu"], want)
            log(f"  {e['model']:24s} {e['shape']:7s} {n:5d}: {fmt_err(row['error'])} "
                f"{row['status']} (torch defaults {fmt_err(row['torch_defaults_error'])})")
        except OutOfTime as x:
            row["status"] = "timeout"
            results.error(what, x)
        except Exception as x:  # noqa: BLE001
            results.error(what, x)
    pool.shutdown(wait=False)
    results.write()

    # Training, most telling first: the step's numerics, the masks and
    # repeatability, then its time against eager (torch.compile's comes
    # after the inference timings, the full experiment's estimate between).
    built = [e for e in entries if not e["build_error"]]
    train = None
    if first is not None and not args.no_train:
        def step_flag(dev):
            return ["--device", dev] if supports_device(os.path.join(bundle, first["exe"]),
                                                        "train-step", exes) else []
        train = gpu_check_train.Train(argparse.Namespace(
            results=results, bundle=bundle, work=work, budget=budget, tc=tc, exes=exes,
            pool=ThreadPoolExecutor(max(1, args.jobs)), st_read=st_read, log=log,
            order=TIMING_ORDER, with_alarm=with_alarm, OutOfTime=OutOfTime,
            cpu_flag=step_flag("cpu"), train_flag=step_flag(cnnc_device or "cpu")))
        env["train_flag"] = " ".join(train.c.train_flag)
        log("== training: train-step against PyTorch with TF32 off, masks, repeatability")
        train.numerics(built)
        train.masks(built)
        log("== training time: cnnc bench --train and PyTorch eager, batch 64")
        train.times([e for e in built if e["timed"]], args, ["cnnc", "eager"])

    timed = sorted((e for e in entries if e["timed"] and not e["build_error"]),
                   key=lambda e: (TIMING_ORDER.index(e["model"]) if e["model"] in TIMING_ORDER
                                  else len(TIMING_ORDER), list(SHAPES).index(e["shape"])))

    def timing(e, n, peer, precision, **extra):
        row = dict(model=e["model"], shape=e["shape"], batch=n, peer=peer,
                   precision=precision, ms=None, status="error", **extra)
        results.timings.append(row)
        return row

    # Phase 2: cnnc's bench and PyTorch eager, every timed model.
    log("== time: cnnc bench and PyTorch eager")
    for e in timed:
        for n in batches:
            tag = f"{e['model']}/{e['shape']}/{n}"
            row = timing(e, n, "cnnc", "fp32", device=cnnc_device)
            if first is None:
                row["status"] = "not run"
            elif not budget.allows("exe"):
                row["status"] = "skipped"
                results.skip(f"cnnc {tag}", "time budget")
            else:
                try:
                    t0 = time.monotonic()
                    text = exes.run(os.path.join(bundle, e["exe"]),
                                    ["bench", *exes.device_flag, "--load",
                                     os.path.join(bundle, e["weights"]), "--batch-size", str(n),
                                     "--runs", str(args.runs), "--warmup", str(args.warmup)],
                                    timeout=min(120, budget.limit()))
                    budget.record("exe", time.monotonic() - t0)
                    m = MEDIAN_RE.search(text)
                    if not m:
                        raise RuntimeError(f"bench printed no 'ms per batch' line: {text.strip()}")
                    row.update(ms=float(m.group(1)), ms_min=float(m.group(2)),
                               ms_max=float(m.group(3)), runs=args.runs, status="ok",
                               io_ms=float(m.group(1)),  # bench copies in and out
                               output=text.strip()[-1000:])
                except Exception as x:  # noqa: BLE001
                    row["status"] = "timeout" if isinstance(x, OutOfTime) else "error"
                    results.error(f"cnnc bench {tag}", x)
            for precision in ("defaults", "fp32"):
                row = timing(e, n, "eager", precision)
                if not budget.allows("torch"):
                    row["status"] = "skipped"
                    results.skip(f"eager {precision} {tag}", "time budget")
                    continue
                try:
                    t0 = time.monotonic()
                    tc.precision(precision)
                    net = tc.module(bundle, e)
                    _, x, host = batch_input(e["shape"], n)
                    row["error"] = rel_error(tc.forward(net, x).float().cpu().numpy(),
                                             reference(e, n))
                    tc.precision(precision)  # reference() restores the defaults
                    tc.measure(row, net, x, host, args)
                    budget.record("torch", time.monotonic() - t0)
                except Exception as x:  # noqa: BLE001
                    results.error(f"eager {precision} {tag}", x)
                finally:
                    tc.precision("defaults")
            c = next((t["ms"] for t in results.timings if t["peer"] == "cnnc" and
                      (t["model"], t["shape"], t["batch"]) == (e["model"], e["shape"], n)), None)
            eager = [t.get("io_ms") for t in results.timings[-2:]]
            log(f"  {tag:28s} cnnc {c if c is None else round(c, 4)} ms, eager (host in/out) "
                f"{[None if v is None else round(v, 4) for v in eager]} ms")
            results.write()

    if train is not None:
        log("== training: one epoch per model, the full experiment's time")
        train.epochs(built, args)
        if not args.no_compile and hasattr(torch, "compile"):
            log("== training time: torch.compile (default and reduce-overhead)")
            train.times([e for e in built if e["timed"]], args, ["compile", "reduce-overhead"])

    # Phase 3: torch.compile, both modes and precisions, model by model in
    # TIMING_ORDER until the budget runs out. Each compile starts from a
    # reset dynamo (no reuse across shapes, modes or precisions: a CUDA
    # graph keeps the kernels it was recorded with); inductor's on-disk
    # cache (TORCHINDUCTOR_CACHE_DIR) makes repeats and reruns cheaper.
    modes = ["compile", "reduce-overhead"]
    if args.no_compile:
        for e in timed:
            results.skip(f"torch.compile {e['model']}/{e['shape']}", "--no-compile")
        modes = []
    if modes and not hasattr(torch, "compile"):
        for e in timed:
            results.skip(f"torch.compile {e['model']}/{e['shape']}",
                         f"torch {torch.__version__} has no torch.compile")
        modes = []
    if modes:
        log("== time: torch.compile (default and reduce-overhead), defaults and fp32")
    for e in timed if modes else []:
        for n in batches:
            tag = f"{e['model']}/{e['shape']}/{n}"
            for mode in modes:
                for precision in ("defaults", "fp32"):
                    row = timing(e, n, mode, precision, compile_s=None)
                    if not budget.allows("compile"):
                        row["status"] = "skipped"
                        results.skip(f"{mode} {precision} {tag}", "time budget")
                        continue
                    try:
                        t0 = time.monotonic()
                        tc.precision(precision)
                        torch._dynamo.reset()
                        kw = dict(dynamic=False)
                        if mode == "reduce-overhead":
                            kw["mode"] = "reduce-overhead"
                        fn = torch.compile(tc.module(bundle, e), **kw)
                        _, x, host = batch_input(e["shape"], n)
                        # The first call compiles; reduce-overhead records its
                        # CUDA graph on a later one: three calls of warm-up.
                        with_alarm(budget.limit(), lambda: tc.forward(fn, x))
                        row["compile_s"] = round(time.monotonic() - t0, 2)
                        tc.forward(fn, x)
                        got = tc.forward(fn, x).float().cpu().numpy()
                        row["error"] = rel_error(got, reference(e, n))
                        tc.precision(precision)
                        tc.measure(row, fn, x, host, args, mark_step=mode == "reduce-overhead")
                        budget.record("compile", time.monotonic() - t0)
                        log(f"  {tag:28s} {mode:15s} {precision:8s} {row['io_ms']:.4f} ms "
                            f"(on-device {row['ms']:.4f} ms; "
                            f"first call {row['compile_s']:.1f} s, error {fmt_err(row['error'])})")
                    except Exception as x:  # noqa: BLE001
                        row["status"] = "timeout" if isinstance(x, OutOfTime) else "error"
                        results.error(f"{mode} {precision} {tag}", x)
                        budget.record("compile", time.monotonic() - t0)
                    finally:
                        tc.precision("defaults")
                    results.write()
    failed = [n for n in results.numerics if n["status"] not in ("ok", "skipped")]
    log(f"gpu-check: logits {sum(n['status'] == 'ok' for n in results.numerics)} ok, "
        f"{len(failed)} not ok, {len(results.skipped)} steps skipped, "
        f"{len(results.errors)} errors")
    return 1 if failed or results.errors else 0


def with_alarm(seconds, fn):
    """fn() or OutOfTime after `seconds`: a compile that would eat the
    reserve kept for writing the results is abandoned."""
    def ring(_signum, _frame):
        raise OutOfTime(f"past {seconds:.0f} s")
    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------
# publish: here, into bench/RESULTS.md.
# --------------------------------------------------------------------------

def publish(args):
    text = open(args.results_md).read().rstrip()
    section = (f"{SECTION_BEGIN}\n## On the GPU: cnnc against PyTorch on an NVIDIA H200\n\n"
               f"{text}\n{SECTION_END}\n")
    old = open(args.into).read() if os.path.exists(args.into) else ""
    if SECTION_BEGIN in old and SECTION_END in old:
        before, rest = old.split(SECTION_BEGIN, 1)
        new = before + section + rest.split(SECTION_END, 1)[1].lstrip("\n")
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + section
    with open(args.into + ".tmp", "w") as f:
        f.write(new)
    os.replace(args.into + ".tmp", args.into)
    log(f"gpu-check: {args.results_md} is now {args.into}'s GPU section")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="here: compile, bundle, references")
    b.add_argument("--cnnc", default=os.path.join(ROOT, "build", "bin", "cnnc"))
    b.add_argument("--out", default=os.path.join(ROOT, "build-gpu-check"))
    b.add_argument("--models", default="", help="models/*.cnn stems (default: all)")
    b.add_argument("--shapes", default="fmnist,cifar2")
    b.add_argument("--cpu", action="store_true", help="CPU-only executables (dry run)")
    b.add_argument("--require-cuda", action="store_true",
                   help="fail instead of building CPU-only when cnnc lacks --target=cuda")
    b.add_argument("--gpu-arch", default="sm_90")
    b.add_argument("--mcpu", default="x86-64-v3",
                   help="the host code's CPU: not this machine's, the GPU machine's is unknown")
    b.add_argument("--batch", type=int, default=64, help="samples in the carried batches")
    b.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    c = sub.add_parser("check", help="there: logits and timings against PyTorch")
    c.add_argument("--bundle", default=os.path.join(ROOT, "build-gpu-check"))
    c.add_argument("--out", default=os.environ.get("OUT") or os.path.join(
        ROOT, "build-gpu-check-results"))
    c.add_argument("--workdir", default="/tmp/cnnc-gpu-check/work",
                   help="scratch (not --out: the device tool returns 8 files at most)")
    c.add_argument("--cpu", action="store_true", help="dry run: PyTorch and cnnc on the CPU")
    c.add_argument("--budget", type=float, default=440.0,
                   help="seconds for the whole check, results written (default 440)")
    c.add_argument("--reserve", type=float, default=15.0,
                   help="seconds kept back for writing the results")
    c.add_argument("--models", default="", help="model stems (default: the bundle's)")
    c.add_argument("--shapes", default="fmnist,cifar2")
    c.add_argument("--batches", default="64,1024")
    c.add_argument("--runs", type=int, default=50, help="timed inference calls (default 50)")
    c.add_argument("--train-runs", type=int, default=50, help="timed training steps (default 50)")
    c.add_argument("--train-images", type=int, default=60000,
                   help="images of the one timed training epoch per model (default 60000)")
    c.add_argument("--no-train", action="store_true", help="skip the training checks")
    c.add_argument("--warmup", type=int, default=20)
    c.add_argument("--jobs", type=int, default=4,
                   help="executables checking logits at once (not while timing)")
    c.add_argument("--cap", type=float, default=2.0,
                   help="seconds of timed calls per measurement at most (PyTorch)")
    c.add_argument("--no-compile", action="store_true", help="skip torch.compile")
    p = sub.add_parser("publish", help="here: results.md into bench/RESULTS.md")
    p.add_argument("results_md")
    p.add_argument("--into", default=os.path.join(BENCH, "RESULTS.md"))
    args = ap.parse_args()
    return {"build": build, "check": check, "publish": publish}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
