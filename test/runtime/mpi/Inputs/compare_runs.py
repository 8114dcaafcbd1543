"""Compares `train --print-every 1` outputs with a reference run's.

    compare_runs.py [--rtol R] [--losses-only] REFERENCE OTHER...

Each step's loss must be within R (relative) of the reference's step, the
final train and validation accuracies equal to the 4th decimal (unless
--losses-only: one sample at an argmax's edge may differ). Prints one
line per OTHER, exits 1 on any difference (naming the first step).
"""
import argparse
import re
import sys

STEP = re.compile(r"step (\d+): .* loss ([0-9.e+-]+) \(mean of the last 1 steps?\)")
ACC = re.compile(r"Accuracy (train|val): ([0-9.]+)")


def read(path):
    steps, acc = {}, {}
    with open(path) as f:
        for line in f:
            if m := STEP.search(line):
                steps[int(m.group(1))] = float(m.group(2))
            elif m := ACC.search(line):
                acc[m.group(1)] = float(m.group(2))
    return steps, acc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rtol", type=float, default=1e-5)
    ap.add_argument("--losses-only", action="store_true")
    ap.add_argument("reference")
    ap.add_argument("others", nargs="+")
    a = ap.parse_args()
    ref_steps, ref_acc = read(a.reference)
    if not ref_steps or set(ref_acc) != {"train", "val"}:
        sys.exit(f"{a.reference}: no per-step losses or accuracies")
    ok = True
    for path in a.others:
        steps, acc = read(path)
        if sorted(steps) != sorted(ref_steps):
            print(f"{path}: steps {min(steps, default=0)}..{max(steps, default=0)}, "
                  f"the reference has {min(ref_steps)}..{max(ref_steps)}")
            ok = False
            continue
        worst, where = 0.0, None
        for k, ref in ref_steps.items():
            rel = abs(steps[k] - ref) / max(abs(ref), 1e-30)
            if rel > worst:
                worst, where = rel, k
        same_acc = all(f"{acc.get(s, -1):.4f}" == f"{ref_acc[s]:.4f}"
                       for s in ("train", "val"))
        if worst > a.rtol or not (same_acc or a.losses_only):
            ok = False
        print(f"{path.rsplit('/', 1)[-1]}: {len(steps)} steps, "
              f"{'within' if worst <= a.rtol else 'NOT within'} {a.rtol:g} "
              f"relative (worst {worst:.1e}"
              f"{f' at step {where}' if where is not None else ''}); accuracy "
              f"train {acc.get('train', -1):.4f} val {acc.get('val', -1):.4f} "
              f"{'equal to' if same_acc else 'DIFFERENT from'} the reference's")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
