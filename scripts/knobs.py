#!/usr/bin/env python3
"""Comparing design knobs: the lecture's experiment as cnnc's main job.

Compiles every model variant in models/ with cnnc, trains each on the same
data with the same seed, epochs and batch size (learning rate, momentum and
penalties stay each model's own: they are the knob), and prints a table of
parameters, train and validation accuracy, their gap, training time and
throughput. Writes knobs.csv, knobs.svg (train vs validation accuracy),
knobs-curves.svg (validation accuracy per epoch, every knob) and report.html
(all of it on one self-contained page, with each knob's train and validation
accuracy and loss per epoch: knobs_report.py).

By default it trains on a subset so that it finishes in minutes; --full runs
the lecture's experiment (all data, each model's own epochs: hours).

Interrupted? Rerun the same command: finished models are reused, an
interrupted one continues from its last epoch checkpoint. Only the standard
library is used, so any python3 runs it.

Across ranks: `--ranks N` (`--hosts H1,H2`, `--hostfile F`) starts the sweep
under Open MPI's mpirun, or run `mpirun -np N python3 scripts/knobs.py ...`
yourself. Each rank trains its share of the models (whole models, each on
one rank) into the shared output folder; rank 0 gathers their results into
the one table, CSV and charts.
"""

import argparse
import csv
import hashlib
import html
import io
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import knobs_report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The lecture's order: a baseline, then one knob turned per model.
KNOBS = [
    ("net", "baseline"),
    ("net_width", "width"),
    ("net_width_l2", "L2 penalty"),
    ("net_width_l1", "L1 penalty"),
    ("net_width_weight_decay", "weight decay"),
    ("net_dropout", "dropout"),
    ("net_batchnorm", "batchnorm"),
    ("net_depth", "depth"),
    ("net_res", "residual"),
    ("net_res_deep", "deep residual"),
    ("net_res_deep_distinct", "deep residual (distinct blocks)"),
]

# Training and validation split sizes (per class for CIFAR-10), for the
# time estimates and the title; the trainer reports the real counts.
SPLITS = {"fashion-mnist": (60000, 10000, 10), "cifar10": (5000, 1000, 10)}
# The default subset: minutes on 2 cores. Fewer images for more epochs (at the
# same cost) lets the train/validation gap the knobs are about show.
DEFAULT_LIMIT = 4096
DEFAULT_EPOCHS = 6


class Failure(Exception):
    """An error to report as 'knobs: error: ...' with a non-zero exit."""


# ---------------------------------------------------------------- settings

def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} is not positive")
    return value


def parse_args(argv, ranks):
    p = argparse.ArgumentParser(
        prog="knobs.py",
        description="Compile every model variant in models/, train each with "
                    "the same seed, epochs and batch size, and compare them.",
        epilog=f"Defaults train on the first {DEFAULT_LIMIT} images of each "
               f"split for {DEFAULT_EPOCHS} epochs (minutes); --full is the "
               "lecture's experiment (hours).")
    p.add_argument("--out", help="output folder (default: build/knobs)")
    p.add_argument("--cnnc", help="the cnnc compiler (default: build/bin/cnnc)")
    p.add_argument("--models", help="folder of the model files (default: models)")
    p.add_argument("--knobs", help="comma-separated knob names or model file "
                   "stems to run (default: all)")
    p.add_argument("--full", action="store_true",
                   help="all data and each model's own epochs from its "
                   "train { } section (the lecture: 100)")
    p.add_argument("--limit", type=positive_int,
                   help=f"use the first N images of each split (default "
                   f"{DEFAULT_LIMIT}, none with --full)")
    p.add_argument("--epochs", type=positive_int,
                   help=f"epochs (default {DEFAULT_EPOCHS}; with --full each "
                   "model's own)")
    p.add_argument("--batch-size", type=positive_int, default=64,
                   help="samples per step (default 64, the lecture's)")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument("--threads", type=positive_int,
                   help="threads per training (default: the trainer's, all "
                   "cores; on several ranks OMP_NUM_THREADS or 1)")
    p.add_argument("--ranks", type=positive_int,
                   help="spread the models over N processes: runs this "
                   "command under mpirun -np N (Open MPI)")
    p.add_argument("--hosts", help="comma-separated hosts for the ranks "
                   "(mpirun --host); the output folder must be shared")
    p.add_argument("--hostfile", help="an Open MPI hostfile for the ranks "
                   "(mpirun --hostfile); the output folder must be shared")
    p.add_argument("--data", choices=sorted(SPLITS), default="fashion-mnist",
                   help="data set (default fashion-mnist)")
    p.add_argument("--data-dir", help="folder of the data set's files")
    p.add_argument("--cifar10", metavar="DIR",
                   help="CIFAR-10 binary batches in DIR: the lecture's "
                   "CIFAR-2 (same as --data cifar10 --data-dir DIR)")
    p.add_argument("--classes", help="classes to keep, e.g. airplane,bird or "
                   "0,2 (cifar10 default: airplane,bird)")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                   help="where the models train: cuda compiles them with "
                   "--target=cuda and trains with --device cuda (default cpu)")
    p.add_argument("--cnnc-arg", action="append", default=[], metavar="ARG",
                   help="an extra cnnc flag for every model (repeatable; the "
                   "tests' fake CUDA driver needs --gpu-host-kernels)")
    args = p.parse_args(argv)
    if args.cifar10:
        if args.data_dir and args.data_dir != args.cifar10:
            p.error("--cifar10 DIR and --data-dir name two folders")
        args.data, args.data_dir = "cifar10", args.cifar10
    if args.data == "cifar10" and not args.data_dir:
        p.error("--data cifar10 needs the folder of the binary batches: "
                "--cifar10 DIR")
    if args.data == "cifar10" and not args.classes:
        args.classes = "airplane,bird"
    if args.data_dir:
        if not os.path.isdir(args.data_dir):
            p.error(f"no data folder '{args.data_dir}'")
        args.data_dir = os.path.abspath(args.data_dir)
    if ranks.launched and args.ranks and args.ranks != ranks.size:
        p.error(f"--ranks {args.ranks} under an mpirun of {ranks.size} ranks: "
                "leave --ranks out under mpirun (its -np says how many)")
    if args.hostfile and not os.path.isfile(args.hostfile):
        p.error(f"no hostfile '{args.hostfile}'")
    if args.threads is None and ranks.size > 1:
        # Several trainings share each host: one thread each unless told.
        # The same on every rank, so that they agree on the settings.
        omp = os.environ.get("OMP_NUM_THREADS", "")
        args.threads = int(omp) if omp.isdigit() and int(omp) > 0 else 1
    if args.limit is None and not args.full:
        args.limit = DEFAULT_LIMIT
    if args.epochs is None and not args.full:
        args.epochs = DEFAULT_EPOCHS
    args.out = os.path.abspath(args.out or os.path.join(ROOT, "build", "knobs"))
    args.cnnc = os.path.abspath(args.cnnc or os.path.join(ROOT, "build", "bin", "cnnc"))
    args.models = os.path.abspath(args.models or os.path.join(ROOT, "models"))
    if not os.path.isdir(args.models):
        p.error(f"no model folder '{args.models}'")
    return args


