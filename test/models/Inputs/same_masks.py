"""Two executables of one model draw the same dropout masks, bit for bit.

  same_masks.py SHAPE WORKDIR EXE_A EXE_B [--steps K] [--b-args ARGS]

Runs `train-step` on both with the same batch, seed and step count (the
masks of the last step, counter K-1, are reported) and compares every
'mask.<site>' tensor bitwise. EXE_B's extra arguments (e.g. "--device cuda")
come from --b-args. The masks must drop some and keep some elements, so a
constant mask cannot pass."""

import argparse
import os
import shlex
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "runtime", "Inputs"))
from rtref import st_read, st_write  # noqa: E402
from lecture import SHAPES  # noqa: E402


def write_batch(workdir, shape_name, n=6):
    """A batch of n for train-step (--batch); its path."""
    shape = SHAPES[shape_name]
    rng = np.random.default_rng(3)
    x = rng.standard_normal((n, shape["in_chans"], shape["side"], shape["side"])).astype(np.float32)
    labels = (np.arange(n) % shape["n_classes"]).astype(np.int64)
    batch = f"{workdir}/masks-batch.safetensors"
    st_write(batch, [("input", x), ("labels", labels)])
    return batch


def masks_command(exe, batch, steps, out):
    """train-step drawing its own masks (seed 1234, the last step's kept)."""
    return [exe, "train-step", "--batch", batch, "--seed", "1234",
            "--steps", str(steps), "-o", out]


def compare_masks(out_a, out_b):
    """Every 'mask.<site>' of two train-step outputs, bitwise: (lines, ok).
    A constant mask, or no mask at all, is not ok."""
    names = sorted(k for k in out_a if k.startswith("mask."))
    if not names or names != sorted(k for k in out_b if k.startswith("mask.")):
        return [f"mask sites differ or are missing: {names}"], False
    lines, total = [], 0
    for name in names:
        ma, mb = out_a[name], out_b[name]
        dropped = int(np.count_nonzero(ma == 0))
        if dropped == 0 or dropped == ma.size:
            return lines + [f"{name}: a constant mask ({dropped} of {ma.size} dropped)"], False
        same = ma.shape == mb.shape and ma.tobytes() == mb.tobytes()
        lines.append(f"{name} {list(ma.shape)}: {dropped} of {ma.size} dropped, "
                     f"{'bit-identical' if same else 'DIFFERENT'}")
        if not same:
            return lines, False
        total += ma.size
    return lines + [f"masks: {len(names)} site(s), {total} elements, identical"], True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shape")
    ap.add_argument("workdir")
    ap.add_argument("exe_a")
    ap.add_argument("exe_b")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--b-args", default="")
    a = ap.parse_args()
    batch = write_batch(a.workdir, a.shape)
    outs = []
    for tag, exe, extra in (("a", a.exe_a, []), ("b", a.exe_b, shlex.split(a.b_args))):
        out = f"{a.workdir}/masks-{tag}.safetensors"
        subprocess.run(masks_command(exe, batch, a.steps, out) + extra,
                       check=True, stdout=subprocess.DEVNULL)
        outs.append(st_read(out)[1])
    lines, ok = compare_masks(*outs)
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
