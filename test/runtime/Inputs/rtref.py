"""Independent references for the runtime tests, written from the formats'
and algorithms' descriptions (not from the C++ code): a safetensors reader and
writer done by hand with struct/json/numpy, Philox-4x32-10, and the cnnrt
stream conventions documented in runtime/include/cnnrt/Philox.h."""

import json
import math
import struct

import numpy as np

DTYPES = {"F32": np.dtype("<f4"), "I64": np.dtype("<i8"), "I32": np.dtype("<i4")}


def st_bytes(tensors, metadata=None, pad=True, order=None):
    """tensors: list of (name, numpy array); returns the file's bytes."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    data = b""
    for name, arr in tensors:
        dtype = {np.dtype("float32"): "F32", np.dtype("int64"): "I64",
                 np.dtype("int32"): "I32"}[arr.dtype]
        raw = arr.astype(DTYPES[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def st_write(path, tensors, metadata=None):
    with open(path, "wb") as f:
        f.write(st_bytes(tensors, metadata))


def st_read(path):
    """Returns (header dict, {name: array}); checks the format strictly."""
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    assert 8 + n <= len(blob), "header length beyond file"
    header = json.loads(blob[8:8 + n].decode())
    data = blob[8 + n:]
    tensors = {}
    spans = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        dt = DTYPES[info["dtype"]]
        count = int(np.prod(info["shape"], dtype=np.int64))
        assert e - b == count * dt.itemsize, name
        tensors[name] = np.frombuffer(data[b:e], dtype=dt).reshape(info["shape"])
        spans.append((b, e))
    spans.sort()
    at = 0
    for b, e in spans:
        assert b == at, "hole or overlap"
        at = e
    assert at == len(data), "data section not covered exactly"
    return header, tensors


M32 = 0xFFFFFFFF


def philox4x32(ctr, key, rounds=10):
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for r in range(rounds):
        if r:
            k0 = (k0 + 0x9E3779B9) & M32
            k1 = (k1 + 0xBB67AE85) & M32
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0, p1 & M32, (p0 >> 32) ^ c3 ^ k1,
                          p0 & M32)
    return [c0, c1, c2, c3]


DOMAIN_INIT, DOMAIN_SHUFFLE = 1, 2


def stream_words(seed, domain, stream, n):
    key = (seed & M32, seed >> 32)
    out = []
    for b in range((n + 3) // 4):
        out += philox4x32((b & M32, b >> 32, stream, domain), key)
    return np.array(out[:n], dtype=np.uint64)


def uniform01(words):
    """(x >> 8) * 2^-24 in float32: exact."""
    return ((words >> 8).astype(np.float32) * np.float32(2.0 ** -24)).astype(np.float32)


def uniform(seed, stream, n, low, high):
    u = uniform01(stream_words(seed, DOMAIN_INIT, stream, n)).astype(np.float64)
    return (low + (high - low) * u).astype(np.float32)


def normal(seed, stream, n, mean, std):
    w = stream_words(seed, DOMAIN_INIT, stream, n + (-n) % 4)
    out = np.empty(len(w), dtype=np.float64)
    for i in range(0, len(w), 2):
        u1 = float((int(w[i]) >> 8) + 1) * 2.0 ** -24
        u2 = float(int(w[i + 1]) >> 8) * 2.0 ** -24
        r = math.sqrt(-2.0 * math.log(u1))
        out[i] = r * math.cos(2 * math.pi * u2)
        out[i + 1] = r * math.sin(2 * math.pi * u2)
    return (mean + std * out[:n]).astype(np.float32)


def dropout_mask(seed, step, site, count, p):
    """Elements [0, count) of dropout site `site`'s mask at global step
    `step`, keyed as model_abi.h says: philox4x32_10(counter = (e, site,
    lo32(step), hi32(step)), key = (lo32(seed), hi32(seed))), kept iff
    uniform(x0) >= p, kept ones 1/(1-p) in float32."""
    key = (seed & M32, seed >> 32)
    scale = np.float32(1.0 / (1.0 - p))
    u = uniform01(np.array([philox4x32((e, site, step & M32, step >> 32), key)[0]
                            for e in range(count)], dtype=np.uint64))
    return np.where(u.astype(np.float64) >= p, scale, np.float32(0)).astype(np.float32)


# The epoch shuffle of Batching.h: Fisher-Yates from the back, j = Lemire's
# unbiased pick of [0, i] on sequential words of the stream (seed, Shuffle
# domain, epoch).
class Words:
    def __init__(self, seed, epoch):
        self.key = (seed & M32, seed >> 32)
        self.epoch, self.i, self.block = epoch, 0, None

    def next(self):
        b = self.i // 4
        if self.block is None or self.block[0] != b:
            self.block = (b, philox4x32(
                (b & M32, b >> 32, self.epoch, DOMAIN_SHUFFLE), self.key))
        w = self.block[1][self.i % 4]
        self.i += 1
        return w


def below(words, n):
    m = words.next() * n
    if (m & M32) < n:
        t = (2 ** 32 - n) % n
        while (m & M32) < t:
            m = words.next() * n
    return m >> 32


def shuffle(n, seed, epoch):
    order = list(range(n))
    words = Words(seed, epoch)
    for i in range(n - 1, 0, -1):
        j = below(words, i + 1)
        order[i], order[j] = order[j], order[i]
    return order
