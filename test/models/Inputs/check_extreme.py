"""Extreme finite values through a compiled two-layer network, against PyTorch.

  check_extreme.py loss WORKDIR EXE DATA_DIR
  check_extreme.py penalty WORKDIR EXE {l1|l2|weight-decay|none} {huge|inf}

EXE is Inputs/extreme.cnn: out(relu(hidden(x.view(-1, 784)))), hidden
784 -> 16, out 16 -> 10.

loss: logits of 1e20 and mixes of huge finite values. Sample i of the batch
is the one-hot image at pixel i and hidden passes pixel i to unit i, so the
logits of sample i are exactly column i of out.weight: ten equal logits of
1e20 or -1e20, 3e38 against -3e38 (a difference that overflows float), 1e20
beside small ones. `train-step` must give PyTorch's cross-entropy (ln 10 for
ten equal logits, however large), its gradients and the SGD update; `eval`
on DATA_DIR, with a zero out.weight and ten logits of 1e20 as out.bias
(every sample ties), PyTorch's mean loss, ln 10.

penalty: one coefficient of the penalty or weight decay nonzero (or none),
the others 0, and parameters so large that the sum of squares overflows
float (huge: 1e20 on pixels no sample lights), or a hidden bias of -inf
(inf: a unit relu keeps at 0, gradient 0; the cross-entropy stays finite). The
lecture's loop adds a term only for the penalty it uses (loss + l1 * sum |p|:
no l2 term at all), and torch.optim.SGD adds no weight decay of 0, so a
coefficient of 0 must add nothing: no 0 * inf = NaN in the loss or the
update. Compared: the loss, its parts and every updated parameter, exactly
where PyTorch's value is not finite.
"""

import math
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "runtime", "Inputs"))
from rtref import st_read, st_write  # noqa: E402

torch.set_num_threads(1)
SIDE, HIDDEN, K = 28, 16, 10
TOLERANCE = 1e-5
BIG = 1e20


class Extreme(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(SIDE * SIDE, HIDDEN)
        self.out = torch.nn.Linear(HIDDEN, K)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x.flatten(1))))


def extreme_rows():
    """Batches of logit rows (one per sample) with their labels: each row's
    loss small, then rows whose loss is huge."""
    tied = [
        ([BIG] * K, 0),                              # ten equal huge logits
        ([BIG] * K, 7),
        ([-BIG] * K, 3),                             # ten equal huge negative
        ([3e38] * K, 9),                             # near float's maximum
        ([3e38, -3e38] + [0.0] * (K - 2), 0),        # z - max overflows to -inf
        ([BIG, BIG] + [-BIG] * (K - 2), 1),          # two tie at the top
        ([BIG, 1.0, 2.0, 3.0] + [0.0] * (K - 4), 0),  # huge beside small
        ([BIG + 1e13 * j for j in range(K)], 9),     # close huge values
    ]
    far = [
        ([BIG, 1.0, 2.0, 3.0] + [0.0] * (K - 4), 2),  # the label far below
        ([BIG + 1e13 * j for j in range(K)], 4),
        ([BIG] * K, 5),
    ]
    return {"tied": tied, "far": far}


def compare(label, got, expected, failures, magnitude=None):
    """Where PyTorch's value is inf or NaN, the same; elsewhere within
    TOLERANCE of the tensor's largest finite magnitude or, where given, of
    `magnitude`, the sum of the absolute values of the terms that make each
    element (a sum whose terms cancel is exact only up to their size)."""
    got = np.asarray(got, dtype=np.float64).reshape(np.shape(expected))
    expected = np.asarray(expected, dtype=np.float64)
    finite = np.isfinite(expected)
    if not np.array_equal(got[~finite], expected[~finite], equal_nan=True):
        failures.append(f"{label}: non-finite values differ: got {got[~finite][:8]}, "
                        f"PyTorch {expected[~finite][:8]}")
        return
    if not finite.any():
        return
    scale = max(float(np.abs(expected[finite]).max()), 1e-6)
    allowed = np.full(expected.shape, TOLERANCE * scale)
    if magnitude is not None:
        allowed = np.maximum(allowed, TOLERANCE * np.asarray(magnitude, np.float64))
    with np.errstate(invalid="ignore"):
        err = np.where(finite, np.abs(got - expected), 0.0)
    bad = ~(err <= allowed) & finite  # a NaN fails too
    if bad.any():
        i = np.flatnonzero(bad)[0]
        failures.append(f"{label}: {int(bad.sum())} values off, e.g. [{i}]: got "
                        f"{got.ravel()[i]:.8g}, PyTorch {expected.ravel()[i]:.8g}")


