"""Compiled training steps against PyTorch's for one lecture network.

  check_train_step.py MODEL SHAPE WORKDIR EXE [-D NAME=VALUE]... [--steps K]
                      [--given-masks] [--exe-defaults]
                      [--lr LR] [--momentum M] [--dampening D] [--nesterov]
                      [--weight-decay WD] [--l2 L] [--l1 L]
                      [--exe-arg ARG]...

Builds the network in PyTorch (lecture.py) with non-trivial weights and
batchnorm statistics, writes them and a batch to safetensors, runs
`EXE train-step` K times on the batch and the lecture's loop in PyTorch
(cross-entropy + the penalty over model.parameters(), torch.optim.SGD) from
the same state, and compares: logits, loss and its parts, every gradient of
the cross-entropy, every updated parameter, batchnorm buffer and momentum
buffer (each within 1e-4 of its tensor's scale, plus 1e-6 for tensors that
are 0 up to rounding). Dropout in PyTorch applies
the masks train-step reports (one step), or masks this script draws and
passes to both (--given-masks, any number of steps). --exe-arg adds an
argument to train-step's command line (e.g. --exe-arg=--device
--exe-arg=cuda); --out keeps train-step's output there."""

import argparse
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "runtime", "Inputs"))
from rtref import st_read, st_write  # noqa: E402
from lecture import MODELS, SHAPES, perturb, unique_state_dict  # noqa: E402
from other_ops import OtherOps  # noqa: E402

MODELS = {**MODELS, "other_ops": OtherOps}

TOLERANCE = 1e-4
# Tensors whose exact value is 0 (a conv bias before a batchnorm gets a
# gradient of 0 up to rounding) have no scale to be relative to.
ABSOLUTE = 1e-6


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("shape")
    ap.add_argument("workdir")
    ap.add_argument("exe")
    ap.add_argument("-D", dest="defines", action="append", default=[],
                    help="a model parameter the executable was compiled with")
    ap.add_argument("--steps", type=int, default=1)
    ap.add_argument("--given-masks", action="store_true")
    ap.add_argument("--exe-defaults", action="store_true",
                    help="pass no optimizer flags to EXE: the model file's "
                         "train section must give the same ones")
    ap.add_argument("--batch", type=int, default=6)
    ap.add_argument("--conv1-bias-offset", type=float, default=0.0,
                    help="added to conv1's bias: a batchnorm after it then "
                         "sees means far from 0 and from its running mean")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.0)
    ap.add_argument("--dampening", type=float, default=0.0)
    ap.add_argument("--nesterov", action="store_true")
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--l2", type=float, default=0.0)
    ap.add_argument("--l1", type=float, default=0.0)
    ap.add_argument("--exe-arg", dest="exe_args", action="append", default=[],
                    help="an extra argument for EXE train-step")
    ap.add_argument("--out", help="train-step's output file (default: in WORKDIR)")
    return ap.parse_args()


def dropout_modules(model):
    """The dropout modules in the order of their sites (forward order)."""
    return [(name, m) for name, m in model.named_modules()
            if isinstance(m, (torch.nn.Dropout, torch.nn.Dropout2d))]


def use_masks(model, masks):
    """Makes each dropout module multiply by its mask ([N, E])."""
    for name, m in dropout_modules(model):
        device = next(model.parameters()).device
        mask = torch.from_numpy(np.array(masks[name])).to(device)

        def forward(x, mask=mask, channelwise=isinstance(m, torch.nn.Dropout2d)):
            if channelwise:
                return x * mask[:, :, None, None]
            return x * mask.reshape(x.shape)
        m.forward = forward


def compare(label, got, expected, failures):
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape and got.size == expected.size == 1:
        got, expected = got.reshape(()), expected.reshape(())
    if got.shape != expected.shape:
        failures.append(f"{label}: shape {got.shape} != {expected.shape}")
        return 0.0
    scale = max(float(np.abs(expected).max()) if expected.size else 0.0, 1e-6)
    err = float(np.abs(got - expected).max()) if expected.size else 0.0
    if not err <= TOLERANCE * scale + ABSOLUTE:
        failures.append(f"{label}: max abs error {err:.3g} > {TOLERANCE} x scale {scale:.3g} + {ABSOLUTE}")
    return err / max(scale, ABSOLUTE / TOLERANCE)


def make_case(model_name, shape_name, defines=None, batch=6, bias_offset=0.0):
    """The network with non-trivial weights and statistics, a batch and its
    labels, all on the CPU."""
    shape = SHAPES[shape_name]
    # relu and max-pool make a step discontinuous: an activation within
    # rounding of a kink may go either way in two correct float32
    # computations (PyTorch's own float32 and float64 disagree there too).
    # The weights and batch come from a seed whose data keeps clear of the
    # kinks for these networks; CHECK_SEED tries others.
    torch.manual_seed(int(os.environ.get("CHECK_SEED", "1")))
    model = MODELS[model_name](**shape, **(defines or {}))
    perturb(model)
    model.train()
    if bias_offset:
        with torch.no_grad():
            model.conv1.bias += bias_offset
    x = torch.randn(batch, shape["in_chans"], shape["side"], shape["side"])
    labels = torch.arange(batch) % shape["n_classes"]
    return model, x, labels


def write_case(model, x, labels, params_path, batch_path):
    st_write(params_path, [(name, t.detach().cpu().numpy().copy())
                           for name, t in unique_state_dict(model).items()])
    st_write(batch_path, [("input", x.cpu().numpy()), ("labels", labels.cpu().numpy())])


