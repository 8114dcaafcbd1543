"""Two train-step outputs (safetensors) of one model, e.g. --device cuda's
and --device cpu's, hold the same thing:

  same_outputs.py A B [--tol T]

the same tensor names, dtypes and shapes; dropout masks and integer
tensors (num_batches_tracked) equal exactly (the masks are keyed Philox
on both devices); every other tensor within T (default 1e-4) of its
scale (max |value| of B's tensor, at least 1e-3): the two devices sum in
different orders."""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "runtime", "Inputs"))
from rtref import st_read  # noqa: E402


def main():
    a_path, b_path = sys.argv[1], sys.argv[2]
    tol = float(sys.argv[sys.argv.index("--tol") + 1]) if "--tol" in sys.argv else 1e-4
    _, a = st_read(a_path)
    _, b = st_read(b_path)
    if list(a) != list(b):
        sys.exit(f"different tensors: {list(a)} vs {list(b)}")
    worst = 0.0
    for name in a:
        x, y = np.asarray(a[name]), np.asarray(b[name])
        if x.dtype != y.dtype or x.shape != y.shape:
            sys.exit(f"{name}: {x.dtype} {x.shape} vs {y.dtype} {y.shape}")
        if name.startswith("mask.") or not np.issubdtype(x.dtype, np.floating):
            if not np.array_equal(x, y):
                sys.exit(f"{name}: differs (must be equal)")
            continue
        scale = max(float(np.max(np.abs(y))) if y.size else 0.0, 1e-3)
        err = float(np.max(np.abs(x.astype(np.float64) - y))) / scale if y.size else 0.0
        if not err <= tol:
            sys.exit(f"{name}: error {err:.3g} of its scale, above {tol}")
        worst = max(worst, err)
    print(f"same outputs: {len(a)} tensors, worst {worst:.1e} of scale")


if __name__ == "__main__":
    main()
