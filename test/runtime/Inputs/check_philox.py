"""Checks rtref's Philox against the published vectors, then the C++ streams
(u32 words, uniform, normal) against rtref, then the streams' statistics."""
import subprocess
import sys
import tempfile

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, __file__.rsplit("/", 1)[0])
import rtref

KAT = [((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
       ((rtref.M32,) * 4, (rtref.M32,) * 2,
        (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
       ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1))]
for ctr, key, want in KAT:
    assert rtref.philox4x32(ctr, key) == list(want), (ctr, key)

if len(sys.argv) < 2:
    sys.exit(0)
tool = sys.argv[1]
tmp = tempfile.mkdtemp()


def run(*args):
    out = f"{tmp}/s.safetensors"
    subprocess.run([tool, "stream", *map(str, args), out], check=True)
    return rtref.st_read(out)[1]["values"]


# A 64-bit seed exercises both key words; stream 5 the third counter word.
seed = 0x123456789ABCDEF
n = 1003  # not a multiple of 4: the last block is partly used
words = run("u32", n, seed, 5)
assert np.array_equal(words.astype(np.uint64), rtref.stream_words(seed, 1, 5, n))

u = run("uniform", n, seed, 5, -0.25, 0.75)
assert np.array_equal(u, rtref.uniform(seed, 5, n, -0.25, 0.75)), "uniform differs"

z = run("normal", n, seed, 5, 1.5, 2.0)
ref = rtref.normal(seed, 5, n, 1.5, 2.0)
assert np.allclose(z, ref, rtol=0, atol=1e-5), np.abs(z - ref).max()

# Statistics over a longer stream: uniform(0,1) has mean 1/2, std 1/sqrt(12);
# the tolerances are about 6 standard errors.
n = 200000
u = run("uniform", n, 7, 0, 0, 1).astype(np.float64)
assert u.min() >= 0 and u.max() < 1
assert abs(u.mean() - 0.5) < 6 * 0.2887 / n ** 0.5, u.mean()
assert abs(u.std() - 0.288675) < 0.002, u.std()
z = run("normal", n, 7, 1, 3, 0.5).astype(np.float64)
assert abs(z.mean() - 3) < 6 * 0.5 / n ** 0.5, z.mean()
assert abs(z.std() - 0.5) < 0.005, z.std()
# A different stream index gives different numbers.
assert not np.array_equal(run("u32", 16, seed, 5), run("u32", 16, seed, 6))
print("streams ok")
