"""Compiled inference against PyTorch's eval mode for one lecture network.

  check_infer.py MODEL SHAPE WORKDIR EXE [INFER-FLAGS...]

Builds the network in PyTorch (lecture.py), gives every parameter and
batchnorm buffer non-trivial values, writes them and a batch to safetensors,
runs `EXE infer` (with INFER-FLAGS, e.g. --device cuda), and compares the logits with PyTorch's: the max abs error
must be within 1e-4 of the logits' scale."""

import os
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "runtime", "Inputs"))
from rtref import st_read, st_write  # noqa: E402
from lecture import MODELS, SHAPES, perturb, unique_state_dict  # noqa: E402


def main():
    model_name, shape_name, workdir, exe = sys.argv[1:5]
    infer_flags = sys.argv[5:]
    shape = SHAPES[shape_name]
    torch.manual_seed(1234)
    model = MODELS[model_name](**shape)
    perturb(model)
    model.eval()

    batch = torch.randn(7, shape["in_chans"], shape["side"], shape["side"])
    with torch.no_grad():
        expected = model(batch).numpy()

    weights = f"{workdir}/{model_name}-{shape_name}.safetensors"
    inputs = f"{workdir}/{model_name}-{shape_name}-batch.safetensors"
    logits = f"{workdir}/{model_name}-{shape_name}-logits.safetensors"
    st_write(weights, [(k, v.numpy()) for k, v in unique_state_dict(model).items()])
    st_write(inputs, [("input", batch.numpy())])
    subprocess.run([exe, "infer", *infer_flags, "--load", weights, "--input", inputs,
                    "--output", logits], check=True, stdout=subprocess.DEVNULL)
    _, out = st_read(logits)
    got = out["logits"]
    assert got.shape == expected.shape, (got.shape, expected.shape)
    scale = float(np.abs(expected).max())
    err = float(np.abs(got - expected).max())
    spread = float(np.abs(expected - expected.mean(axis=0)).max())
    assert spread > 1e-3 * scale, "logits barely depend on the input"
    status = "ok" if err <= 1e-4 * max(scale, 1.0) else "MISMATCH"
    print(f"{model_name} {shape_name}: logits {list(got.shape)} max abs error "
          f"{err:.3g} (scale {scale:.3g}) {status}")
    sys.exit(0 if status == "ok" else 1)


if __name__ == "__main__":
    main()
