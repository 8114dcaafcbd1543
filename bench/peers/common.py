"""What every peer of bench/peers.py shares: the case it is handed (model,
shape, weights, batch, SGD settings), checkpoints, and the comparison with
cnnc's numbers.

A case is a dict made by bench/peers.py:
  model      models/<model>.cnn's stem (net, ..., net_res_deep)
  shape      {in_chans, side, n_classes}
  defines    other -D model parameters ({"n_blocks": 100})
  weights    a safetensors checkpoint cnnc's `init --save` wrote (buffers
             perturbed), with PyTorch state_dict names, shared-block aliases
             included
  batch      safetensors: 'input' F32 [N, C, H, W], 'labels' I64 [N]
  masks      safetensors: 'mask.<site>' F32 [N, C] per dropout2d site, the
             masks cnnc's train-step drew (1/(1-p) kept, 0 dropped), or ""
  sgd        {lr, momentum, dampening, weight_decay, nesterov, l2, l1}: the
             model's train { } settings as the executable's `info` states them
  threads    the thread count every peer is pinned to
"""
import os
import sys

import numpy as np
from safetensors.numpy import load_file, save_file

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)
# The lecture's PyTorch classes: the ones the tests check cnnc against.
LECTURE = os.path.join(ROOT, "test", "models", "Inputs")

TOLERANCE = 1e-4   # relative to the largest magnitude of the reference tensor
ABSOLUTE = 1e-6    # for tensors that are 0 up to rounding
# How far f32 itself spreads a training step's gradients and updated state
# (never loss or logits) in the lecture's nets, measured against float64
# (bench/RESULTS.md): a max-pool near-tie, 100 batchnorm blocks.
FP32_SPREAD = 2e-2


def lecture_module():
    """test/models/Inputs/lecture.py, imported."""
    if LECTURE not in sys.path:
        sys.path.insert(0, LECTURE)
    import lecture  # noqa: E402
    return lecture


def model_kwargs(case):
    return {**case["shape"], **case.get("defines", {})}


def load(path):
    return load_file(path)


def save(path, tensors):
    # np.array keeps 0-d tensors 0-d (np.ascontiguousarray makes them [1]).
    save_file({k: np.array(v, order="C") for k, v in tensors.items()}, path)


def compare(label, got, want, tolerance=TOLERANCE):
    """(relative error, message or None): |got - want| <= tolerance x the
    largest |want| + ABSOLUTE, elementwise maximum."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.size == want.size == 1:
        got, want = got.reshape(()), want.reshape(())
    if got.shape != want.shape:
        return float("inf"), f"{label}: shape {got.shape}, cnnc's {want.shape}"
    scale = float(np.abs(want).max()) if want.size else 0.0
    err = float(np.abs(got - want).max()) if want.size else 0.0
    rel = err / max(scale, ABSOLUTE / TOLERANCE)
    if not err <= tolerance * scale + ABSOLUTE:
        return rel, (f"{label}: max abs error {err:.3g} > {tolerance} x {scale:.3g} "
                     f"+ {ABSOLUTE}")
    return rel, None


def cross_entropy_gradient(total, p, sgd):
    """The gradient of the cross-entropy alone (what cnnc's train-step
    reports as grad.<name>) from that of the whole loss: less the penalty's
    2 l2 p + l1 sign(p)."""
    return total - 2 * sgd["l2"] * p - sgd["l1"] * np.sign(p)


def compare_step(got, want, tolerance=TOLERANCE):
    """A peer's training step (got: logits, loss, grad.<name> of the
    cross-entropy, the updated float state under state_dict names) against
    cnnc's train-step output (want). Returns (worst relative error,
    mismatches). The gradients are what shows the backward pass: an update
    of lr x gradient is below 1e-4 of many weights."""
    worst, problems = 0.0, []
    for name in sorted(got):
        if name not in want:
            problems.append(f"{name}: not in cnnc's train-step output")
            continue
        if got[name].dtype.kind != "f":
            continue  # num_batches_tracked: a counter, no arithmetic
        rel, problem = compare(name, got[name], want[name],
                               TOLERANCE if name in ("loss", "logits") else tolerance)
        worst = max(worst, rel)
        if problem:
            problems.append(problem)
    grads = [k for k in want if k.startswith("grad.")]
    for name in ["logits", "loss"] + grads:
        if name not in got:
            problems.append(f"{name}: the peer did not report it")
    return worst, problems
