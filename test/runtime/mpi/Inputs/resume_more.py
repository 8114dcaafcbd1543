"""resume_more.py CKPT N COMMAND...: runs COMMAND --resume CKPT --epochs E
with E the checkpoint's epoch plus N, so a test resumes a run whose last
epoch depends on timing (a rank killed while the others train on)."""
import json
import struct
import subprocess
import sys

ckpt, more, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
with open(ckpt, "rb") as f:
    (size,) = struct.unpack("<Q", f.read(8))
    epoch = int(json.loads(f.read(size))["__metadata__"]["epoch"])
sys.exit(subprocess.run(command + ["--resume", ckpt, "--epochs", str(epoch + more)]).returncode)