def class_count(args):
    """The number of classes the models must be compiled for."""
    if not args.classes or args.classes == "all":
        return SPLITS[args.data][2]
    return len(args.classes.split(","))


def defines(args):
    """cnnc -D flags giving the models the data set's shape."""
    d = []
    if args.data == "cifar10":
        d += ["in_chans=3", "side=32"]
    if args.data == "cifar10" or class_count(args) != SPLITS[args.data][2]:
        d += [f"n_classes={class_count(args)}"]
    return d


def run_settings(args):
    """Everything that decides a model's numbers: results are keyed by it."""
    settings = {"data": args.data, "data_dir": args.data_dir,
                "classes": args.classes, "limit": args.limit,
                "epochs": args.epochs, "batch_size": args.batch_size,
                "seed": args.seed, "threads": args.threads,
                "defines": defines(args)}
    # Only a GPU run names its device: the CPU's settings, and so its run
    # folders and finished results, stay what they were before --device.
    if args.device != "cpu":
        settings["device"] = args.device
    return settings


def compile_flags(args):
    """cnnc's flags beyond the model's -D parameters."""
    return (["--target=cuda"] if args.device == "cuda" else []) + args.cnnc_arg


def settings_key(settings):
    """A folder name: readable, plus a hash of all the settings."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    s = settings
    return (f"{s['data']}-limit{s['limit'] or 'all'}-epochs{s['epochs'] or 'own'}"
            f"-batch{s['batch_size']}-seed{s['seed']}-threads{s['threads'] or 'all'}"
            f"-{digest.hexdigest()[:8]}")


# ---------------------------------------------------------------- models

def normalise(name):
    return re.sub(r"[\s_-]+", " ", name.strip().lower())


def find_models(models_dir):
    """(stem, knob, path) of every model file, the lecture's order first."""
    stems = sorted(f[:-4] for f in os.listdir(models_dir) if f.endswith(".cnn"))
    if not stems:
        raise Failure(f"no model files (*.cnn) in {models_dir}")
    known = dict(KNOBS)
    ordered = [s for s, _ in KNOBS if s in stems] + [s for s in stems if s not in known]
    return [(s, known.get(s, s), os.path.join(models_dir, s + ".cnn")) for s in ordered]


def select(models, spec):
    """The models named by --knobs (knob names or file stems), in table order."""
    if not spec:
        return models
    wanted = [normalise(w) for w in spec.split(",") if w.strip()]
    if not wanted:
        raise Failure("--knobs names no knob")
    names = {}
    for m in models:
        names[normalise(m[0])] = m
        names[normalise(m[1])] = m
    unknown = [w for w in wanted if w not in names]
    if unknown:
        choices = ", ".join(f"{k} ({s})" for s, k, _ in models)
        raise Failure(f"unknown knob {', '.join(map(repr, unknown))}; the knobs "
                      f"are: {choices}")
    chosen = {names[w][0] for w in wanted}
    return [m for m in models if m[0] in chosen]


def run_tool(cmd, what):
    """Runs a command to completion; a failure shows its stderr."""
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure(f"{what} failed (exit {r.returncode}):\n  $ "
                      f"{' '.join(cmd)}\n{r.stderr.rstrip() or r.stdout.rstrip()}")
    return r.stdout


def summarise(cnnc, path, defs):
    """Parameters, FLOPs, op count and train { } epochs from --emit=summary:
    quick, and it rejects a broken model before any long work starts."""
    cmd = [cnnc, path, "--emit=summary"] + [f"-D{d}" for d in defs]
    text = run_tool(cmd, f"cnnc on {os.path.basename(path)}")

    def number(pattern):
        m = re.search(pattern, text)
        if not m:
            raise Failure(f"cannot read /{pattern}/ from cnnc's summary of "
                          f"{path}:\n{text}")
        return int(m.group(1).replace(",", ""))

    ops = re.search(r"^\s*ops\s+(.*)$", text, re.MULTILINE)
    return {"parameters": number(r"parameters ([0-9,]+)"),
            "flops": number(r"flops\s+([0-9,]+)"),
            "epochs": number(r"epochs (\d+)"),
            # Compile time grows with the ops to lower: an estimate's unit.
            "ops": sum(int(n) for n in re.findall(r"x(\d+)", ops.group(1))) if ops else 10}


def compile_inputs(path, defs, flags=()):
    """What an executable is compiled from, recorded beside it (the flags
    only when there are any: a CPU build's record is what it always was)."""
    inputs = {"model": path, "defines": defs}
    if flags:
        inputs["flags"] = list(flags)
    return json.dumps(inputs)


