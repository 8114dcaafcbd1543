"""Feeds mutated checkpoints and IDX files to cnnrt-tool: every outcome must be
success or a clean "error: ..." with status 1 (never a crash, abort or
sanitizer report). Deterministic: a fixed seed.

usage: fuzz.py ST_DIR IDX_DIR TMP"""
import os
import random
import subprocess
import sys

st_dir, idx_dir, tmp = sys.argv[1:4]
layout = os.path.join(os.path.dirname(__file__), "small.layout")
rng = random.Random(1234)


def mutate(blob):
    blob = bytearray(blob)
    kind = rng.randrange(4)
    if kind == 0 and blob:  # flip bytes, biased towards the header
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(min(len(blob), 400))
            blob[i] = rng.randrange(256)
    elif kind == 1:  # truncate
        del blob[rng.randrange(len(blob) + 1):]
    elif kind == 2:  # insert junk
        i = rng.randrange(len(blob) + 1)
        blob[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    else:  # overwrite a digit in the JSON / a dimension byte
        i = rng.randrange(min(len(blob), 400))
        blob[i] = ord(rng.choice("0123456789[],:\"{}-"))
    return bytes(blob)


def check(cmd, what):
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if r.returncode not in (0, 1) or (r.returncode == 1 and
                                      not r.stderr.startswith("error: ")):
        sys.exit(f"{what}: status {r.returncode}\n{r.stderr[-2000:]}")
    return r.returncode


outcomes = [0, 0]
good_st = open(os.path.join(st_dir, "good.safetensors"), "rb").read()
for n in range(150):
    path = os.path.join(tmp, "fuzz.safetensors")
    open(path, "wb").write(mutate(good_st))
    outcomes[check(["cnnrt-tool", "load", layout, path], f"safetensors #{n}")] += 1
    check(["cnnrt-tool", "st-read", path], f"safetensors read #{n}")
for name in ("t10k-images-idx3-ubyte", "train-images-idx3-ubyte.gz"):
    good = open(os.path.join(idx_dir, name), "rb").read()
    for n in range(60):
        path = os.path.join(tmp, "fuzz.idx")
        open(path, "wb").write(mutate(good))
        outcomes[check(["cnnrt-tool", "idx", path], f"{name} #{n}")] += 1
print("fuzz ok" if outcomes[1] > 0 else "fuzz: nothing was rejected?")
