"""Writes hostile safetensors and gzip IDX files into argv[1]: a number out of
range and a NUL in a tensor name; an IDX file as two gzip members (what
`cat a.gz b.gz` makes), a gzip bomb (a 2x2x2 header, then 50 MB of zeros)
and gzip data followed by junk; a layout too big to allocate."""
import gzip
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def put(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def safetensors(header, data):
    h = header.encode()
    return struct.pack("<Q", len(h)) + h + data


def idx(dims, data):
    return (bytes([0, 0, 8, len(dims)]) +
            b"".join(struct.pack(">I", d) for d in dims) + bytes(data))


put("huge-number.safetensors", safetensors(
    '{"a": {"dtype": "F32", "shape": [1e400], "data_offsets": [0, 4]}}',
    bytes(4)))
put("nul-name.safetensors", safetensors(
    '{"a\\u0000b": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}',
    bytes(4)))
images = idx([3, 4, 5], range(60))
put("plain", images)
put("two-members.gz", gzip.compress(images[:30]) + gzip.compress(images[30:]))
put("bomb.gz", gzip.compress(idx([2, 2, 2], range(8)) + bytes(50 << 20)))
put("junk-after.gz", gzip.compress(images) + b"junk")
# 2^40 floats: 4 TiB.
put("huge.layout", b"huge.weight f32 [1048576,1048576] param zeros\n")
