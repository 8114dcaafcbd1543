"""PyTorch references for the hand-written pipeline inputs (net.mlir,
resblocks.mlir): the modules, their arena layout (parameters in order, each
at a 64-byte aligned offset, as the .mlir files' memref.view offsets say) and
a numeric check of a compiled harness against PyTorch eval output.

    check: pipeline_models.py --model net --exe HARNESS --workdir DIR
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    """The lecture's Net."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(16, 8, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(8 * 8 * 8, 32)
        self.fc2 = nn.Linear(32, 2)

    def forward(self, x):
        out = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        out = F.max_pool2d(torch.tanh(self.conv2(out)), 2)
        out = out.view(-1, 8 * 8 * 8)
        out = torch.tanh(self.fc1(out))
        return self.fc2(out)


class ResBlocks(nn.Module):
    """Two NetResDeep blocks at 16x16x32, batchnorm folded into the conv."""

    def __init__(self):
        super().__init__()
        self.block0 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
        self.block1 = nn.Conv2d(32, 32, kernel_size=3, padding=1)

    def forward(self, x):
        x = torch.relu(self.block0(x)) + x
        return torch.relu(self.block1(x)) + x


MODELS = {
    # name: (module, input shape without batch, output shape without batch, .mlir)
    "net": (Net, (3, 32, 32), (2,), "net.mlir"),
    "resblocks": (ResBlocks, (32, 16, 16), (32, 16, 16), "resblocks.mlir"),
}


def arena_bytes(module):
    """Parameters in declaration order, each at a 64-byte aligned offset."""
    out = bytearray()
    for _, p in module.named_parameters():
        out += b"\0" * ((-len(out)) % 64)
        out += p.detach().numpy().astype("<f4").tobytes()
    return bytes(out)


def make_case(name, batch, seed, workdir):
    """Writes arena.bin and input.bin; returns (module, input tensor)."""
    cls, in_shape, _, _ = MODELS[name]
    torch.manual_seed(seed)
    module = cls().eval()
    x = torch.randn(batch, *in_shape)
    os.makedirs(workdir, exist_ok=True)
    with open(os.path.join(workdir, "arena.bin"), "wb") as f:
        f.write(arena_bytes(module))
    with open(os.path.join(workdir, "input.bin"), "wb") as f:
        f.write(x.numpy().astype("<f4").tobytes())
    return module, x


def harness_args(name, batch, workdir):
    _, in_shape, out_shape, _ = MODELS[name]
    return [os.path.join(workdir, "arena.bin"), os.path.join(workdir, "input.bin"),
            os.path.join(workdir, "output.bin"),
            *map(str, (batch, *in_shape)), *map(str, (batch, *out_shape))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=sorted(MODELS), required=True)
    ap.add_argument("--exe", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tol", type=float, default=1e-4,
                    help="max abs error relative to the output's max abs value")
    args = ap.parse_args()

    module, x = make_case(args.model, args.batch, args.seed, args.workdir)
    subprocess.run([args.exe, *harness_args(args.model, args.batch, args.workdir)],
                   check=True)
    _, _, out_shape, _ = MODELS[args.model]
    got = np.fromfile(os.path.join(args.workdir, "output.bin"), dtype="<f4")
    got = got.reshape(args.batch, *out_shape)
    with torch.no_grad():
        want = module(x).numpy()
    scale = max(float(np.abs(want).max()), 1e-6)
    err = float(np.abs(got - want).max())
    print(f"{args.model}: batch {args.batch} max_abs_err {err:.3g} "
          f"scale {scale:.3g} rel {err / scale:.3g}")
    if not err <= args.tol * scale:
        print("FAIL: error above tolerance", file=sys.stderr)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
