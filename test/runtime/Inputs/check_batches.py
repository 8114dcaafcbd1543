"""Checks epoch permutations and batch gathering against a Python
re-implementation of the documented shuffle (Batching.h: Fisher-Yates from the
back, j = Lemire's unbiased pick of [0, i] on the Philox stream (seed,
Shuffle domain, epoch)), and batches against the CIFAR files read directly.

usage: check_batches.py CIFAR_DIR TMP"""
import os
import subprocess
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(__file__))
import rtref

cifar, tmp = sys.argv[1], sys.argv[2]


def perms(n, seed, epoch, count=1):
    out = subprocess.run(["cnnrt-tool", "perm", str(n), str(seed), str(epoch),
                          str(count)], check=True, capture_output=True, text=True)
    return [list(map(int, line.split())) for line in out.stdout.splitlines()]


for n in (1, 2, 3, 1000, 1001):
    for seed, epoch in ((0, 0), (5, 1), (2 ** 64 - 1, 2 ** 32 - 1)):
        p = perms(n, seed, epoch)[0]
        assert sorted(p) == list(range(n)), (n, seed, epoch)
        assert p == rtref.shuffle(n, seed, epoch), (n, seed, epoch)
# Fresh order each epoch; different seeds differ; reproducible.
a = perms(1000, 1, 0, 3)
assert a[0] != a[1] != a[2] and a[0] != a[2]
assert perms(1000, 2, 0)[0] != a[0]
assert perms(1000, 1, 2)[0] == a[2]

# All 24 orders of 4 items, about equally often: chi-square with 23 degrees of
# freedom, 99.9th percentile 49.73 (a fixed seed, so no flakiness).
counts = {}
for p in perms(4, 99, 0, 2400):
    counts[tuple(p)] = counts.get(tuple(p), 0) + 1
assert len(counts) == 24, counts
chi2 = sum((c - 100) ** 2 / 100 for c in counts.values())
assert chi2 < 49.73, chi2

# Batches of CIFAR-2 (train), read independently from the .bin files.
labels, images = [], []
for i in range(1, 6):
    rec = np.fromfile(f"{cifar}/data_batch_{i}.bin", dtype=np.uint8).reshape(-1, 3073)
    keep = np.isin(rec[:, 0], (0, 2))
    labels.append(np.where(rec[keep, 0] == 0, 0, 1))
    images.append(rec[keep, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / np.float32(255))
labels, images = np.concatenate(labels), np.concatenate(images)
n, bs, seed, epoch = len(labels), 4, 31, 3
assert n % bs != 0, "want a partial last batch"
out = f"{tmp}/batches.safetensors"
subprocess.run(["cnnrt-tool", "batches", "cifar", cifar, "train", "0,2", str(bs),
                str(seed), str(epoch), out], check=True, capture_output=True)
_, t = rtref.st_read(out)
order = t["order"]
assert list(order) == rtref.shuffle(n, seed, epoch)
nb = (n + bs - 1) // bs
assert len(t) == 1 + 2 * nb, sorted(t)
for b in range(nb):
    idx = order[b * bs:(b + 1) * bs]
    assert t[f"images.{b}"].shape == (len(idx), 3, 32, 32)
    assert np.array_equal(t[f"images.{b}"], images[idx]), b
    assert np.array_equal(t[f"labels.{b}"], labels[idx]), b
assert len(t[f"labels.{nb - 1}"]) == n % bs
print(f"batching ok: {n} samples, {nb} batches, last {n % bs}")
