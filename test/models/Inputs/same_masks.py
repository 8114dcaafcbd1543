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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shape")
    ap.add_argument("workdir")
    ap.add_argument("exe_a")
    ap.add_argument("exe_b")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--b-args", default="")
    a = ap.parse_args()
    shape = SHAPES[a.shape]
    rng = np.random.default_rng(3)
    n = 6
    x = rng.standard_normal((n, shape["in_chans"], shape["side"], shape["side"])).astype(np.float32)
    labels = (np.arange(n) % shape["n_classes"]).astype(np.int64)
    batch = f"{a.workdir}/masks-batch.safetensors"
    st_write(batch, [("input", x), ("labels", labels)])
    outs = []
    for tag, exe, extra in (("a", a.exe_a, []), ("b", a.exe_b, shlex.split(a.b_args))):
        out = f"{a.workdir}/masks-{tag}.safetensors"
        subprocess.run([exe, "train-step", "--batch", batch, "--seed", "1234",
                        "--steps", str(a.steps), "-o", out] + extra,
                       check=True, stdout=subprocess.DEVNULL)
        outs.append(st_read(out)[1])
    names = sorted(k for k in outs[0] if k.startswith("mask."))
    if not names or names != sorted(k for k in outs[1] if k.startswith("mask.")):
        sys.exit(f"mask sites differ or are missing: {names}")
    total = 0
    for name in names:
        ma, mb = outs[0][name], outs[1][name]
        dropped = int(np.count_nonzero(ma == 0))
        if dropped == 0 or dropped == ma.size:
            sys.exit(f"{name}: a constant mask ({dropped} of {ma.size} dropped)")
        same = ma.shape == mb.shape and ma.tobytes() == mb.tobytes()
        print(f"{name} {list(ma.shape)}: {dropped} of {ma.size} dropped, "
              f"{'bit-identical' if same else 'DIFFERENT'}")
        if not same:
            sys.exit(1)
        total += ma.size
    print(f"masks: {len(names)} site(s), {total} elements, identical")


if __name__ == "__main__":
    main()