def one_hot_batch(n):
    x = np.zeros((n, 1, SIDE, SIDE), np.float32)
    for i in range(n):
        x[i, 0, 0, i] = 1.0
    return x


def pass_through_hidden():
    """hidden weight and bias passing pixel i to unit i."""
    w = np.zeros((HIDDEN, SIDE * SIDE), np.float32)
    w[np.arange(HIDDEN), np.arange(HIDDEN)] = 1.0
    return w, np.zeros(HIDDEN, np.float32)


def torch_model(state):
    model = Extreme()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(state[name]))
    return model


def train_step(workdir, exe, tag, state, x, labels, flags):
    params = f"{workdir}/{tag}-params.safetensors"
    batch = f"{workdir}/{tag}-batch.safetensors"
    out = f"{workdir}/{tag}-out.safetensors"
    st_write(params, list(state.items()))
    st_write(batch, [("input", x), ("labels", labels)])
    subprocess.run([exe, "train-step", "--load", params, "--batch", batch,
                    "-o", out, "--seed", "1"] + flags,
                   check=True, stdout=subprocess.DEVNULL)
    return st_read(out)[1]


def magnitudes(model, x, dlogits):
    """Per gradient element, the sum of the absolute values of its terms."""
    xf = x.flatten(1).abs()
    pre = model.hidden(x.flatten(1))
    h = torch.relu(pre)
    dh = (dlogits.abs() @ model.out.weight.abs()) * (pre > 0)
    return {"hidden.weight": dh.T @ xf, "hidden.bias": dh.sum(0),
            "out.weight": dlogits.abs().T @ h.abs(), "out.bias": dlogits.abs().sum(0)}


def check_loss(workdir, exe, data_dir):
    failures = []
    hw, hb = pass_through_hidden()
    lr = 1e-3
    for tag, rows in extreme_rows().items():
        n = len(rows)
        ow = np.zeros((K, HIDDEN), np.float32)
        for i, (logits, _) in enumerate(rows):
            ow[:, i] = np.float32(logits)
        state = {"hidden.weight": hw, "hidden.bias": hb,
                 "out.weight": ow, "out.bias": np.zeros(K, np.float32)}
        labels = np.array([label for _, label in rows], np.int32)
        x = one_hot_batch(n)
        out = train_step(workdir, exe, f"loss-{tag}", state, x, labels,
                         ["--lr", repr(lr), "--penalty", "none"])

        model = torch_model(state)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        xt = torch.from_numpy(x)
        logits = model(xt)
        logits.retain_grad()
        target = torch.from_numpy(labels).long()
        ce = F.cross_entropy(logits, target)
        opt.zero_grad()
        ce.backward()
        with torch.no_grad():
            mags = magnitudes(model, xt, logits.grad)
        compare(f"{tag} logits", out["logits"], logits.detach().numpy(), failures)
        compare(f"{tag} loss.cross_entropy", out["loss.cross_entropy"], ce.item(), failures)
        for name, p in model.named_parameters():
            compare(f"{tag} grad.{name}", out[f"grad.{name}"], p.grad.numpy(), failures,
                    mags[name].numpy())
        before = {name: p.detach().clone() for name, p in model.named_parameters()}
        opt.step()
        for name, p in model.named_parameters():
            compare(f"{tag} {name}", out[name], p.detach().numpy(), failures,
                    (before[name].abs() + lr * mags[name]).numpy())
        per_row = F.cross_entropy(logits, target, reduction="none")
        print(f"{tag}: per-sample loss (PyTorch):", " ".join(f"{v:.6g}" for v in per_row.tolist()))
        print(f"{tag}: train-step cross-entropy {float(out['loss.cross_entropy']):.6g}, "
              f"PyTorch {ce.item():.6g}")

    # eval: every sample's logits are out.bias, ten times 1e20.
    tied = f"{workdir}/tied.safetensors"
    st_write(tied, [("hidden.weight", hw), ("hidden.bias", hb),
                    ("out.weight", np.zeros((K, HIDDEN), np.float32)),
                    ("out.bias", np.full(K, BIG, np.float32))])
    text = subprocess.run([exe, "eval", "--load", tied, "--data-dir", data_dir],
                          check=True, capture_output=True, text=True).stdout
    loss = [line for line in text.splitlines() if line.startswith("loss:")]
    got = float(loss[0].split()[1]) if loss else float("nan")
    expected = F.cross_entropy(torch.full((4, K), BIG), torch.tensor([0, 3, 5, 9])).item()
    compare("eval loss", got, expected, failures)
    print(f"eval loss {got:.6g}, PyTorch {expected:.6g} (ln 10 = {math.log(10):.6g})")
    return failures