def optimizer_flags(h):
    """train-step's flags for the hyperparameters h (lr, momentum, dampening,
    nesterov, weight_decay, l2, l1)."""
    return ["--lr", repr(h.lr), "--momentum", repr(h.momentum),
            "--dampening", repr(h.dampening),
            "--nesterov", "true" if h.nesterov else "false",
            "--weight-decay", repr(h.weight_decay),
            "--penalty", f"l2:{h.l2!r},l1:{h.l1!r}"]


def draw_masks(model, x, seed=5):
    """Dropout masks for every site, [N, E] and scaled by 1 / (1 - p): what
    --masks gives train-step (the same masks in every step)."""
    rng = np.random.default_rng(seed)
    masks = {}
    for name, m in dropout_modules(model):
        # The activation's channels (dropout2d) or size (dropout): from a
        # forward hook.
        shapes = {}
        def record(module, inputs, output, shapes=shapes):
            shapes["s"] = inputs[0].shape
        h = m.register_forward_hook(record)
        with torch.no_grad():
            model.eval()
            model(x[:1])
            model.train()
        h.remove()
        s = shapes["s"]
        e = s[1] if isinstance(m, torch.nn.Dropout2d) else int(np.prod(s[1:]))
        keep = (rng.random((x.shape[0], e)) >= m.p).astype(np.float32)
        masks[name] = keep * np.float32(1.0 / (1.0 - m.p))
    return masks


def write_masks(masks, path):
    st_write(path, [(f"mask.{name}", v) for name, v in masks.items()])


def reference(model, x, labels, masks, h, steps):
    """The lecture's loop in PyTorch, `steps` SGD steps from model's state on
    model's device; returns what compare_outputs checks."""
    if masks is not None:
        use_masks(model, masks)
    params = [p for _, p in model.named_parameters()]
    opt = torch.optim.SGD(params, lr=h.lr, momentum=h.momentum,
                          dampening=h.dampening, nesterov=h.nesterov,
                          weight_decay=h.weight_decay)
    for step in range(steps):
        logits = model(x)
        ce = F.cross_entropy(logits, labels)
        penalty = (h.l2 * sum(p.pow(2.0).sum() for p in params)
                   + h.l1 * sum(p.abs().sum() for p in params))
        loss = ce + penalty
        opt.zero_grad()
        ce_grads = torch.autograd.grad(ce, params, retain_graph=True)
        loss.backward()
        opt.step()
    return dict(model=model, logits=logits, ce=ce, penalty=penalty, loss=loss,
                ce_grads=ce_grads, params=params, opt=opt)


def compare_outputs(out, ref):
    """train-step's outputs (a safetensors dict) against reference()'s:
    (worst relative error, failures, number of gradients)."""
    def host(t):
        return t.detach().cpu().numpy()
    model = ref["model"]
    failures, worst = [], 0.0
    worst = max(worst, compare("logits", out["logits"], host(ref["logits"]), failures))
    worst = max(worst, compare("loss.cross_entropy", out["loss.cross_entropy"], ref["ce"].item(), failures))
    worst = max(worst, compare("loss.penalty", out["loss.penalty"], float(ref["penalty"]), failures))
    worst = max(worst, compare("loss", out["loss"], ref["loss"].item(), failures))
    names = [name for name, _ in model.named_parameters()]
    for name, g in zip(names, ref["ce_grads"]):
        worst = max(worst, compare(f"grad.{name}", out[f"grad.{name}"], host(g), failures))
    for name, t in unique_state_dict(model).items():
        worst = max(worst, compare(name, out[name], host(t), failures))
    for name, p in zip(names, ref["params"]):
        state = ref["opt"].state[p]
        if "momentum_buffer" in state and state["momentum_buffer"] is not None:
            worst = max(worst, compare(f"momentum_buffer.{name}", out[f"momentum_buffer.{name}"],
                                       host(state["momentum_buffer"]), failures))
    return worst, failures, len(names)


def main():
    a = parse()
    defines = {k: int(v) for k, v in (d.split("=", 1) for d in a.defines)}
    model, x, labels = make_case(a.model, a.shape, defines, a.batch,
                                 a.conv1_bias_offset)

    tag = f"{a.model}-{a.shape}-{a.steps}"
    params_path = f"{a.workdir}/{tag}-params.safetensors"
    batch_path = f"{a.workdir}/{tag}-batch.safetensors"
    masks_path = f"{a.workdir}/{tag}-masks.safetensors"
    out_path = a.out or f"{a.workdir}/{tag}-out.safetensors"
    write_case(model, x, labels, params_path, batch_path)
    cmd = [a.exe, "train-step", "--load", params_path, "--batch", batch_path,
           "-o", out_path, "--steps", str(a.steps), "--seed", "11"]
    if not a.exe_defaults:
        cmd += optimizer_flags(a)
    masks = None
    if a.given_masks:
        masks = draw_masks(model, x)
        write_masks(masks, masks_path)
        cmd += ["--masks", masks_path]
    elif dropout_modules(model) and a.steps != 1:
        sys.exit("generated masks differ per step: use --given-masks with --steps")
    subprocess.run(cmd + a.exe_args, check=True, stdout=subprocess.DEVNULL)
    _, out = st_read(out_path)

    if dropout_modules(model) and not a.given_masks:
        masks = {name: out[f"mask.{name}"] for name, _ in dropout_modules(model)}
    worst, failures, n = compare_outputs(out, reference(model, x, labels, masks, a, a.steps))
    for f in failures:
        print("MISMATCH", f)
    status = "ok" if not failures else "MISMATCH"
    print(f"{a.model} {a.shape} {a.steps} step(s): {n} gradients, "
          f"worst relative error {worst:.2g} {status}")
    sys.exit(0 if not failures else 1)


if __name__ == "__main__":
    main()
