"""Checks a model embedded through --emit=lib against PyTorch.

  check_embed.py HEADER MODEL SHAPE WORKDIR EMBED_EXE
  check_embed.py --checkpoint MODEL SHAPE WORKDIR EMBED_EXE [NAME=VALUE]...

Reads the arena layout from the generated C header, places a PyTorch
module's state_dict tensors at those offsets in a raw arena, runs the C
program, and compares its logits with PyTorch's eval output. With
--checkpoint, the C program gets PyTorch's whole state_dict (a shared
block's tensors under every name) as a safetensors file instead, which it
loads through libcnnrt's C API (Inputs/embed_checkpoint.c)."""

import os
import re
import subprocess
import sys

import numpy as np
import torch

here = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "..", "models", "Inputs"))
from lecture import MODELS, SHAPES, unique_state_dict  # noqa: E402
sys.path.insert(0, os.path.join(here, "..", "..", "..", "..", "runtime", "Inputs"))
from rtref import st_write  # noqa: E402


def compare(model_name, model, batch, got):
    with torch.no_grad():
        expected = model(batch).numpy()
    err = float(np.abs(got - expected).max())
    scale = float(np.abs(expected).max())
    ok = err <= 1e-4 * max(scale, 1.0)
    print(f"embedded {model_name}: logits {list(got.shape)} max abs error {err:.3g} "
          f"{'ok' if ok else 'MISMATCH'}")
    sys.exit(0 if ok else 1)


def checkpoint(model_name, shape_name, workdir, embed, defines):
    torch.manual_seed(7)
    shape = SHAPES[shape_name]
    kw = {k: int(v) for k, v in (d.split("=", 1) for d in defines)}
    model = MODELS[model_name](**shape, **kw).eval()
    st_write(f"{workdir}/full.safetensors",
             [(k, v.numpy().copy()) for k, v in model.state_dict().items()])
    batch = torch.randn(5, shape["in_chans"], shape["side"], shape["side"])
    batch.numpy().tofile(f"{workdir}/input.bin")
    subprocess.run([embed, f"{workdir}/full.safetensors", f"{workdir}/input.bin",
                    "5", f"{workdir}/logits.bin"], check=True)
    got = np.fromfile(f"{workdir}/logits.bin", dtype=np.float32).reshape(5, -1)
    compare(model_name, model, batch, got)


def main():
    if sys.argv[1] == "--checkpoint":
        return checkpoint(*sys.argv[2:6], sys.argv[6:])
    header, model_name, shape_name, workdir, embed = sys.argv[1:6]
    text = open(header).read()
    arena_bytes = int(re.search(r"_ARENA_BYTES (\d+)", text).group(1))
    layout = re.findall(r'\{"([^"]+)", (\d+), (\d+), (\d), (\d)\}', text)

    torch.manual_seed(7)
    shape = SHAPES[shape_name]
    model = MODELS[model_name](**shape).eval()
    state = unique_state_dict(model)
    assert [name for name, *_ in layout] == list(state), "layout order"

    arena = bytearray(arena_bytes)
    for name, offset, count, is_int64, _ in layout:
        t = state[name].numpy().astype(np.int64 if is_int64 == "1" else np.float32)
        assert t.size == int(count), name
        raw = t.tobytes()
        arena[int(offset):int(offset) + len(raw)] = raw
    open(f"{workdir}/arena.bin", "wb").write(arena)

    batch = torch.randn(5, shape["in_chans"], shape["side"], shape["side"])
    batch.numpy().tofile(f"{workdir}/input.bin")
    subprocess.run([embed, f"{workdir}/arena.bin", f"{workdir}/input.bin", "5",
                    f"{workdir}/logits.bin"], check=True)
    got = np.fromfile(f"{workdir}/logits.bin", dtype=np.float32).reshape(5, -1)
    compare(model_name, model, batch, got)


if __name__ == "__main__":
    main()
