"""Writes small IDX files (plain and gzip), good and corrupt, into argv[1], and
prints the summary cnnrt-tool should give for the good set, computed here."""
import gzip
import os
import struct
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def idx(arr, type_byte=0x08):
    return bytes([0, 0, type_byte, arr.ndim]) + b"".join(
        struct.pack(">I", d) for d in arr.shape) + arr.astype(np.uint8).tobytes()


def put(name, blob):
    with open(os.path.join(out, name), "wb") as f:
        f.write(blob)


rng = np.random.default_rng(3)
images = rng.integers(0, 256, size=(7, 4, 3), dtype=np.uint8)
labels = np.array([3, 0, 9, 3, 1, 3, 7], dtype=np.uint8)

# A directory laid out like Debian's Fashion-MNIST: gz train, plain test.
put("train-images-idx3-ubyte.gz", gzip.compress(idx(images)))
put("train-labels-idx1-ubyte.gz", gzip.compress(idx(labels)))
put("t10k-images-idx3-ubyte", idx(images[:5]))
put("t10k-labels-idx1-ubyte", idx(labels[:5]))
# A gzip file whose name does not say so: detection is by magic.
put("images-noext", gzip.compress(idx(images)))

good = idx(images)
put("bad-magic", b"\x01\x02" + good[2:])
put("float-type", idx(images, 0x0D))
put("truncated", good[:-10])
put("trailing", good + b"abc")
put("truncated.gz", gzip.compress(good)[:-30])
z = bytearray(gzip.compress(good))
z[12:20] = b"\xff" * 8
put("corrupt.gz", bytes(z))
put("labels-short", idx(labels[:6]))
put("labels-bad", idx(np.array([3, 0, 9, 10, 1, 3, 7], dtype=np.uint8)))
put("two-dims", idx(images.reshape(7, 12)))
put("zero-dim", bytes([0, 0, 8, 3]) + struct.pack(">III", 7, 0, 3))
put("short-header", bytes([0, 0, 8, 3]) + struct.pack(">I", 7))
put("empty", b"")

# What cnnrt-tool's summary must say (the same format, computed here).
for n in (7, 5):
    print(f"count {n} shape 1x4x3 classes 10")
    print("histogram " + " ".join(map(str, np.bincount(labels[:n], minlength=10))))
    print(f"pixel-sum {int(images[:n].astype(np.int64).sum())}")
    print("first-labels " + " ".join(map(str, labels[:n])))
    x = images[:n].astype(np.float32) / np.float32(255)
    print("image 1 label 0: " + " ".join("%.9g" % v for v in x[1].ravel()[:8]))
