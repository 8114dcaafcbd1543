"""Reads files the C++ writer made, by hand (rtref.st_read checks the layout
of the bytes strictly), and compares them with independent expectations.

usage: check_written.py init FILE SEED       (Inputs/small.layout's init specs)
       check_written.py same A B             (same tensors, metadata, order)
"""
import os
import struct
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(__file__))
import rtref


def check_padding(path):
    (n,) = struct.unpack("<Q", open(path, "rb").read(8))
    assert n % 8 == 0, f"header length {n} is not padded to 8"


mode = sys.argv[1]
if mode == "init":
    path, seed = sys.argv[2], int(sys.argv[3])
    check_padding(path)
    header, t = rtref.st_read(path)
    names = [k for k in header if k != "__metadata__"]
    assert names == ["conv1.weight", "conv1.bias", "bn.weight", "bn.running_mean",
                     "bn.num_batches_tracked", "fc.weight"], names
    assert header["__metadata__"] == {"seed": str(seed)}
    # Stream index = position in the layout.
    assert np.array_equal(t["conv1.weight"].ravel(),
                          rtref.uniform(seed, 0, 18, -0.3333, 0.3333))
    assert np.array_equal(t["conv1.bias"], rtref.uniform(seed, 1, 2, -0.3333, 0.3333))
    assert np.array_equal(t["bn.weight"], [0.5, 0.5])
    assert np.array_equal(t["bn.running_mean"], [0, 0])
    assert t["bn.num_batches_tracked"].shape == () and t["bn.num_batches_tracked"] == 3
    assert t["fc.weight"].shape == (3, 5)
    assert np.allclose(t["fc.weight"].ravel(), rtref.normal(seed, 5, 15, 0, 0.1),
                       rtol=0, atol=1e-6)
    print("init ok")
elif mode == "same":
    check_padding(sys.argv[3])
    ha, a = rtref.st_read(sys.argv[2])
    hb, b = rtref.st_read(sys.argv[3])
    assert ha.get("__metadata__") == hb.get("__metadata__"), (ha, hb)
    order = lambda h: sorted((v["data_offsets"][0], k) for k, v in h.items()
                             if k != "__metadata__")
    assert [k for _, k in order(ha)] == [k for _, k in order(hb)]
    for k in a:
        assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape, k
        assert a[k].tobytes() == b[k].tobytes(), k  # bit-exact, -0 included
    print("same ok")
