"""PyTorch references for `train` and `train-step` of the fake models
(runtime/tools/cnnrt-fake-model.cpp), written from model_abi.h's contract and
PyTorch's documented semantics, not from the C++: the same modules as
cli_ref.py in float64, torch.optim.SGD, the lecture's penalty added to the
loss, dropout masks from rtref's own Philox keyed as model_abi.h says, the
epoch shuffle from rtref.shuffle.

usage: train_ref.py batch MODEL OUT N SEED [i32]   'input' and random 'labels'
       train_ref.py masks OUT N SEED                random 'mask.hidden_dropout'
       train_ref.py check-step MODEL PARAMS BATCH OUT [--masks M] [SGD flags]
       train_ref.py check-train MODEL INIT DIR CKPT OUTPUT [--log L] [flags]
           (train's stdout in OUTPUT; --data, --classes as cli_ref's)
       train_ref.py same-tensors A B       equal names and bytes, any metadata
SGD flags: --steps K --seed S --lr --momentum --dampening --weight-decay
           --nesterov --l2 --l1 (check-train: --epochs --batch-size --limit)
"""
import argparse
import json
import os
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(__file__))
import cli_ref
import rtref

torch.set_num_threads(1)
TOL = 1e-4
DROP_P, HIDDEN = 0.25, 16  # FakeMnist's one dropout site, "hidden_dropout"


def close(name, got, ref):
    """Norm-wise relative error max|got - ref| / max|ref| <= TOL."""
    got, ref = np.asarray(got, np.float64), np.asarray(ref, np.float64)
    assert got.shape == ref.shape, (name, got.shape, ref.shape)
    scale = max(float(np.abs(ref).max()) if ref.size else 0.0, 1e-12)
    err = float(np.abs(got - ref).max()) / scale if ref.size else 0.0
    assert err <= TOL, f"{name}: relative error {err:.3g} against PyTorch"


def module_of(model, path):
    module = cli_ref.load(model, path).double()
    module.train()
    return module


def forward(module, model, x, mask):
    """The train-mode forward: FakeMnist drops hidden units with `mask`."""
    if model == "mnist":
        h = torch.tanh(module.hidden(x.flatten(1)) - module.bn.running_mean)
        return module.out(h * mask)
    return module(x)


class Trainer:
    """One model, one optimizer: model_abi.h's train_step in PyTorch."""

    def __init__(self, model, module, a):
        self.model, self.module = model, module
        self.params = list(module.parameters())
        self.names = [n for n, _ in module.named_parameters()]
        self.l2, self.l1 = a.l2, a.l1
        self.opt = torch.optim.SGD(self.params, lr=a.lr, momentum=a.momentum,
                                   dampening=a.dampening, weight_decay=a.weight_decay,
                                   nesterov=a.nesterov)

    def step(self, x, y, mask):
        self.opt.zero_grad()
        logits = forward(self.module, self.model, x, mask)
        ce = F.cross_entropy(logits, y)
        penalty = sum(self.l2 * (p ** 2).sum() + self.l1 * p.abs().sum()
                      for p in self.params)
        # The gradient slots hold the cross-entropy's gradient alone.
        grads = torch.autograd.grad(ce, self.params, retain_graph=True)
        (ce + penalty).backward()
        self.opt.step()
        if self.model == "mnist":
            self.module.bn.num_batches_tracked += 1
        return logits.detach(), float(ce), float(penalty), grads

    def momentum(self, p):
        buf = self.opt.state[p].get("momentum_buffer")
        return np.zeros(p.shape) if buf is None else buf.numpy()


def check_state(trainer, tensors, momentum_prefix):
    """Parameters, buffers and momentum buffers of `tensors` against the
    trainer's; the model's tensors must load strictly into the module."""
    for name, v in trainer.module.state_dict().items():
        if v.dtype == torch.long:
            assert np.array_equal(tensors[name], v.numpy()), name
        else:
            close(name, tensors[name], v.numpy())
    for name, p in zip(trainer.names, trainer.params):
        close(momentum_prefix + name, tensors[momentum_prefix + name], trainer.momentum(p))
    names = list(trainer.module.state_dict())
    state = {k: torch.from_numpy(tensors[k].copy()) for k in names}
    cli_ref.MODELS[trainer.model]().load_state_dict(state)  # strict