def needs_compile(exe, path, defs, cnnc, flags=()):
    """An executable is reused if it was compiled from this model file with
    these flags, and is newer than the model file and cnnc."""
    try:
        with open(exe + ".inputs") as f:
            same = f.read() == compile_inputs(path, defs, flags)
        built = os.path.getmtime(exe)
    except OSError:
        return True
    return not same or any(os.path.getmtime(s) >= built for s in (path, cnnc))


def stamp(path):
    """Identifies one build of an executable: results from another build are stale."""
    st = os.stat(path)
    return f"{st.st_mtime_ns}:{st.st_size}"


# ---------------------------------------------------------------- progress

def plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def clock(seconds):
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class Estimate:
    """Time left for the whole run. Compile work is counted in model ops,
    training work in forward-FLOP-equivalents; the seconds per unit of each
    are measured as the run goes (a rough prior until then)."""

    PRIOR = {"compile": 1.0, "train": 4e-11}  # s per op, s per unit: one thread

    def __init__(self):
        self.start = time.monotonic()
        self.todo = {}                    # (phase, stem) -> units planned
        self.current = None               # (phase, stem, units done, seconds)
        self.measured = {"compile": [0.0, 0.0], "train": [0.0, 0.0]}  # s, units

    def plan(self, phase, stem, units):
        self.todo[(phase, stem)] = units

    def progress(self, phase, stem, units_done, seconds):
        self.current = (phase, stem, units_done, seconds)

    def finish(self, phase, stem, seconds):
        self.measured[phase][0] += seconds
        self.measured[phase][1] += self.todo.pop((phase, stem), 0.0)
        self.current = None

    def price(self, phase):
        seconds, units = self.measured[phase]
        if self.current and self.current[0] == phase:
            units, seconds = units + self.current[2], seconds + self.current[3]
        # A second or two of measurement is mostly start-up noise.
        return seconds / units if units > 0 and seconds > 2 else self.PRIOR[phase]

    def remaining(self):
        left = 0.0
        for (phase, stem), units in self.todo.items():
            if self.current and self.current[:2] == (phase, stem):
                units -= self.current[2]
            left += max(0.0, units) * self.price(phase)
        return left

    def note(self):
        return (f"[{clock(time.monotonic() - self.start)} elapsed, about "
                f"{clock(self.remaining())} left]")


def say(tag, text, estimate=None):
    print(f"{tag} {text}" + (f"  {estimate.note()}" if estimate else ""), flush=True)


# ---------------------------------------------------------------- checkpoints

