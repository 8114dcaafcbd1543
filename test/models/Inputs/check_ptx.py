"""cnnc's PTX for one model, assembled by ptxas and held to the GPU's budgets.

  check_ptx.py PTXAS ARCH FILE.ptx

Fails (exit 1, naming the kernel) when a kernel spills to local memory, has
a stack frame, uses more than MAX_REGISTERS registers (so that a 256-thread
block leaves room for several blocks per SM) or more shared memory than a
block may have, or when the PTX calls a function (nothing is linked in) or
holds no fused multiply-add. Prints one summary line."""

import re
import subprocess
import sys

MAX_REGISTERS = 64
MAX_SHARED_BYTES = 48 * 1024


def main():
    ptxas, arch, path = sys.argv[1:4]
    ptx = open(path).read()
    kernels = re.findall(r"\.entry\s+(\w+)", ptx)
    problems = []
    if not kernels:
        problems.append("no kernels")
    if re.search(r"^\s*call", ptx, re.M):
        problems.append("the PTX calls a function")
    if ".local" in ptx:
        problems.append("the PTX uses .local memory")
    fmas = len(re.findall(r"\bfma\.rn\.f32\b", ptx))
    if fmas == 0:
        problems.append("no fma.rn.f32")
    run = subprocess.run([ptxas, f"-arch={arch}", "-v", "-o", "/dev/null", path],
                         capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        sys.exit(f"ptxas failed on {path}")
    # ptxas -v: per kernel "Compiling entry function 'K'", then its stack
    # frame / spills line and its "Used N registers" line.
    current, most = None, 0
    for line in run.stderr.splitlines():
        m = re.search(r"Compiling entry function '(\w+)'", line)
        if m:
            current = m.group(1)
        m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
        if m and any(int(g) for g in m.groups()):
            problems.append(f"{current}: {m.group(0)}")
        m = re.search(r"Used (\d+) registers", line)
        if m:
            most = max(most, int(m.group(1)))
            if int(m.group(1)) > MAX_REGISTERS:
                problems.append(f"{current}: {m.group(1)} registers > {MAX_REGISTERS}")
        m = re.search(r"(\d+) bytes smem", line)
        if m and int(m.group(1)) > MAX_SHARED_BYTES:
            problems.append(f"{current}: {m.group(1)} bytes of shared memory")
    status = "ok" if not problems else "FAIL: " + "; ".join(problems)
    print(f"{len(kernels)} kernels for {arch}, at most {most} registers, "
          f"{fmas} fma.rn.f32: {status}")
    sys.exit(0 if not problems else 1)


if __name__ == "__main__":
    main()
