"""Checkpoints of the lecture's shared NetResDeep move between PyTorch and a
compiled model by state_dict name, in both directions.

  check_checkpoint.py WORKDIR EXE N_BLOCKS

PyTorch's state_dict lists the ONE shared ResBlock under every prefix
(resblocks.0.*, resblocks.1.*, ...). This script
  1. writes that full state_dict (every prefix) to safetensors, runs
     `EXE infer --load` and compares the logits with PyTorch's eval mode;
  2. the same with the first prefix only (what unique_state_dict keeps);
  3. writes a full state_dict whose copies of one buffer disagree (for
     EXE to refuse; the test checks the message), as corrupt.safetensors;
  4. runs `EXE init --save`, loads the file into a fresh PyTorch model with
     load_state_dict(strict=True), checks that every name holds the file's
     tensor and every alias equals its resblocks.0 tensor, and that PyTorch's
     logits with those weights equal `EXE infer` on its own initial weights."""

import os
import subprocess
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "runtime", "Inputs"))
from rtref import st_read, st_write  # noqa: E402
from lecture import NetResDeep, SHAPES, perturb, unique_state_dict  # noqa: E402


def run_infer(exe, workdir, batch, weights=None):
    inputs = f"{workdir}/batch.safetensors"
    logits = f"{workdir}/logits.safetensors"
    st_write(inputs, [("input", batch.numpy())])
    cmd = [exe, "infer", "--input", inputs, "--output", logits]
    if weights:
        cmd += ["--load", weights]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return st_read(logits)[1]["logits"]


def compare(what, got, expected):
    assert got.shape == expected.shape, (got.shape, expected.shape)
    scale = float(np.abs(expected).max())
    err = float(np.abs(got - expected).max())
    spread = float(np.abs(expected - expected.mean(axis=0)).max())
    assert spread > 1e-3 * scale, "logits barely depend on the input"
    ok = err <= 1e-4 * max(scale, 1.0)
    print(f"{what}: logits {list(got.shape)} max abs error {err:.3g} "
          f"{'ok' if ok else 'MISMATCH'}")
    return ok


def main():
    workdir, exe, n_blocks = sys.argv[1], sys.argv[2], int(sys.argv[3])
    shape = SHAPES["cifar2"]
    torch.manual_seed(4321)
    model = NetResDeep(n_blocks=n_blocks, shared=True, **shape)
    perturb(model)
    model.eval()
    batch = torch.randn(7, shape["in_chans"], shape["side"], shape["side"])
    with torch.no_grad():
        expected = model(batch).numpy()
    ok = True

    # 1, 2: PyTorch's full state_dict, and its first names only.
    full = [(k, v.numpy().copy()) for k, v in model.state_dict().items()]
    names = [k for k, _ in full]
    assert f"resblocks.{n_blocks - 1}.conv.weight" in names, names
    st_write(f"{workdir}/full.safetensors", full)
    ok &= compare(f"full state_dict ({len(full)} names)",
                  run_infer(exe, workdir, batch, f"{workdir}/full.safetensors"),
                  expected)
    first = [(k, v.numpy()) for k, v in unique_state_dict(model).items()]
    st_write(f"{workdir}/first.safetensors", first)
    ok &= compare(f"first names ({len(first)} names)",
                  run_infer(exe, workdir, batch, f"{workdir}/first.safetensors"),
                  expected)

    # 3: one alias disagrees with the others.
    bad = f"resblocks.{n_blocks - 1}.batch_norm.running_var"
    st_write(f"{workdir}/corrupt.safetensors",
             [(k, v + np.float32(0.5) if k == bad else v) for k, v in full])

    # 4: the compiled model's initial weights, into PyTorch.
    saved = f"{workdir}/init.safetensors"
    subprocess.run([exe, "init", "--save", saved], check=True,
                   stdout=subprocess.DEVNULL)
    _, tensors = st_read(saved)
    fresh = NetResDeep(n_blocks=n_blocks, shared=True, **shape)
    result = fresh.load_state_dict(
        {k: torch.from_numpy(v.copy()) for k, v in tensors.items()}, strict=True)
    print(f"init --save: {len(tensors)} names, load_state_dict(strict=True): "
          f"missing {list(result.missing_keys)}, unexpected "
          f"{list(result.unexpected_keys)}")
    for k, v in fresh.state_dict().items():
        canonical = k
        if k.startswith("resblocks."):
            canonical = "resblocks.0." + k.split(".", 2)[2]
        if not (np.array_equal(v.numpy(), tensors[k]) and
                np.array_equal(tensors[k], tensors[canonical])):
            print(f"init --save: {k} differs from the file's {canonical}")
            ok = False
    fresh.eval()
    with torch.no_grad():
        from_init = fresh(batch).numpy()
    ok &= compare("init --save in PyTorch vs infer", run_infer(exe, workdir, batch),
                  from_init)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
