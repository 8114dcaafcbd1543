"""Arbiter for bench/peers.py's training-step check: the lecture's PyTorch
class run in float64 on a case's weights and batch, and every f32
implementation's gradients (cnnc's and each peer's, as peers.py left them in
the case folder) measured against it.

Usage: bench/.venv/bin/python bench/float64_step.py build/peers/cifar2-net_res_deep

It also lists, for every F.max_pool2d of the forward, the smallest gap
between the two largest inputs of a window (float64, positive maxima only):
two f32 computations that round such a window's inputs differently route its
gradient to different inputs, so a gap near f32's rounding (1e-7 relative)
explains a gradient that differs in one channel only.
"""
import glob
import os
import shlex
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from common import lecture_module, load  # noqa: E402


def case_of(folder):
    """(model stem, constructor kwargs) from the compile command peers.py
    recorded beside the executable."""
    [stamp] = glob.glob(os.path.join(folder, "*.command"))
    words = shlex.split(open(stamp).read())
    stem = os.path.basename(words[1])[:-len(".cnn")]
    kwargs = {}
    for i, w in enumerate(words):
        if w == "-D":
            k, v = words[i + 1].split("=")
            kwargs[k] = int(v)
    return stem, kwargs


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    stem, kwargs = case_of(folder)
    model = lecture_module().MODELS[stem](**kwargs).double().train()
    state = {k: torch.from_numpy(v.copy()) for k, v in load(
        os.path.join(folder, "weights.safetensors")).items()}
    model.load_state_dict({k: v.double() if v.is_floating_point() else v
                           for k, v in state.items()})
    batch = load(os.path.join(folder, "batch.safetensors"))
    x = torch.from_numpy(batch["input"]).double()
    y = torch.from_numpy(batch["labels"].astype(np.int64))

    pools = []
    plain = F.max_pool2d

    def recording(inp, *args, **kw):
        pools.append(inp.detach())
        return plain(inp, *args, **kw)
    F.max_pool2d = recording
    try:
        F.cross_entropy(model(x), y).backward()
    finally:
        F.max_pool2d = plain

    runs = sorted(glob.glob(os.path.join(folder, "*-train.safetensors")))
    names = [os.path.basename(r)[:-len("-train.safetensors")] for r in runs]
    outputs = [load(r) for r in runs]
    print(f"{stem} {kwargs}: worst error against float64, relative to the "
          "gradient's largest magnitude")
    print("  " + "parameter".ljust(36) + "".join(n.rjust(15) for n in names))
    for name, p in model.named_parameters():
        ref = p.grad.numpy()
        scale = float(np.abs(ref).max())
        # A gradient that is 0 up to rounding (a conv's bias before a
        # batchnorm): its absolute error, marked.
        zero = scale < 1e-10
        cells = []
        for out in outputs:
            g = out.get(f"grad.{name}")
            err = None if g is None else float(np.abs(g - ref).max())
            cells.append("-" if err is None else
                         f"{err:.1e} abs" if zero else f"{err / scale:.1e}")
        print("  " + name.ljust(36) + "".join(c.rjust(15) for c in cells))
    for i, inp in enumerate(pools):
        n, c, h, w = inp.shape
        windows = inp[:, :, :h - h % 2, :w - w % 2].unfold(2, 2, 2).unfold(3, 2, 2)
        top = windows.reshape(n, c, h // 2, w // 2, 4).topk(2, dim=-1).values
        gap = (top[..., 0] - top[..., 1]) / top[..., 0].abs().clamp_min(1e-30)
        gap = gap[top[..., 0] > 0]
        where = torch.nonzero((top[..., 0] - top[..., 1]) / top[..., 0].abs().clamp_min(1e-30)
                              == gap.min())[0].tolist()
        print(f"  max_pool2d #{i}: smallest relative gap between a window's two largest "
              f"inputs {gap.min().item():.1e} (sample {where[0]}, channel {where[1]})")


if __name__ == "__main__":
    main()
