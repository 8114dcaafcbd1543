"""Writes safetensors files by hand (per the format, not with any library) for
Inputs/small.layout: a good one and a corpus of corrupt ones, into argv[1]."""
import json
import os
import struct
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(__file__))
import rtref

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def good_tensors():
    # Stored in an order unlike the layout's, to show lookup is by name.
    return [
        ("fc.weight", (np.arange(15, dtype=np.float32).reshape(3, 5) - 7) / 4),
        ("bn.num_batches_tracked", np.array(123456789012, dtype=np.int64)),
        ("conv1.weight", np.linspace(-1, 1, 18, dtype=np.float32).reshape(2, 1, 3, 3)),
        ("conv1.bias", np.array([0.1, -2.5e-8], dtype=np.float32)),
        ("bn.weight", np.array([1.0, 3.0e38], dtype=np.float32)),
        ("bn.running_mean", np.array([-0.0, 7.25], dtype=np.float32)),
    ]


def put(name, blob):
    with open(os.path.join(out, name), "wb") as f:
        f.write(blob)


def raw(header, data, n=None):
    """A file from a header dict (or raw header bytes) and a data section."""
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(text) if n is None else n) + text + data


def parts(tensors):
    """(header dict, data) for tensors, to be tampered with."""
    blob = rtref.st_bytes(tensors, {"format": "pt"})
    (n,) = struct.unpack("<Q", blob[:8])
    return json.loads(blob[8:8 + n]), blob[8 + n:]


good = rtref.st_bytes(good_tensors(), {"format": "pt", "epoch": "4"})
put("good.safetensors", good)
# An unpadded header is legal too.
unpadded = rtref.st_bytes(good_tensors(), {"format": "pt", "epoch": "4"}, pad=False)
assert struct.unpack("<Q", unpadded[:8])[0] % 8 != 0
put("unpadded.safetensors", unpadded)

put("truncated.safetensors", good[:-10])
put("short.safetensors", good[:5])
put("header-too-long.safetensors", struct.pack("<Q", 1000000) + good[8:])
put("bad-json.safetensors", raw(b'{"fc.weight": {"dtype": "F32",', b""))
put("not-object.safetensors", raw(b"[1, 2, 3]", b""))

t = good_tensors()
t[3] = ("conv1.bias", np.array([1, 2], dtype=np.int64))
put("wrong-dtype.safetensors", rtref.st_bytes(t))
t = good_tensors()
t[0] = ("fc.weight", np.zeros((5, 3), dtype=np.float32))
put("wrong-shape.safetensors", rtref.st_bytes(t))
put("missing.safetensors",
    rtref.st_bytes([x for x in good_tensors() if x[0] != "bn.running_mean"]))
put("extra.safetensors",
    rtref.st_bytes(good_tensors() + [("extra.weight", np.ones(3, np.float32))]))

h, d = parts(good_tensors())
h["conv1.bias"]["dtype"] = "F16"
put("f16.safetensors", raw(h, d))
h, d = parts(good_tensors())
h["bn.weight"]["data_offsets"] = [len(d) + 100, len(d) + 108]
put("out-of-range.safetensors", raw(h, d))
h, d = parts(good_tensors())
b, e = h["bn.weight"]["data_offsets"]
h["bn.weight"]["data_offsets"] = [b, e - 4]
put("size-mismatch.safetensors", raw(h, d))
h, d = parts(good_tensors())
h["bn.weight"]["data_offsets"] = h["conv1.bias"]["data_offsets"]
put("overlap.safetensors", raw(h, d))
h, d = parts(good_tensors())
h["bn.running_mean"]["data_offsets"] = [len(d), len(d) + 8]
put("hole.safetensors", raw(h, d + b"\0" * 8))
h, d = parts(good_tensors())
put("trailing.safetensors", raw(h, d + b"\0" * 3))
h, d = parts(good_tensors())
h["conv1.bias"]["shape"] = [-2]
put("negative-shape.safetensors", raw(h, d))
h, d = parts(good_tensors())
b, e = h["conv1.bias"]["data_offsets"]
h["conv1.bias"]["data_offsets"] = [e, b]
put("reversed.safetensors", raw(h, d))
h, d = parts(good_tensors())
h["__metadata__"] = {"epoch": 4}
put("bad-metadata.safetensors", raw(h, d))
os.makedirs(os.path.join(out, "a-directory.safetensors"), exist_ok=True)
