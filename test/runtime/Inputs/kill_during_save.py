"""kill_during_save.py DIR N: N times, `cnnrt-tool st-copy` of one of two
different 8 MB checkpoints (A and B, written by rtref) over DIR/out, killed
with SIGKILL at a random moment (seeded). Afterwards DIR/out must be byte for
byte A or B, never a mixture or a truncation. Prints how many runs were
killed before and after the rename, and "ok" or what went wrong."""
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import rtref  # noqa: E402

out_dir, runs = sys.argv[1], int(sys.argv[2])
os.makedirs(out_dir, exist_ok=True)
a, b, out = (os.path.join(out_dir, n) for n in ("a", "b", "out"))
rtref.st_write(a, [("w", np.zeros(1 << 21, np.float32))])
rtref.st_write(b, [("w", np.ones(1 << 21, np.float32))])
# The bytes cnnrt writes for each (its header layout, not rtref's).
versions = set()
for src in (a, b):
    subprocess.run(["cnnrt-tool", "st-copy", src, out], check=True)
    versions.add(open(out, "rb").read())
rng = random.Random(1)
killed = finished = 0
for i in range(runs):
    p = subprocess.Popen(["cnnrt-tool", "st-copy", (a, b)[i % 2], out])
    time.sleep(rng.uniform(0, 0.05))
    p.send_signal(signal.SIGKILL)
    p.wait()
    if p.returncode == -signal.SIGKILL:
        killed += 1
    else:
        finished += 1
    if open(out, "rb").read() not in versions:
        sys.exit(f"run {i}: out is neither checkpoint")
print("killed", "some" if killed else "none", "ok")