def sgd_flags(p):
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.0)
    p.add_argument("--dampening", type=float, default=0.0)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--nesterov", action="store_true")
    p.add_argument("--l2", type=float, default=0.0)
    p.add_argument("--l1", type=float, default=0.0)


def check_step(argv):
    p = argparse.ArgumentParser()
    for name in ("model", "params", "batch", "out"):
        p.add_argument(name)
    p.add_argument("--masks")
    p.add_argument("--steps", type=int, default=1)
    sgd_flags(p)
    a = p.parse_args(argv)
    trainer = Trainer(a.model, module_of(a.model, a.params), a)
    _, b = rtref.st_read(a.batch)
    x = torch.from_numpy(b["input"].astype(np.float64))
    y = torch.from_numpy(b["labels"].astype(np.int64))
    n = len(y)
    given = None
    if a.masks:
        given = rtref.st_read(a.masks)[1]["mask.hidden_dropout"]
    for step in range(a.steps):
        mask = None
        if a.model == "mnist":
            mask = given if given is not None else \
                rtref.dropout_mask(a.seed, step, 0, n * HIDDEN, DROP_P).reshape(n, HIDDEN)
            mask = mask.astype(np.float32)
        logits, ce, penalty, grads = trainer.step(
            x, y, None if mask is None else torch.from_numpy(mask.astype(np.float64)))

    header, t = rtref.st_read(a.out)
    expected = {"logits", "loss", "loss.cross_entropy", "loss.penalty"}
    expected |= {"grad." + n_ for n_ in trainer.names}
    expected |= {"momentum_buffer." + n_ for n_ in trainer.names}
    expected |= set(trainer.module.state_dict())
    if a.model == "mnist":
        expected.add("mask.hidden_dropout")
        # The masks are the reference's bit for bit: the Philox keying.
        assert np.array_equal(t["mask.hidden_dropout"], mask), "masks differ"
    assert set(t) == expected, sorted(set(t) ^ expected)
    assert header["__metadata__"]["steps"] == str(a.steps), header["__metadata__"]
    close("logits", t["logits"], logits.numpy())
    close("loss.cross_entropy", t["loss.cross_entropy"], ce)
    close("loss.penalty", t["loss.penalty"], penalty)
    close("loss", t["loss"], ce + penalty)
    for name, g in zip(trainer.names, grads):
        close("grad." + name, t["grad." + name], g.numpy())
    check_state(trainer, t, "momentum_buffer.")
    print(f"train-step matches PyTorch: {a.steps} step(s), loss {ce + penalty:.6f}")


