"""The GPU check's training half (bench/gpu_check.py calls it between its
inference phases, each phase with its most telling work first):

  numerics   `train-step --device cuda` of every model (Fashion-MNIST shape
             first, then CIFAR-2) against the lecture's loop in PyTorch on
             the same device with TF32 off: loss, every gradient, updated
             parameters, batchnorm buffers, momentum (check_train_step.py's
             make_case/reference/compare_outputs, 1e-4 of each tensor's scale)
  masks      train-step's own dropout masks, --device cpu against cuda, bit
             for bit (same_masks.py's batch and comparison)
  repeat     the same GPU train-step twice: the output files byte for byte
  time       `bench --train` at batch 64 against PyTorch eager and
             torch.compile (default, reduce-overhead), PyTorch's defaults
  epochs     one `train` epoch per model on a synthetic Fashion-MNIST-sized
             data set; the full experiment's time (each model's epochs over
             60,000 images) computed from it
"""
import os
import re
import struct
import time
from types import SimpleNamespace

import numpy as np

import check_train_step as cts  # test/models/Inputs (on gpu_check's path)
import same_masks

# Steps and hyperparameters of the numerics: two steps so that momentum
# buffers and the second step's use of them are checked; the penalty knobs
# with their own penalty.
STEPS = 2
HYPER = dict(lr=0.05, momentum=0.9, dampening=0.0, nesterov=False,
             weight_decay=0.0, l2=0.0, l1=0.0)
OWN = {"net_width_l2": dict(l2=0.001), "net_width_l1": dict(l1=0.0005),
       "net_width_weight_decay": dict(weight_decay=0.001)}
REPEATED = ["net_dropout", "net_batchnorm", "net_res_deep"]  # the run-twice check
TRAIN_BATCH = 64
STEP_RE = re.compile(r"ms per training step: median ([0-9.eE+-]+) min ([0-9.eE+-]+) "
                     r"max ([0-9.eE+-]+)")


def hyper(model):
    return SimpleNamespace(**{**HYPER, **OWN.get(model, {})})


def ordered(entries, order):
    """Fashion-MNIST before CIFAR-2, and within a shape `order` first."""
    rank = {m: i for i, m in enumerate(order)}
    return sorted(entries, key=lambda e: (e["shape"] != "fmnist", rank.get(e["model"], len(rank))))