def check_penalty(workdir, exe, which, kind):
    failures = []
    rng = np.random.default_rng(3)
    n = 6
    state = {
        "hidden.weight": (rng.standard_normal((HIDDEN, SIDE * SIDE)) * 0.05).astype(np.float32),
        "hidden.bias": (rng.standard_normal(HIDDEN) * 0.05).astype(np.float32),
        "out.weight": (rng.standard_normal((K, HIDDEN)) * 0.05).astype(np.float32),
        "out.bias": (rng.standard_normal(K) * 0.05).astype(np.float32),
    }
    # huge: weights on pixels no sample lights (1e20 x 0 adds 0 to the
    # logits): Σp² overflows float, Σ|p| does not. inf: unit 15 is always
    # off, its bias -inf (what it feeds is 0, its gradient 0).
    if kind == "huge":
        state["hidden.weight"][:, -20:] = BIG
        state["hidden.weight"][3, -1] = -BIG
    else:
        state["hidden.bias"][15] = -np.inf
    x = one_hot_batch(n)
    labels = (np.arange(n) % K).astype(np.int32)
    lr, coef = 1e-3, 1e-4
    l1 = coef if which == "l1" else 0.0
    l2 = coef if which == "l2" else 0.0
    wd = coef if which == "weight-decay" else 0.0
    out = train_step(workdir, exe, f"penalty-{which}-{kind}", state, x, labels,
                     ["--lr", repr(lr), "--weight-decay", repr(wd),
                      "--penalty", f"l2:{l2!r},l1:{l1!r}"])

    model = torch_model(state)
    params = list(model.parameters())
    opt = torch.optim.SGD(params, lr=lr, weight_decay=wd)
    logits = model(torch.from_numpy(x))
    ce = F.cross_entropy(logits, torch.from_numpy(labels).long())
    # The lecture's loop: the term of the penalty in use, none for the other.
    penalty = torch.zeros(())
    if l2:
        penalty = penalty + l2 * sum(p.pow(2.0).sum() for p in params)
    if l1:
        penalty = penalty + l1 * sum(p.abs().sum() for p in params)
    loss = ce + penalty
    opt.zero_grad()
    loss.backward()
    opt.step()
    compare("loss.cross_entropy", out["loss.cross_entropy"], ce.item(), failures)
    compare("loss.penalty", out["loss.penalty"], penalty.item(), failures)
    compare("loss", out["loss"], loss.item(), failures)
    for name, p in model.named_parameters():
        compare(name, out[name], p.detach().numpy(), failures)
    nan = sum(int(np.isnan(out[name]).sum()) for name, _ in model.named_parameters())
    print(f"{which} {kind}: loss {float(out['loss']):.6g} (PyTorch {loss.item():.6g}), penalty "
          f"{float(out['loss.penalty']):.6g} (PyTorch {penalty.item():.6g}), NaN parameters "
          f"after the step {nan} (PyTorch {sum(int(p.isnan().sum()) for p in params)})")
    return failures


def main():
    mode, workdir, exe = sys.argv[1:4]
    if mode == "loss":
        failures = check_loss(workdir, exe, sys.argv[4])
    else:
        failures = check_penalty(workdir, exe, sys.argv[4], sys.argv[5])
    for f in failures:
        print("MISMATCH", f)
    print(" ".join(sys.argv[1:2] + sys.argv[4 if mode == "penalty" else 5:]) + ":",
          "ok" if not failures else "MISMATCH")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
