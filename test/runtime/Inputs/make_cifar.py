"""Writes a small CIFAR-10 binary folder (a few records per batch file) into
argv[1], plus broken variants, and prints the summaries cnnrt-tool should
give for: train (all classes), train with classes 0,2 (CIFAR-2), test."""
import os
import shutil
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(11)


def write_folder(path, files):
    os.makedirs(path, exist_ok=True)
    for name, (labels, images) in files.items():
        rec = np.concatenate([labels[:, None].astype(np.uint8),
                              images.reshape(len(labels), 3072)], axis=1)
        with open(os.path.join(path, name), "wb") as f:
            f.write(rec.tobytes())


files = {}
for name, n in [("data_batch_1.bin", 9), ("data_batch_2.bin", 5),
                ("data_batch_3.bin", 6), ("data_batch_4.bin", 4),
                ("data_batch_5.bin", 8), ("test_batch.bin", 7)]:
    labels = rng.integers(0, 10, size=n)
    labels[:2] = (0, 2)  # every file has an airplane and a bird
    files[name] = (labels, rng.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8))
write_folder(os.path.join(out, "cifar"), files)

# Broken folders: one problem each.
bad = dict(files)
del bad["data_batch_3.bin"]
write_folder(os.path.join(out, "missing"), bad)
write_folder(os.path.join(out, "truncated"), files)
with open(os.path.join(out, "truncated", "data_batch_4.bin"), "r+b") as f:
    f.truncate(3073 * 2 + 100)
write_folder(os.path.join(out, "bad-label"), files)
with open(os.path.join(out, "bad-label", "data_batch_2.bin"), "r+b") as f:
    f.seek(3073 * 4)
    f.write(bytes([12]))
write_folder(os.path.join(out, "empty"), files)
open(os.path.join(out, "empty", "test_batch.bin"), "wb").close()


def summary(names, classes):
    labels = np.concatenate([files[n][0] for n in names])
    images = np.concatenate([files[n][1] for n in names])
    if classes:
        keep = np.isin(labels, classes)
        labels = np.array([classes.index(l) for l in labels[keep]], dtype=np.int64)
        images = images[keep]
    k = len(classes) if classes else 10
    print(f"count {len(labels)} shape 3x32x32 classes {k}")
    print("histogram " + " ".join(map(str, np.bincount(labels, minlength=k))))
    print(f"pixel-sum {int(images.astype(np.int64).sum())}")
    print("first-labels " + " ".join(map(str, labels[:10])))
    x = images.astype(np.float32) / np.float32(255)
    print(f"image 1 label {labels[1]}: " + " ".join("%.9g" % v for v in x[1].ravel()[:8]))
    x = x.astype(np.float64)
    for c in range(3):
        v = x[:, c].ravel()
        print("channel %d mean %.9f std %.9f" % (c, v.mean(), v.std(ddof=1)))


train = [f"data_batch_{i}.bin" for i in range(1, 6)]
summary(train, None)
summary(train, [0, 2])
summary(["test_batch.bin"], [2, 0])