class Train:
    def __init__(self, ctx):
        self.c = ctx                       # gpu_check's check state
        self.rows = ctx.results.training   # every training result, in order

    def row(self, kind, e, **fields):
        r = dict(kind=kind, model=e["model"], shape=e["shape"], status="error", **fields)
        self.rows.append(r)
        return r

    def exe(self, e):
        return os.path.join(self.c.bundle, e["exe"])

    # ---------------------------------------------------------------- numerics
    def numerics(self, entries):
        c = self.c
        torch = c.tc.torch
        jobs = []
        for e in ordered(entries, c.order):
            r = self.row("train-step", e, steps=STEPS, error=None)
            if not c.budget.allows("exe"):
                r["status"] = "skipped"
                c.results.skip(f"train-step {e['model']}/{e['shape']}", "time budget")
                continue
            try:
                tag = os.path.join(c.work, f"ts-{e['model']}-{e['shape']}")
                model, x, labels = cts.make_case(e["model"], e["shape"])
                cts.write_case(model, x, labels, tag + "-params.safetensors",
                               tag + "-batch.safetensors")
                h = hyper(e["model"])
                argv = ["train-step", *c.train_flag, "--load", tag + "-params.safetensors",
                        "--batch", tag + "-batch.safetensors", "--steps", str(STEPS),
                        "--seed", "11", *cts.optimizer_flags(h)]
                masks = cts.draw_masks(model, x) if cts.dropout_modules(model) else None
                if masks is not None:
                    cts.write_masks(masks, tag + "-masks.safetensors")
                    argv += ["--masks", tag + "-masks.safetensors"]
                runs = [c.pool.submit(c.exes.run, self.exe(e), argv + ["-o", tag + "-out.safetensors"],
                                      min(120, c.budget.limit()))]
                if e["model"] in REPEATED and e["shape"] == "fmnist":
                    runs.append(c.pool.submit(c.exes.run, self.exe(e),
                                              argv + ["-o", tag + "-again.safetensors"],
                                              min(120, c.budget.limit())))
                jobs.append((e, r, tag, model, x, labels, masks, h, runs))
            except Exception as x:  # noqa: BLE001 - one model's failure is recorded
                c.results.error(f"train-step {e['model']}/{e['shape']}", x)
        for e, r, tag, model, x, labels, masks, h, runs in jobs:
            what = f"train-step {e['model']}/{e['shape']}"
            t0 = time.monotonic()
            try:
                runs[0].result()
                out = c.st_read(tag + "-out.safetensors")[1]
                c.tc.precision("fp32")
                dev = c.tc.device
                ref = cts.reference(model.to(dev), x.to(dev), labels.to(dev), masks, h, STEPS)
                worst, failures, n = cts.compare_outputs(out, ref)
                r.update(error=worst, status="ok" if not failures else "MISMATCH",
                         gradients=n, note="; ".join(failures)[:300])
                c.log(f"  train-step {e['model']:24s} {e['shape']:7s} {n} gradients, worst "
                      f"{worst:.2e} {r['status']}")
            except Exception as x:  # noqa: BLE001
                c.results.error(what, x)
            finally:
                c.tc.precision("defaults")
            if len(runs) > 1:
                rr = self.row("repeat", e)
                try:
                    runs[1].result()
                    same = (open(tag + "-out.safetensors", "rb").read()
                            == open(tag + "-again.safetensors", "rb").read())
                    rr.update(status="bit-identical" if same else "DIFFERENT",
                              note=f"{STEPS} steps of train-step {' '.join(c.train_flag)}, "
                              "output files compared byte for byte")
                except Exception as x:  # noqa: BLE001
                    c.results.error(f"repeat {e['model']}/{e['shape']}", x)
            c.budget.record("exe", time.monotonic() - t0)
        c.results.write()

    def masks(self, entries):
        """Dropout models: the CPU's and the GPU's own masks, bit for bit."""
        c = self.c
        for e in ordered(entries, c.order):
            if "dropout" not in e["model"]:
                continue
            r = self.row("masks", e)
            if not c.budget.allows("exe"):
                r["status"] = "skipped"
                c.results.skip(f"masks {e['model']}/{e['shape']}", "time budget")
                continue
            try:
                batch = same_masks.write_batch(c.work, e["shape"])
                outs = []
                for dev, flag in (("cpu", c.cpu_flag), ("gpu", c.train_flag)):
                    path = os.path.join(c.work, f"masks-{e['model']}-{e['shape']}-{dev}.safetensors")
                    c.exes.run(self.exe(e), same_masks.masks_command("", batch, 3, path)[1:] + flag,
                               min(60, c.budget.limit()))
                    outs.append(c.st_read(path)[1])
                lines, ok = same_masks.compare_masks(*outs)
                r.update(status="bit-identical" if ok else "DIFFERENT",
                         note=f"train-step {' '.join(c.cpu_flag) or '(default)'} vs "
                         f"{' '.join(c.train_flag) or '(default)'}: {lines[-1]}")
                c.log(f"  masks {e['model']} {e['shape']}: {r['status']} ({lines[-1]})")
            except Exception as x:  # noqa: BLE001
                c.results.error(f"masks {e['model']}/{e['shape']}", x)
        c.results.write()

    # ---------------------------------------------------------------- time
    def cnnc_time(self, e, args):
        c = self.c
        r = self.row("train-time", e, peer="cnnc", batch=TRAIN_BATCH, ms=None)
        if not c.budget.allows("exe"):
            r["status"] = "skipped"
            c.results.skip(f"cnnc bench --train {e['model']}/{e['shape']}", "time budget")
            return
        try:
            t0 = time.monotonic()
            text = c.exes.run(self.exe(e), ["bench", "--train", *c.train_flag, "--batch-size",
                                            str(TRAIN_BATCH), "--runs", str(args.train_runs),
                                            "--warmup", str(args.warmup)],
                              min(120, c.budget.limit()))
            c.budget.record("exe", time.monotonic() - t0)
            m = STEP_RE.search(text)
            if not m:
                raise RuntimeError(f"bench --train printed no 'ms per training step': {text.strip()}")
            r.update(ms=float(m.group(1)), ms_min=float(m.group(2)), ms_max=float(m.group(3)),
                     status="ok", output=text.strip()[-800:])
        except Exception as x:  # noqa: BLE001
            c.results.error(f"cnnc bench --train {e['model']}/{e['shape']}", x)

    def torch_time(self, e, args, mode):
        """The lecture's step in PyTorch (defaults: TF32 convolutions), the
        batch on the device: zero_grad, forward, cross-entropy, backward,
        SGD with momentum. mode: eager, compile, reduce-overhead."""
        c = self.c
        torch = c.tc.torch
        kind = "torch" if mode == "eager" else "compile"
        r = self.row("train-time", e, peer=mode, batch=TRAIN_BATCH, ms=None)
        if not c.budget.allows(kind):
            r["status"] = "skipped"
            c.results.skip(f"{mode} train {e['model']}/{e['shape']}", "time budget")
            return
        t0 = time.monotonic()
        try:
            shape = cts.SHAPES[e["shape"]]
            torch.manual_seed(0)
            net = cts.MODELS[e.get("torch_train_class", e["model"])](**shape).to(c.tc.device).train()
            opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
            x = torch.randn(TRAIN_BATCH, shape["in_chans"], shape["side"], shape["side"],
                            device=c.tc.device)
            y = torch.randint(0, shape["n_classes"], (TRAIN_BATCH,), device=c.tc.device)
            fn = net
            mark = lambda: None  # noqa: E731
            if mode != "eager":
                torch._dynamo.reset()
                fn = torch.compile(net, **({"mode": "reduce-overhead"} if mode == "reduce-overhead" else {}))
                step_begin = getattr(getattr(torch, "compiler", None), "cudagraph_mark_step_begin", None)
                if mode == "reduce-overhead" and step_begin:
                    mark = step_begin

            def step():
                mark()
                opt.zero_grad(set_to_none=True)
                torch.nn.functional.cross_entropy(fn(x), y).backward()
                opt.step()
            if mode != "eager":
                c.with_alarm(c.budget.limit(), step)
                r["compile_s"] = round(time.monotonic() - t0, 2)
            for _ in range(args.warmup):
                step()
            c.tc.sync()
            ms, stop = [], time.perf_counter() + args.cap
            for _ in range(args.train_runs):
                t1 = time.perf_counter()
                step()
                c.tc.sync()
                ms.append((time.perf_counter() - t1) * 1e3)
                if len(ms) >= 10 and time.perf_counter() > stop:
                    break
            r.update(ms=round(float(np.median(ms)), 5), ms_min=round(min(ms), 5),
                     ms_max=round(max(ms), 5), runs=len(ms), status="ok")
        except Exception as x:  # noqa: BLE001
            r["status"] = "timeout" if isinstance(x, c.OutOfTime) else "error"
            c.results.error(f"{mode} train {e['model']}/{e['shape']}", x)
        finally:
            c.budget.record(kind, time.monotonic() - t0)

    def times(self, entries, args, modes):
        for e in ordered(entries, self.c.order):
            for mode in modes:
                if mode == "cnnc":
                    self.cnnc_time(e, args)
                else:
                    self.torch_time(e, args, mode)
            got = {r["peer"]: r["ms"] for r in self.rows if r["kind"] == "train-time"
                   and (r["model"], r["shape"]) == (e["model"], e["shape"])}
            self.c.log(f"  train {e['model']}/{e['shape']}/{TRAIN_BATCH}: "
                       + ", ".join(f"{k} {v if v is None else round(v, 4)} ms" for k, v in got.items()))
            self.c.results.write()

    # ---------------------------------------------------------------- epochs
    def epochs(self, entries, args):
        """One epoch of `train` per model on random Fashion-MNIST-shaped
        data of args.train_images images (the real data is not carried):
        the full experiment's time = each model's 100 epochs at that speed,
        scaled to 60,000 training and 10,000 validation images."""
        c = self.c
        data = os.path.join(c.work, f"idx-{args.train_images}")
        if not os.path.exists(os.path.join(data, "t10k-labels-idx1-ubyte")):
            write_idx(data, args.train_images, min(10000, args.train_images))
        for e in ordered([e for e in entries if e["shape"] == "fmnist"], c.order):
            r = self.row("epoch", e, images=args.train_images)
            if not c.budget.allows("epoch"):
                r["status"] = "skipped"
                c.results.skip(f"epoch {e['model']}/{e['shape']}", "time budget")
                continue
            try:
                t0 = time.monotonic()
                logf = os.path.join(c.work, f"epoch-{e['model']}.jsonl")
                c.exes.run(self.exe(e), ["train", *c.train_flag, "--data-dir", data, "--epochs", "1",
                                         "--batch-size", "64", "--log", logf],
                           min(300, c.budget.limit()))
                wall = time.monotonic() - t0
                c.budget.record("epoch", wall)
                rec = [__import__("json").loads(l) for l in open(logf) if l.strip()][-1]
                scale = 60000 / args.train_images
                train_s = rec["seconds"] * scale
                other_s = max(0.0, wall - rec["seconds"]) * scale  # evaluation and start-up
                r.update(status="ok", wall_s=round(wall, 2), train_s=round(rec["seconds"], 3),
                         epoch_s_60k=round(train_s + other_s, 2),
                         full_s=round(100 * (train_s + other_s), 1))
                c.log(f"  epoch {e['model']}: {rec['seconds']:.2f} s training, {wall:.2f} s in all "
                      f"on {args.train_images} images")
            except Exception as x:  # noqa: BLE001
                c.results.error(f"epoch {e['model']}", x)
            c.results.write()


