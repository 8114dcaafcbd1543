"""Checks that `train`'s final validation accuracy and `eval`'s on the saved
checkpoint are the same figure.

  same_accuracy.py TRAIN_OUTPUT EVAL_OUTPUT"""

import re
import sys


def figure(path, pattern):
    with open(path) as f:
        m = re.search(pattern, f.read(), re.MULTILINE)
    if not m:
        sys.exit(f"{path}: no line matching {pattern!r}")
    return m.group(1)


train = figure(sys.argv[1], r"^Accuracy val: ([0-9.]+)")
evaluated = figure(sys.argv[2], r"^accuracy: ([0-9.]+)")
if train != evaluated:
    sys.exit(f"train says {train}, eval says {evaluated}")
print(f"validation accuracy {train} in train and eval")