def checkpoint_epoch(path):
    """The epoch a training checkpoint was saved after (safetensors metadata)."""
    try:
        with open(path, "rb") as f:
            size = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(size))
        return int(header["__metadata__"]["epoch"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


LOG_COLUMNS = ["epoch", "step", "loss", "train_acc", "val_acc", "seconds"]


def read_log(path):
    """The trainer's complete CSV rows (a half-written last line is dropped).
    val_loss is None in a log an older trainer began (no such column)."""
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        text = f.read()
    lines = text.split("\n")[:-1]  # a row without its newline is incomplete
    rows = []
    for row in csv.DictReader(lines):
        try:
            rows.append({"epoch": int(row["epoch"]), "step": int(row["step"]),
                         "loss": float(row["loss"]),
                         "train_acc": float(row["train_acc"]),
                         "val_acc": float(row["val_acc"]),
                         "seconds": float(row["seconds"]),
                         "val_loss": float(row["val_loss"]) if "val_loss" in row else None})
        except (TypeError, ValueError, KeyError):
            break
    return rows


def write_log(path, rows):
    """The trainer's columns: val_loss unless the rows lack it (the trainer
    then appends rows without it too)."""
    val_loss = all(r["val_loss"] is not None for r in rows)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(LOG_COLUMNS + ["val_loss"] * val_loss)
        for r in rows:
            w.writerow([r["epoch"], r["step"], repr(r["loss"]), repr(r["train_acc"]),
                        repr(r["val_acc"]), f"{r['seconds']:.3f}"]
                       + [repr(r["val_loss"])] * val_loss)


def resume_point(ckpt, log):
    """The epoch to continue from: the checkpoint's, if the log holds exactly
    the epochs before it (the trainer saves, then logs, so a kill between the
    two leaves the log one short: then start again rather than lose a row)."""
    epoch = checkpoint_epoch(ckpt) if os.path.exists(ckpt) else None
    rows = read_log(log)
    if not epoch or [r["epoch"] for r in rows[:epoch]] != list(range(1, epoch + 1)):
        for f in (ckpt, log):
            if os.path.exists(f):
                os.remove(f)
        return 0
    if len(rows) != epoch:
        write_log(log, rows[:epoch])  # drop what the checkpoint lacks
    return epoch


# ---------------------------------------------------------------- training

def train_command(exe, args, epochs, files, resume, print_every):
    cmd = [exe, "train", "--epochs", str(epochs), "--batch-size", str(args.batch_size),
           "--seed", str(args.seed), "--data", args.data, "--save", files["ckpt"],
           "--log", files["log"], "--progress", "lines", "--print-every", str(print_every)]
    if args.data_dir:
        cmd += ["--data-dir", args.data_dir]
    if args.classes:
        cmd += ["--classes", args.classes]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    if resume:
        cmd += ["--resume", files["ckpt"]]
    if args.device != "cpu":
        cmd += ["--device", args.device]
    return cmd


def alone():
    """The environment less mpirun's variables: under mpirun the trainer
    would join the other ranks' trainings (data-parallel) instead of training
    its own model."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("OMPI_", "PMIX_", "PMI_"))}


STEP = re.compile(r"^\s*step (\d+): epoch (\d+), batch (\d+)/(\d+)")
EPOCH = re.compile(r"^Epoch (\d+), ")
DATA = re.compile(r"(\d+) training and (\d+) validation samples")


def train(tag, stem, exe, args, plan, files, start_epoch, estimate):
    """Runs the trainer, streaming its progress lines; returns what it printed
    about the data (sample counts) and its wall time."""
    epochs, units = plan["epochs"], estimate.todo.get(("train", stem), 0.0)
    steps = math.ceil(plan["images"] / args.batch_size)
    cmd = train_command(exe, args, epochs, files, start_epoch > 0,
                        max(1, math.ceil(steps / 4)))
    began = time.monotonic()
    counts = None
    with open(files["err"], "w") as err, open(files["out"], "w") as out:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True,
                                env=alone())
        try:
            for line in proc.stdout:
                out.write(line)
                line = line.rstrip("\n")
                if m := DATA.search(line):
                    counts = (int(m.group(1)), int(m.group(2)))
                if m := STEP.match(line):  # epochs done, counting the current one's part
                    part = int(m.group(3)) / int(m.group(4)) * plan["train_share"]
                    done = int(m.group(2)) - 1 + part
                elif m := EPOCH.match(line):
                    done = int(m.group(1))
                else:
                    continue
                share = (done - start_epoch) / (epochs - start_epoch)
                estimate.progress("train", stem, units * share, time.monotonic() - began)
                say(tag, line.strip(), estimate)
            proc.wait()
        except BaseException:
            proc.kill()  # Ctrl-C reaches it too; make sure it is gone
            proc.wait()
            raise
    if proc.returncode != 0:
        with open(files["err"]) as f:
            detail = f.read().rstrip()
        status = (f"killed by signal {-proc.returncode}" if proc.returncode < 0
                  else f"exit {proc.returncode}")
        raise Failure(f"training {stem} failed ({status}):\n  $ "
                      f"{' '.join(cmd)}\n{detail}\n(checkpoint and log kept in "
                      f"{os.path.dirname(files['log'])}; rerun to continue)")
    if counts is None:
        raise Failure(f"training {stem}: the trainer did not report its data "
                      f"(see {files['out']})")
    return counts, time.monotonic() - began


def result(stem, knob, summary, exe_stamp, settings, counts, rows, epochs, start, wall):
    """One model's numbers, from the trainer's per-epoch log. wall is the time
    of the epochs after start (this run's: earlier ones may have been resumed)."""
    if [r["epoch"] for r in rows] != list(range(1, epochs + 1)):
        raise Failure(f"{stem}: the training log holds epochs "
                      f"{[r['epoch'] for r in rows]}, not 1..{epochs}")
    last = rows[-1]
    seconds = sum(r["seconds"] for r in rows)
    seconds_now = sum(r["seconds"] for r in rows[start:])
    return {"knob": knob, "model": stem, "parameters": summary["parameters"],
            "train_acc": last["train_acc"], "val_acc": last["val_acc"],
            "gap": last["train_acc"] - last["val_acc"],
            "seconds": seconds,
            "images_per_s": counts[0] * epochs / seconds if seconds > 0 else 0.0,
            "train_images": counts[0], "val_images": counts[1], "epochs": epochs,
            # Evaluation and start-up, for the estimate of a --full run.
            "other_seconds_per_epoch": max(0.0, wall - seconds_now) / max(1, epochs - start),
            "exe": exe_stamp, "settings": settings}


def load_result(path, exe_stamp, settings):
    """A finished model's result, if it is for this build and these settings."""
    try:
        with open(path) as f:
            r = json.load(f)
    except (OSError, ValueError):
        return None
    return r if r.get("exe") == exe_stamp and r.get("settings") == settings else None


def save_json(path, value):
    # A kill leaves the old file or the new, never half.
    write_atomic(path, json.dumps(value, indent=1) + "\n")


# ---------------------------------------------------------------- output

COLUMNS = ["knob", "parameters", "train acc", "val acc", "gap", "train s", "images/s"]


def table_cells(r):
    return [r["knob"], f"{r['parameters']:,}", f"{r['train_acc']:.4f}",
            f"{r['val_acc']:.4f}", f"{r['gap']:+.4f}", f"{r['seconds']:.1f}",
            f"{r['images_per_s']:.0f}"]


def format_table(results):
    rows = [COLUMNS] + [table_cells(r) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def write_csv(path, results):
    f = io.StringIO()
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["knob", "model", "parameters", "train_acc", "val_acc", "gap",
                "seconds", "images_per_s"])
    for r in results:
        # Accuracies at full precision, as in the trainer's log.
        w.writerow([r["knob"], r["model"], r["parameters"], repr(r["train_acc"]),
                    repr(r["val_acc"]), repr(r["gap"]), f"{r['seconds']:.3f}",
                    f"{r['images_per_s']:.1f}"])
    write_atomic(path, f.getvalue())


def describe(args, results):
    """The data and schedule in words, for the table and the chart's title."""
    name = "Fashion-MNIST" if args.data == "fashion-mnist" else "CIFAR-10"
    if args.classes and args.classes != "all":
        k = class_count(args)
        name = f"{name[:-3]}-{k}" if args.data == "cifar10" else name
        name += f" (classes {args.classes})"
    r = results[0]
    epochs = plural(args.epochs, "epoch") if args.epochs else "each model's own epochs"
    subset = f"first {r['train_images']} training / {r['val_images']} validation images (subset)" \
        if args.limit else f"all {r['train_images']} training / {r['val_images']} validation images"
    return f"{name}, {subset}, {epochs}, batch {args.batch_size}, seed {args.seed}" + on_device(args)


def svg_chart(results, title):
    """A grouped bar chart of train and validation accuracy per knob."""
    colours = {"train": "#4c72b0", "val": "#dd8452"}
    e = lambda text: html.escape(str(text))
    left, right, top, plot_h = 80, 30, 100, 320
    width = max(760, left + 96 * len(results) + right)
    plot_w = width - left - right
    group = plot_w / len(results)
    bar = min(34.0, group * 0.4)
    # Knob names are written at -35 degrees below the axis: room for the longest.
    label_drop = 16 + 7 * max(len(r["knob"]) for r in results) * math.sin(math.radians(35))
    height = int(top + plot_h + label_drop + 50)
    y = lambda v: top + plot_h * (1 - v)  # accuracy 0..1 to pixels

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text class="title" x="{width / 2}" y="28" text-anchor="middle" '
           f'font-size="18" font-weight="bold">Comparing design knobs: train vs '
           f'validation accuracy</text>',
           f'<text class="subtitle" x="{width / 2}" y="52" text-anchor="middle" '
           f'font-size="13">{e(title)}</text>']
    for i in range(6):  # grid lines and y ticks every 0.2
        v = i / 5
        out.append(f'<line class="tick" data-value="{v:.1f}" x1="{left}" '
                   f'x2="{left + plot_w}" y1="{y(v):.2f}" y2="{y(v):.2f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 8}" y="{y(v) + 4:.2f}" text-anchor="end" '
                   f'font-size="12">{v:.1f}</text>')
    out += [f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="black"/>',
            f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" '
            f'y2="{top + plot_h}" stroke="black"/>',
            f'<text class="axis-label" transform="translate(28 {top + plot_h / 2}) '
            f'rotate(-90)" text-anchor="middle" font-size="14">accuracy</text>',
            f'<text class="axis-label" x="{left + plot_w / 2}" y="{height - 14}" '
            f'text-anchor="middle" font-size="14">knob</text>']
    for i, r in enumerate(results):
        x0 = left + i * group + group / 2 - bar
        for j, split in enumerate(("train", "val")):
            v, x = r[f"{split}_acc"], x0 + j * bar
            out.append(f'<rect class="bar {split}" data-knob="{e(r["knob"])}" '
                       f'x="{x:.2f}" y="{y(v):.4f}" width="{bar - 2:.2f}" '
                       f'height="{plot_h * v:.4f}" fill="{colours[split]}">'
                       f'<title>{e(r["knob"])}: {split} accuracy {v:.4f}</title></rect>')
            out.append(f'<text class="value {split}" data-knob="{e(r["knob"])}" '
                       f'x="{x + bar / 2 - 1:.2f}" y="{y(v) - 4:.2f}" '
                       f'text-anchor="middle" font-size="10">{v:.3f}</text>')
        cx, ly = left + (i + 0.5) * group, top + plot_h + 16
        out.append(f'<text class="knob" x="{cx:.2f}" y="{ly}" text-anchor="end" '
                   f'font-size="12" transform="rotate(-35 {cx:.2f} {ly})">'
                   f'{e(r["knob"])}</text>')
    lx = left + plot_w - 250  # the legend, above the plot's right end
    for j, (split, label) in enumerate((("train", "train accuracy"),
                                        ("val", "validation accuracy"))):
        out.append(f'<rect class="legend" x="{lx + j * 115}" y="70" width="14" '
                   f'height="14" fill="{colours[split]}"/>')
        out.append(f'<text x="{lx + j * 115 + 19}" y="82" font-size="12">{label}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def full_estimate(args, results):
    """Seconds --full would take, scaled from this run's measured times."""
    n_train, n_val = split_sizes(args)
    total = 0.0
    for r in results:
        train_epoch = r["seconds"] / r["epochs"] * n_train / r["train_images"]
        eval_epoch = (r["other_seconds_per_epoch"] * (n_train + n_val)
                      / (r["train_images"] + r["val_images"]))
        total += r["summary_epochs"] * (train_epoch + eval_epoch)
    return total


# ---------------------------------------------------------------- main

def plan_models(args, models, defs):
    """Per model: its summary (a broken model stops us before any work),
    epochs, training images and the training work in estimate units."""
    n_train, n_val = split_sizes(args)
    if args.limit:
        n_train, n_val = min(n_train, args.limit), min(n_val, args.limit)
    plans = {}
    for stem, _, path in models:
        s = summarise(args.cnnc, path, defs)
        epochs = args.epochs or s["epochs"]
        # An image costs its FLOPs plus a fixed overhead (measured: about
        # 1.4 MFLOPs' worth); training one about 3 forward passes, the
        # per-epoch evaluation one per training and validation image; loading
        # the data about a second.
        image = s["flops"] + 1.4e6
        plans[stem] = {"summary": s, "epochs": epochs, "images": n_train,
                       "units": image * epochs * (4 * n_train + n_val) + 2.5e10,
                       "train_share": 3 * n_train / (4 * n_train + n_val)}
    return plans


def split_sizes(args):
    """Full training and validation split sizes for the chosen classes."""
    n_train, n_val, k = SPLITS[args.data]
    if args.data == "cifar10":
        return n_train * class_count(args), n_val * class_count(args)
    return n_train * class_count(args) // k, n_val * class_count(args) // k


def compile_all(args, models, exes, defs, tags, estimate):
    """Compiles first: a model that does not compile stops the run before
    hours of training. Each model is compiled by the one rank that trains
    it, into a temporary renamed over the executable: a kill never leaves
    half an executable that looks finished."""
    for stem, knob, path in models:
        tag = tags[stem]
        if ("compile", stem) not in estimate.todo:
            say(tag, f"compile: {os.path.relpath(exes[stem], args.out)} is up to date")
            continue
        say(tag, f"compile: {os.path.basename(path)} ...", estimate)
        began = time.monotonic()
        exe, tmp = exes[stem], temporary(exes[stem])
        if os.path.exists(exe + ".inputs"):
            os.remove(exe + ".inputs")
        try:
            run_tool([args.cnnc, path, "-o", tmp] + [f"-D{d}" for d in defs]
                     + compile_flags(args), f"compiling {os.path.basename(path)}")
            os.replace(tmp, exe)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        write_atomic(exe + ".inputs", compile_inputs(path, defs, compile_flags(args)))
        took = time.monotonic() - began
        estimate.finish("compile", stem, took)
        say(tag, f"compile: done in {took:.1f} s", estimate)


def model_files(run_dir, stem):
    return {"out": os.path.join(run_dir, f"{stem}.out"),
            "err": os.path.join(run_dir, f"{stem}.err"),
            "ckpt": os.path.join(run_dir, f"{stem}.ckpt.safetensors"),
            "log": os.path.join(run_dir, f"{stem}.log.csv"),
            "build": os.path.join(run_dir, f"{stem}.build"),
            "result": os.path.join(run_dir, f"{stem}.json")}


def forget_other_build(files, exe_stamp):
    """A checkpoint from another build of the executable is not resumed."""
    if os.path.exists(files["build"]):
        with open(files["build"]) as f:
            if f.read() == exe_stamp:
                return
    for f in (files["ckpt"], files["log"]):
        if os.path.exists(f):
            os.remove(f)
    with open(files["build"], "w") as f:
        f.write(exe_stamp)


def train_all(args, models, exes, settings, plans, run_dir, tags, estimate, finished):
    """Trains this rank's models; finished(stem) after each one's result is saved."""
    results = {}
    for stem, knob, _ in models:
        tag = tags[stem]
        plan, exe_stamp = plans[stem], stamp(exes[stem])
        files = model_files(run_dir, stem)
        r = load_result(files["result"], exe_stamp, settings)
        if r:
            say(tag, f"train: done, reused (train {r['train_acc']:.4f}, "
                f"val {r['val_acc']:.4f})")
        else:
            forget_other_build(files, exe_stamp)
            start = resume_point(files["ckpt"], files["log"])
            epochs = plan["epochs"]
            if start:
                estimate.plan("train", stem, plan["units"] * (epochs - start) / epochs)
                say(tag, f"train: resuming after epoch {start} of {epochs} from "
                    f"{os.path.basename(files['ckpt'])}", estimate)
            else:
                say(tag, f"train: {plural(epochs, 'epoch')} on {plan['images']} images ...",
                    estimate)
            counts, wall = train(tag, stem, exes[stem], args, plan, files, start, estimate)
            estimate.finish("train", stem, wall)
            r = result(stem, knob, plan["summary"], exe_stamp, settings, counts,
                       read_log(files["log"]), epochs, start, wall)
            save_json(files["result"], r)
            say(tag, f"train: done in {wall:.1f} s ({r['seconds']:.1f} s training, "
                f"{r['images_per_s']:.0f} images/s), train {r['train_acc']:.4f}, "
                f"val {r['val_acc']:.4f}", estimate)
        finished(stem)
        results[stem] = for_report(r, plan, files)
    return results


def for_report(r, plan, files):
    """A result with what the report adds: the model's own epochs, the curves."""
    r["summary_epochs"] = plan["summary"]["epochs"]
    r["curve"] = read_log(files["log"])
    return r


# ---------------------------------------------------------------- ranks

# Rank 0 looks for news every POLL_S seconds; every rank rewrites its status
# every BEAT_S; a rank silent for SILENT_S is taken for dead (killed, hung,
# its host gone). Generous: a shared folder's caches may hide a write that
# long.
POLL_S, BEAT_S, SILENT_S = 0.5, 2.0, 60.0


class Ranks:
    """This process's place in a sweep spread over ranks: mpirun starts one
    knobs.py per rank and says which in the environment (Open MPI's
    variables; no MPI library is needed). Outside mpirun: rank 0 of 1."""

    def __init__(self, env=os.environ):
        self.launched = "OMPI_COMM_WORLD_SIZE" in env
        self.rank = int(env.get("OMPI_COMM_WORLD_RANK", "0"))
        self.size = int(env.get("OMPI_COMM_WORLD_SIZE", "1"))
        # The same on every rank of one mpirun, another on the next: tells
        # this job's status files from an earlier one's.
        self.job = (env.get("OMPI_MCA_orte_precondition_transports")
                    or env.get("PMIX_NAMESPACE", ""))
        self.host = socket.gethostname()
        self.prefix = f"rank {self.rank} " if self.size > 1 else ""


def share_out(models, plans, size):
    """Which rank trains which model: the costliest first, each to the rank
    with the least work so far. Every rank works it out alike (it depends on
    the models and settings only, never on what is finished), so each model
    has exactly one rank: no two compile or train it at once."""
    load, owner = [0.0] * size, {}
    for stem in sorted((m[0] for m in models), key=lambda s: -plans[s]["units"]):
        rank = min(range(size), key=lambda k: load[k])
        owner[stem] = rank
        load[rank] += plans[stem]["units"]
    return owner


def status_path(run_dir, rank):
    return os.path.join(run_dir, "ranks", f"rank-{rank}.json")


class Status:
    """This rank's part of the sweep, in RUN/ranks/rank-K.json for rank 0 to
    follow: the models it has finished, or the error it stopped with. A
    thread rewrites it every BEAT_S seconds with the next beat number: a rank
    whose beat stops has died or hangs."""

    def __init__(self, run_dir, ranks, plan, stems):
        self.path = status_path(run_dir, ranks.rank)
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.fields = {"job": ranks.job, "rank": ranks.rank, "host": ranks.host,
                       "pid": os.getpid(), "plan": plan, "models": stems,
                       "done": [], "state": "working", "error": None, "beat": 0}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.update()
        self.beater = threading.Thread(target=self.beat, daemon=True)
        self.beater.start()

    def update(self, **fields):
        with self.lock:
            self.fields.update(fields)
            self.fields["beat"] += 1
            write_atomic(self.path, json.dumps(self.fields) + "\n")

    def beat(self):
        while not self.stopping.wait(BEAT_S):
            try:
                self.update()
            except Failure:
                pass  # the next beat tries again

    def finished(self, stem):
        self.update(done=self.fields["done"] + [stem])

    def end(self, state, error=None):
        self.stopping.set()
        self.beater.join()
        self.update(state=state, error=error)


def read_status(run_dir, rank, job):
    """Rank's status if it is of this job (an earlier job's is stale)."""
    try:
        with open(status_path(run_dir, rank)) as f:
            st = json.load(f)
    except (OSError, ValueError):
        return None
    return st if isinstance(st, dict) and st.get("job") == job else None


def await_ranks(run_dir, ranks, plan):
    """Rank 0, before any work: every rank is there, on this sweep (the same
    models, settings and shares), writing to the folder rank 0 reads."""
    began, missing = time.monotonic(), set(range(1, ranks.size))
    while missing:
        for k in sorted(missing):
            st = read_status(run_dir, k, ranks.job)
            if st is None:
                continue
            if st.get("plan") != plan:
                raise Failure(f"rank {k} on {st.get('host')} plans another sweep "
                              "than rank 0 (other models, settings or flags): run "
                              "the same command and models on every host")
            missing.discard(k)
        if missing and time.monotonic() - began > SILENT_S:
            raise Failure(f"no word from {plural(len(missing), 'rank')} "
                          f"({', '.join(map(str, sorted(missing)))}) in {SILENT_S:.0f} s: "
                          f"ranks write to {run_dir}, which every host must share "
                          "at the same path (--out)")
        if missing:
            time.sleep(POLL_S)


def gather(models, owner, run_dir, ranks, exes, settings, plans, tags):
    """Rank 0, its own models done: the other ranks' results, as each is
    finished. A rank that stops with an error, or says nothing for SILENT_S
    seconds, ends the wait with its name and its missing models."""
    knobs = {stem: knob for stem, knob, _ in models}
    waiting = {stem: owner[stem] for stem, _, _ in models if owner[stem] != 0}
    results, heard = {}, {}
    if waiting:
        print(f"knobs: rank 0 waits for {plural(len(set(waiting.values())), 'rank')} "
              f"({', '.join(knobs[s] for s in waiting)})", flush=True)
    while waiting:
        now = time.monotonic()
        for k in sorted(set(waiting.values())):
            st = read_status(run_dir, k, ranks.job) or {}
            name = f"rank {k}" + (f" on {st['host']} (pid {st['pid']})" if st else "")
            left = ", ".join(knobs[s] for s in waiting if waiting[s] == k)
            if st.get("state") == "failed":
                raise Failure(f"{name} failed ({st.get('error') or 'see its error'}): "
                              f"no results for {left}; rerun the same command to "
                              "continue (finished models are kept)")
            if k not in heard or heard[k][0] != st.get("beat"):
                heard[k] = (st.get("beat"), now)
            elif now - heard[k][1] > SILENT_S:
                raise Failure(f"{name} has said nothing for {SILENT_S:.0f} s "
                              f"(killed, hung or its host gone): no results for "
                              f"{left}; rerun the same command to continue "
                              "(finished models are kept)")
            for stem in [s for s in st.get("done", []) if waiting.get(s) == k]:
                files = model_files(run_dir, stem)
                r = (load_result(files["result"], stamp(exes[stem]), settings)
                     if os.path.exists(exes[stem]) else None)
                if not r:
                    raise Failure(f"{name} finished {knobs[stem]}, but rank 0 finds "
                                  f"no result for it in {run_dir}: every host must "
                                  "share the output folder at the same path (--out)")
                say(tags[stem], f"train: done on rank {k} (train {r['train_acc']:.4f}, "
                    f"val {r['val_acc']:.4f})")
                results[stem] = for_report(r, plans[stem], files)
                del waiting[stem]
        if waiting:
            time.sleep(POLL_S)
    return results


def run_under_mpirun(args, argv):
    """--ranks, --hosts, --hostfile: this same command once per rank, under
    Open MPI's mpirun. Returns mpirun's exit status."""
    mpirun = shutil.which("mpirun")
    if not mpirun:
        raise Failure("--ranks, --hosts and --hostfile run mpirun: install Open "
                      "MPI (scripts/setup.sh build)")
    cmd = [mpirun]
    if os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    # The ranks are independent processes: more of them than cores is fine,
    # and each training's threads go where the system puts them.
    cmd += ["--oversubscribe", "--bind-to", "none"]
    if args.ranks:
        cmd += ["-np", str(args.ranks)]
    if args.hosts:
        cmd += ["--host", args.hosts]
    if args.hostfile:
        cmd += ["--hostfile", os.path.abspath(args.hostfile)]
    python = [sys.executable] + (["-S"] if sys.flags.no_site else [])
    cmd += python + [os.path.abspath(__file__)] + argv
    print(f"knobs: {' '.join(cmd)}", flush=True)
    proc = subprocess.Popen(cmd)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()  # mpirun ends the ranks; rank 0 says how to continue
        proc.wait()
        return 130


def main(argv, ranks):
    args = parse_args(argv, ranks)
    if (args.ranks or args.hosts or args.hostfile) and not ranks.launched:
        return run_under_mpirun(args, argv)
    check_writable(args.out)
    if not (os.path.isfile(args.cnnc) and os.access(args.cnnc, os.X_OK)):
        raise Failure(f"no cnnc at {args.cnnc}: build it with scripts/build.sh "
                      "or pass --cnnc PATH")
    models = select(find_models(args.models), args.knobs)
    settings = run_settings(args)
    defs = settings["defines"]
    plans = plan_models(args, models, defs)
    # Executables per input shape; results per settings.
    flags = compile_flags(args)
    bin_dir = os.path.join(args.out, "bin", "-".join(defs) or "default")
    if args.device != "cpu":  # GPU executables beside, not over, the CPU's
        bin_dir += f"-{args.device}"
    run_dir = os.path.join(args.out, "runs", settings_key(settings))
    os.makedirs(bin_dir, exist_ok=True)
    os.makedirs(run_dir, exist_ok=True)
    owner = share_out(models, plans, ranks.size)
    mine = [m for m in models if owner[m[0]] == ranks.rank]
    tags = {stem: f"[{i}/{len(models)} {knob}]"
            for i, (stem, knob, _) in enumerate(models, 1)}
    own_tags = {stem: ranks.prefix + tag for stem, tag in tags.items()}
    if ranks.rank == 0:
        save_json(os.path.join(run_dir, "settings.json"), settings)
        print(f"knobs: {len(models)} models; {describe_run(args)}\n"
              f"knobs: results in {run_dir}", flush=True)
    status = None
    if ranks.size > 1:
        print(f"knobs: rank {ranks.rank} of {ranks.size} on {ranks.host}: "
              f"{', '.join(knob for _, knob, _ in mine) or 'no models'}", flush=True)
        plan = hashlib.sha256(json.dumps([settings, owner], sort_keys=True)
                              .encode()).hexdigest()
        status = Status(run_dir, ranks, plan, [m[0] for m in mine])
    try:
        if ranks.rank == 0 and status:
            await_ranks(run_dir, ranks, plan)
        estimate = Estimate()
        exes = {stem: os.path.join(bin_dir, stem) for stem, _, _ in models}
        for stem, _, path in mine:
            stale = needs_compile(exes[stem], path, defs, args.cnnc, flags)
            if stale:
                estimate.plan("compile", stem, plans[stem]["summary"]["ops"])
            if stale or not load_result(model_files(run_dir, stem)["result"],
                                        stamp(exes[stem]), settings):
                estimate.plan("train", stem, plans[stem]["units"])

        compile_all(args, mine, exes, defs, own_tags, estimate)
        results = train_all(args, mine, exes, settings, plans, run_dir, own_tags, estimate,
                            status.finished if status else lambda stem: None)
        if ranks.rank == 0 and status:
            results.update(gather(models, owner, run_dir, ranks, exes, settings,
                                  plans, tags))
    except BaseException as err:
        if status:
            status.end("failed", str(err) if isinstance(err, Failure) else "interrupted")
        raise
    if status:
        status.end("done")
    if ranks.rank == 0:
        report(args, [results[stem] for stem, _, _ in models],
               time.monotonic() - estimate.start)


def check_writable(out):
    """Before any work: a folder the results cannot be written to stops the
    run at once, not after hours of training."""
    try:
        os.makedirs(out, exist_ok=True)
        probe = temporary(os.path.join(out, ".write-test"))
        with open(probe, "w"):
            pass
        os.remove(probe)
    except OSError as err:
        raise Failure(f"cannot write the results to {out}: {err.strerror or err}")


def temporary(path):
    """A name beside path that no other process uses, on any host."""
    return f"{path}.tmp-{socket.gethostname()}-{os.getpid()}"


def write_atomic(path, text):
    """The file whole or not at all (a temporary renamed over it)."""
    tmp = temporary(path)
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as err:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise Failure(f"cannot write {path}: {err.strerror or err}")


def describe_run(args):
    data = args.data + (f" classes {args.classes}" if args.classes else "")
    size = f"the first {args.limit} images of each split" if args.limit else "all images"
    epochs = plural(args.epochs, "epoch") if args.epochs else "each model's own epochs"
    return (f"{data}, {size}, {epochs}, batch {args.batch_size}, seed {args.seed}, "
            f"threads {args.threads or 'all'}" + on_device(args))


def on_device(args):
    """The device in a run's description: nothing on the CPU (as before
    --device), ', on the CUDA GPU' otherwise."""
    return ", on the CUDA GPU" if args.device == "cuda" else ""


def report(args, results, elapsed):
    title = describe(args, results)
    csv_path = os.path.join(args.out, "knobs.csv")
    svg_path = os.path.join(args.out, "knobs.svg")
    curves_path = os.path.join(args.out, "knobs-curves.svg")
    html_path = os.path.join(args.out, "report.html")
    write_csv(csv_path, results)
    bars = svg_chart(results, title)
    note = subset_note(args, results).strip() if args.limit or args.epochs else ""
    write_atomic(svg_path, bars)
    write_atomic(curves_path, knobs_report.curves_svg(results, title))
    write_atomic(html_path, knobs_report.report_html(
        results, title, COLUMNS, [table_cells(r) for r in results], bars,
        note.split("\n")[0]))
    print(f"\nComparing design knobs: {title}\n")
    print(format_table(results))
    print("\ngap = train acc - val acc; train s = seconds of training (the "
          "per-epoch evaluation excluded);\nimages/s = training images per "
          "second of training")
    print(f"wrote {csv_path}, {svg_path}, {curves_path} and {html_path} "
          f"({clock(elapsed)} in all)")
    if args.limit or args.epochs:
        print(subset_note(args, results))


def subset_note(args, results):
    """Says plainly that this was not the lecture's experiment, and how to run it."""
    n_train, n_val = split_sizes(args)
    own = sorted({r["summary_epochs"] for r in results})
    cut = []
    if args.limit:
        cut.append(f"only the first {args.limit} of {n_train} training and "
                   f"{min(args.limit, n_val)} of {n_val} validation images")
    if args.epochs and own != [args.epochs]:
        cut.append(f"{plural(args.epochs, 'epoch')} instead of the models' own "
                   f"{'/'.join(map(str, own))}")
    data = f" --cifar10 {args.data_dir}" if args.data == "cifar10" else ""
    data += f" --device {args.device}" if args.device != "cpu" else ""
    return (f"\nNOTE: this is a SUBSET of the lecture's experiment: "
            f"{' and '.join(cut) or 'as configured'}.\n"
            f"The full experiment: scripts/knobs.py --full{data} --seed {args.seed} "
            f"(about {clock(full_estimate(args, results))} at this run's speed;\n"
            f"an interrupted run continues when the same command is run again).")


def interrupted(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    # A kill stops the trainer too (Ctrl-C reaches it anyway), and says how
    # to continue.
    signal.signal(signal.SIGTERM, interrupted)
    ranks = Ranks()
    try:
        sys.exit(main(sys.argv[1:], ranks))
    except Failure as err:
        who = f"rank {ranks.rank}: " if ranks.size > 1 else ""
        print(f"knobs: {who}error: {err}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        if ranks.rank == 0:  # under mpirun, once for all ranks
            print("\nknobs: interrupted; rerun the same command to continue "
                  "(finished models are kept, the current one resumes from its "
                  "last epoch)", file=sys.stderr)
        sys.exit(130)