def write_idx(folder, n_train, n_val):
    """Random Fashion-MNIST-format files (uint8 images, labels 0-9)."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(7)
    for prefix, n in (("train", n_train), ("t10k", n_val)):
        for kind, a in (("images-idx3", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)),
                        ("labels-idx1", rng.integers(0, 10, n, dtype=np.uint8))):
            with open(os.path.join(folder, f"{prefix}-{kind}-ubyte"), "wb") as f:
                f.write(bytes([0, 0, 8, a.ndim]) + b"".join(struct.pack(">I", d) for d in a.shape))
                f.write(a.tobytes())


def markdown(rows, fmt_err):
    """The training tables of results.md."""
    def of(kind):
        return [r for r in rows if r["kind"] == kind]
    lines = []
    if of("train-step"):
        lines += ["", "### Training step against PyTorch (TF32 off)", "",
                  f"`train-step` ({STEPS} steps, SGD momentum 0.9, the penalty knobs with their "
                  "penalty, given dropout masks) against the lecture's loop in PyTorch on the same "
                  "device: logits, loss, every gradient, updated parameters, batchnorm buffers, "
                  "momentum. Worst error relative to each tensor's scale; ok at <= 1e-4.", "",
                  "| model | shape | gradients | worst | status |", "|---|---|---:|---:|---|"]
        lines += [f"| {r['model']} | {r['shape']} | {r.get('gradients', '-')} | "
                  f"{fmt_err(r.get('error'))} | {r['status']} |" for r in of("train-step")]
    same = of("masks") + of("repeat")
    if same:
        lines += ["", "Bit for bit: " + "; ".join(
            f"{'dropout masks CPU vs GPU' if r['kind'] == 'masks' else 'two GPU runs'} "
            f"{r['model']}/{r['shape']} {r['status']}" for r in same) + "."]
    times = of("train-time")
    if times:
        peers = [p for p in ("cnnc", "eager", "compile", "reduce-overhead")
                 if any(r["peer"] == p for r in times)]
        lines += ["", f"### Training step time, batch {TRAIN_BATCH}, ms per step", "",
                  "Median wall-clock ms per step (forward, loss, backward, SGD), synchronised each "
                  "step; cnnc's `bench --train`, PyTorch with its defaults and the batch on the "
                  "device. In brackets: that peer's time over cnnc's.", "",
                  "| model | shape | " + " | ".join(peers) + " |", "|---|---|" + "---:|" * len(peers)]
        keys = []
        for r in times:
            if (r["model"], r["shape"]) not in keys:
                keys.append((r["model"], r["shape"]))
        for k in keys:
            cell = {r["peer"]: r for r in times if (r["model"], r["shape"]) == k}
            base = cell.get("cnnc", {}).get("ms")
            cells = []
            for p in peers:
                r = cell.get(p)
                if r is None:
                    cells.append("-")
                elif r.get("ms") is None:
                    cells.append(r["status"])
                else:
                    cells.append(f"{r['ms']:.3f}" + (f" ({r['ms'] / base:.2f})" if base and p != "cnnc" else ""))
            lines.append(f"| {k[0]} | {k[1]} | " + " | ".join(cells) + " |")
        compiled = [r for r in times if r.get("compile_s") is not None]
        if compiled:
            lines += ["", "torch.compile's first training step (compile and warm-up), s: " + ", ".join(
                f"{r['model']}/{r['shape']} {r['peer']} {r['compile_s']:.1f}" for r in compiled) + "."]
    ep = [r for r in of("epoch") if r["status"] == "ok"]
    if of("epoch"):
        lines += ["", "### The full experiment's time, computed (not run)", "",
                  "One `train` epoch per model (Fashion-MNIST shape, batch 64, on "
                  f"{of('epoch')[0]['images']} random images with the real files' format), "
                  "scaled to 60,000 training images and 100 epochs; evaluation and start-up "
                  "included.", "", "| model | epoch s (measured) | s per 60,000-image epoch | "
                  "100 epochs, s |", "|---|---:|---:|---:|"]
        lines += [f"| {r['model']} | {r.get('wall_s', '-')} | {r.get('epoch_s_60k', r['status'])} | "
                  f"{r.get('full_s', '-')} |" for r in of("epoch")]
        if ep:
            total = sum(r["full_s"] for r in ep)
            lines += ["", f"The {len(ep)} measured models x 100 epochs x 60,000 images: about "
                      f"{total / 60:.1f} minutes (`scripts/knobs.py --full --device cuda`)."]
    return lines


def csv_rows(rows):
    """results.csv's rows (its columns: gpu_check.Results.csv)."""
    for r in rows:
        yield [r["kind"], r["model"], r["shape"], r.get("batch", r.get("images", "")),
               r.get("peer", "cnnc"), "defaults" if r["kind"] == "train-time" else "fp32",
               "", "", "", "", r.get("ms", r.get("epoch_s_60k", "")), r.get("ms_min", ""),
               r.get("ms_max", ""), "", r.get("runs", ""), r.get("compile_s", ""),
               r.get("error", ""), r["status"], r.get("note", "")]
