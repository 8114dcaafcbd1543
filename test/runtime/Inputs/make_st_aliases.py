"""Writes safetensors files by hand for Inputs/shared.layout, whose blk.0.*
tensors are also named blk.1.* and blk.2.*: PyTorch's full state_dict (every
name), the first names only, aliases only, and broken variants, into argv[1]."""
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(__file__))
from rtref import st_write  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

conv = np.array([0.5, -1.5], dtype=np.float32).reshape(2, 1, 1, 1)
w = np.array([[1.0, 2.0], [3.0, -4.0]], dtype=np.float32)
nbt = np.array(17, dtype=np.int64)
bias = np.array([0.125, 0.25, 0.375], dtype=np.float32)


def put(name, tensors):
    st_write(f"{out}/{name}.safetensors", tensors, {"format": "pt"})


# As PyTorch's state_dict lists them, in its order.
put("all", [("conv.weight", conv), ("blk.0.w", w), ("blk.0.nbt", nbt),
            ("blk.1.w", w), ("blk.1.nbt", nbt), ("blk.2.w", w),
            ("blk.2.nbt", nbt), ("fc.bias", bias)])
put("first", [("conv.weight", conv), ("blk.0.w", w), ("blk.0.nbt", nbt),
              ("fc.bias", bias)])
put("aliases-only", [("fc.bias", bias), ("blk.2.w", w), ("blk.1.nbt", nbt),
                     ("conv.weight", conv)])
# blk.2.w stored first, so the message must still name blk.0.w first.
put("differ", [("blk.2.w", w + np.float32(1)), ("conv.weight", conv),
               ("blk.0.w", w), ("blk.0.nbt", nbt), ("blk.1.w", w),
               ("fc.bias", bias)])
put("differ-aliases", [("conv.weight", conv), ("blk.2.nbt", nbt),
                       ("blk.1.nbt", nbt + 1), ("blk.1.w", w),
                       ("fc.bias", bias)])
put("missing", [("conv.weight", conv), ("blk.1.nbt", nbt), ("fc.bias", bias)])
put("alias-shape", [("conv.weight", conv), ("blk.0.w", w),
                    ("blk.1.w", w.reshape(4)), ("blk.0.nbt", nbt),
                    ("fc.bias", bias)])
put("unexpected", [("conv.weight", conv), ("blk.0.w", w), ("blk.3.w", w),
                   ("blk.0.nbt", nbt), ("fc.bias", bias)])
