"""Fashion-MNIST-format folders (IDX files) whose images are not 28x28."""
import os
import struct
import sys

import numpy as np


def idx(arr):
    dims = b"".join(struct.pack(">I", d) for d in arr.shape)
    return bytes([0, 0, 0x08, arr.ndim]) + dims + arr.astype(np.uint8).tobytes()


def folder(name, train_side, test_side, n=30):
    path = os.path.join(sys.argv[1], name)
    os.makedirs(path)
    labels = np.arange(n) % 10
    for split, side in (("train", train_side), ("t10k", test_side)):
        images = np.random.default_rng(side).integers(0, 256, (n, side, side))
        with open(os.path.join(path, f"{split}-images-idx3-ubyte"), "wb") as f:
            f.write(idx(images))
        with open(os.path.join(path, f"{split}-labels-idx1-ubyte"), "wb") as f:
            f.write(idx(labels))


folder("side1", 1, 1)
folder("side27", 27, 27)
folder("side29", 29, 29)
folder("mixed", 28, 27)