def check_train(argv):
    p = argparse.ArgumentParser()
    for name in ("model", "init", "dir", "ckpt", "output"):
        p.add_argument(name)
    p.add_argument("--log")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--data", default="fashion-mnist")
    p.add_argument("--classes", default="all")
    sgd_flags(p)
    a = p.parse_args(argv)
    trainer = Trainer(a.model, module_of(a.model, a.init), a)
    x, y = cli_ref.prepared(a.data, a.dir, a.classes, a.limit, "train")
    x = x.double()
    n, bs, step, losses = len(y), a.batch_size, 0, []
    batches = (n + bs - 1) // bs  # the last partial batch is kept
    for epoch in range(a.epochs):
        order = rtref.shuffle(n, a.seed, epoch)
        total = 0.0
        for b in range(batches):
            idx = order[b * bs:(b + 1) * bs]
            mask = None
            if a.model == "mnist":
                m = rtref.dropout_mask(a.seed, step, 0, len(idx) * HIDDEN, DROP_P)
                mask = torch.from_numpy(m.reshape(len(idx), HIDDEN).astype(np.float64))
            _, ce, penalty, _ = trainer.step(x[idx], y[idx], mask)
            total += ce + penalty
            step += 1
        losses.append(total / batches)

    header, t = rtref.st_read(a.ckpt)
    meta = header["__metadata__"]
    assert (meta["epoch"], meta["step"], meta["first_step"]) == \
        (str(a.epochs), str(step), "0"), meta
    check_state(trainer, t, "optimizer.momentum_buffer.")

    # The lecture's epoch lines, then the accuracies of the saved weights,
    # evaluated here in eval mode on both splits.
    text = open(a.output).read()
    got = [float(v) for v in re.findall(r"^Epoch \d+, Training loss (\S+)", text, re.M)]
    close("epoch losses", got, losses[-len(got):])
    # PyTorch takes the checkpoint strictly once the optimizer's keys are gone.
    module = cli_ref.MODELS[a.model]()
    module.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in t.items()
                            if not k.startswith("optimizer.")})
    module.eval()
    val_loss = None
    for split, word in (("train", "train"), ("test", "val")):
        xs, ys = cli_ref.prepared(a.data, a.dir, a.classes, a.limit, split)
        with torch.no_grad():
            logits = module(xs)
            correct = int((logits.argmax(1) == ys).sum())
            if split == "test":
                val_loss = F.cross_entropy(logits.double(), ys).item()
        m = re.search(rf"^Accuracy {word}: ([0-9.]+) \((\d+)/(\d+)\)$", text, re.M)
        assert m and (int(m[2]), int(m[3])) == (correct, len(ys)), (word, m and m[0], correct)
    if a.log:
        rows = read_log(a.log)
        assert [r["epoch"] for r in rows] == list(range(a.epochs - len(rows) + 1, a.epochs + 1)), rows
        close("logged losses", [r["loss"] for r in rows], losses[-len(rows):])
        last = rows[-1]
        assert last["step"] == step, last
        for word, key in (("train", "train_acc"), ("val", "val_acc")):
            m = re.search(rf"^Accuracy {word}: \S+ \((\d+)/(\d+)\)$", text, re.M)
            assert abs(last[key] - int(m[1]) / int(m[2])) < 1e-12, (key, last)
        # The validation loss: the saved weights' mean cross-entropy on the
        # validation split, in the log and on the last epoch's line.
        close("validation loss", [last["val_loss"]], [val_loss])
        shown = re.findall(r"^Epoch \d+, .*, validation loss (\S+)$", text, re.M)
        assert len(shown) == len(rows), (shown, rows)
        close("printed validation losses", [float(v) for v in shown],
              [r["val_loss"] for r in rows])
        assert all(r["seconds"] >= 0 for r in rows), rows
    print(f"training matches PyTorch: {a.epochs} epochs, {step} steps, "
          f"final loss {losses[-1]:.6f}")


def read_log(path):
    """CSV with a header, or JSON lines; values as numbers."""
    lines = open(path).read().splitlines()
    if path.endswith(".jsonl"):
        return [json.loads(line) for line in lines]
    assert lines[0] == "epoch,step,loss,train_acc,val_acc,seconds,val_loss", lines[0]
    keys = lines[0].split(",")
    return [{k: (int(v) if k in ("epoch", "step") else float(v))
             for k, v in zip(keys, line.split(","))} for line in lines[1:]]


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "batch":
        model, out, n, seed = args[0], args[1], int(args[2]), int(args[3])
        g = torch.Generator().manual_seed(seed)
        module = cli_ref.MODELS[model]()
        x = torch.randn((n,) + module.shape, generator=g)
        y = torch.randint(0, module.classes, (n,), generator=g)
        dtype = np.int32 if args[4:] == ["i32"] else np.int64
        rtref.st_write(out, [("input", x.numpy()), ("labels", y.numpy().astype(dtype))])
    elif cmd == "masks":
        out, n, seed = args[0], int(args[1]), int(args[2])
        rng = np.random.default_rng(seed)
        keep = rng.random((n, HIDDEN)) >= 0.5
        m = np.where(keep, np.float32(1 / (1 - DROP_P)), np.float32(0)).astype(np.float32)
        rtref.st_write(out, [("mask.hidden_dropout", m)])
    elif cmd == "check-step":
        check_step(args)
    elif cmd == "check-train":
        check_train(args)
    elif cmd == "same-tensors":
        (_, a), (_, b) = rtref.st_read(args[0]), rtref.st_read(args[1])
        assert list(a) == list(b), (list(a), list(b))
        for k in a:
            assert a[k].dtype == b[k].dtype and a[k].tobytes() == b[k].tobytes(), k
        print(f"{len(a)} tensors bit-identical")
    else:
        sys.exit(__doc__)


main()
