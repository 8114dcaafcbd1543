"""Two `train --log X.jsonl` runs of one model on one data set, e.g. on the
GPU and on the CPU, agree: the same epochs and steps, every epoch's
training and validation loss within 1e-3 relative, its accuracies within
0.01 (the devices sum in different orders, so a sample near the decision
boundary may flip).

  same_training.py A.jsonl B.jsonl"""

import json
import sys


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


a, b = records(sys.argv[1]), records(sys.argv[2])
if len(a) != len(b) or not a:
    sys.exit(f"{len(a)} epochs vs {len(b)}")
for x, y in zip(a, b):
    for key in ("epoch", "step"):
        if x[key] != y[key]:
            sys.exit(f"{key}: {x[key]} vs {y[key]}")
    for key in ("loss", "val_loss"):
        if not abs(x[key] - y[key]) <= 1e-3 * abs(y[key]):
            sys.exit(f"epoch {y['epoch']}: {key} {x[key]} vs {y[key]}")
    for key in ("train_acc", "val_acc"):
        if not abs(x[key] - y[key]) <= 0.01:
            sys.exit(f"epoch {y['epoch']}: {key} {x[key]} vs {y[key]}")
print(f"same training: {len(a)} epochs, step {a[-1]['step']}")
