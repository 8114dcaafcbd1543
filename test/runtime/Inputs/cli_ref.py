"""PyTorch references for the model executable's command line (runtime/main),
driven through the hand-written fake models of runtime/tools/
cnnrt-fake-model.cpp. The same tiny modules are built here in torch; files
are read and written with rtref's hand-written safetensors code, data sets
with readers written here from the formats' descriptions.

usage: cli_ref.py weights MODEL OUT SEED         random torch weights
       cli_ref.py batch MODEL OUT N SEED          'input' [N, C, H, W]
       cli_ref.py check-infer MODEL CKPT BATCH LOGITS
       cli_ref.py check-init MODEL CKPT SEED      the declared initializers
       cli_ref.py idx-data DIR                    a small Fashion-MNIST folder
       cli_ref.py fit MODEL DIR LIMIT OUT         weights fitted to DIR's train split
       cli_ref.py wrong-shape OUT                 out.weight [16, 10]
       cli_ref.py check-eval MODEL CKPT DATA DIR CLASSES LIMIT SPLIT OUTPUT
MODEL: mnist | mnist2 (on Fashion-MNIST folders) | cifar2 (on CIFAR-10 folders).
CLASSES: all or e.g. 0,2. LIMIT: 0 for all.
"""
import gzip
import math
import os
import re
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(__file__))
import rtref

torch.set_num_threads(1)


class Buffers(torch.nn.Module):
    """Stands for a batchnorm's buffers: the fake forward subtracts
    running_mean and ignores num_batches_tracked."""

    def __init__(self, n):
        super().__init__()
        self.register_buffer("running_mean", torch.zeros(n))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))


class FakeMnist(torch.nn.Module):
    shape, classes = (1, 28, 28), 10

    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(784, 16)
        self.bn = Buffers(16)
        self.out = torch.nn.Linear(16, 10)

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x.flatten(1)) - self.bn.running_mean))


class FakeLinear(torch.nn.Module):
    def __init__(self, shape, classes):
        super().__init__()
        self.shape, self.classes = shape, classes
        self.fc = torch.nn.Linear(int(np.prod(shape)), classes)

    def forward(self, x):
        return self.fc(x.flatten(1))


MODELS = {"mnist": FakeMnist,
          "cifar2": lambda: FakeLinear((3, 32, 32), 2),
          "mnist2": lambda: FakeLinear((1, 28, 28), 2)}


def save(module, path):
    rtref.st_write(path, [(k, v.detach().numpy()) for k, v in module.state_dict().items()],
                   {"format": "pt"})


def load(model, path):
    module = MODELS[model]()
    _, tensors = rtref.st_read(path)
    # strict: the checkpoint's names and shapes are exactly the module's, once
    # a training checkpoint's optimizer state is dropped.
    module.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in tensors.items()
                            if not k.startswith("optimizer.")})
    return module.eval()


def read_idx(path):
    blob = open(path, "rb").read()
    if blob[:2] == b"\x1f\x8b":
        blob = gzip.decompress(blob)
    assert blob[:3] == b"\0\0\x08", path
    ndim = blob[3]
    dims = struct.unpack(">" + "I" * ndim, blob[4:4 + 4 * ndim])
    return np.frombuffer(blob[4 + 4 * ndim:], dtype=np.uint8).reshape(dims)


def find(dir, name):
    return os.path.join(dir, name + ".gz") if os.path.exists(os.path.join(dir, name + ".gz")) \
        else os.path.join(dir, name)


def read_split(data, dir, split):
    """(images float32 NCHW in [0, 1], labels int64)."""
    if data == "fashion-mnist":
        prefix = "train" if split == "train" else "t10k"
        x = read_idx(find(dir, prefix + "-images-idx3-ubyte"))[:, None]
        y = read_idx(find(dir, prefix + "-labels-idx1-ubyte"))
    else:
        names = [f"data_batch_{i}.bin" for i in range(1, 6)] if split == "train" \
            else ["test_batch.bin"]
        rec = np.concatenate([np.fromfile(os.path.join(dir, n), dtype=np.uint8).reshape(-1, 3073)
                              for n in names])
        x, y = rec[:, 1:].reshape(-1, 3, 32, 32), rec[:, 0]
    return x.astype(np.float32) / np.float32(255), y.astype(np.int64)


def prepared(data, dir, classes, limit, split="test"):
    """The eval split as the runtime prepares it: normalised with the full
    training split's per-channel mean and std (ddof=1), class subset
    relabelled in the order given, first `limit` samples."""
    train, _ = read_split(data, dir, "train")
    x, y = read_split(data, dir, split)
    channels = train.transpose(1, 0, 2, 3).reshape(train.shape[1], -1).astype(np.float64)
    mean, std = channels.mean(axis=1), channels.std(axis=1, ddof=1)
    if classes != "all":
        order = [int(c) for c in classes.split(",")]
        keep = np.isin(y, order)
        x, y = x[keep], np.array([order.index(l) for l in y[keep]], dtype=np.int64)
    if limit:
        x, y = x[:limit], y[:limit]
    x = (x - mean[None, :, None, None].astype(np.float32)) * \
        (1 / std)[None, :, None, None].astype(np.float32)
    return torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "weights":
        model, out, seed = args[0], args[1], int(args[2])
        torch.manual_seed(seed)
        module = MODELS[model]()
        if model == "mnist":  # buffers that matter
            module.bn.running_mean.uniform_(-0.5, 0.5)
            module.bn.num_batches_tracked.fill_(1234)
        save(module, out)
    elif cmd == "batch":
        model, out, n, seed = args[0], args[1], int(args[2]), int(args[3])
        g = torch.Generator().manual_seed(seed)
        x = torch.randn((n,) + MODELS[model]().shape, generator=g)
        rtref.st_write(out, [("input", x.numpy()), ("labels", np.zeros(n, np.int64))])
    elif cmd == "check-infer":
        model, ckpt, batch, logits = args
        module = load(model, ckpt)
        _, x = rtref.st_read(batch)
        header, y = rtref.st_read(logits)
        assert list(y) == ["logits"], list(y)
        assert header["__metadata__"]["model"].startswith("Fake"), header
        with torch.no_grad():
            ref = module(torch.from_numpy(x["input"].copy())).numpy()
        got = y["logits"]
        assert got.shape == ref.shape and got.dtype == np.float32, (got.shape, got.dtype)
        diff = float(np.abs(got - ref).max()) if got.size else 0.0
        assert diff <= 1e-5, f"logits differ from PyTorch by {diff}"
        print(f"logits {list(got.shape)} match PyTorch (max abs diff <= 1e-5)")
    elif cmd == "check-init":
        model, ckpt, seed = args[0], args[1], int(args[2])
        header, t = rtref.st_read(ckpt)
        module = MODELS[model]()
        names = list(module.state_dict())
        # Layout order = state_dict order; tensor i draws from stream i.
        assert [k for k in header if k != "__metadata__"] == names, list(header)
        for i, name in enumerate(names):
            v = t[name]
            if name.startswith("bn."):
                assert not v.any(), name
                continue
            fan_in = module.state_dict()[name.rsplit(".", 1)[0] + ".weight"].shape[1]
            b = 1 / math.sqrt(fan_in)
            ref = rtref.uniform(seed, i, v.size, -b, b).reshape(v.shape)
            assert np.array_equal(v, ref), name
        load(model, ckpt)  # and torch takes it as a state_dict
        print(f"initial weights match the reference for seed {seed}")
    elif cmd == "idx-data":
        # 10 classes, each a bright horizontal band at its own rows, plus noise.
        dir = args[0]
        os.makedirs(dir, exist_ok=True)
        rng = np.random.default_rng(5)

        def make(n):
            y = rng.integers(0, 10, size=n).astype(np.uint8)
            x = rng.integers(0, 200, size=(n, 28, 28))
            for i, l in enumerate(y):
                x[i, 2 + 2 * l:4 + 2 * l] += rng.integers(20, 80)
            return x.astype(np.uint8), y

        def idx(a):
            return bytes([0, 0, 8, a.ndim]) + b"".join(struct.pack(">I", d) for d in a.shape) + a.tobytes()

        for prefix, n, z in (("train", 300, True), ("t10k", 77, False)):
            x, y = make(n)
            for kind, a in (("images-idx3", x), ("labels-idx1", y)):
                name = os.path.join(dir, f"{prefix}-{kind}-ubyte")
                blob = idx(a)
                if z:
                    name, blob = name + ".gz", gzip.compress(blob)
                open(name, "wb").write(blob)
    elif cmd == "fit":
        # A few full-batch SGD steps: weights that do better than chance, so
        # that the accuracy checked is not a trivial one.
        model, dir, limit, out = args
        torch.manual_seed(0)
        module = MODELS[model]()
        x, y = prepared("fashion-mnist", dir, "all", int(limit), "train")
        opt = torch.optim.SGD(module.parameters(), lr=0.3)
        for _ in range(15):
            opt.zero_grad()
            F.cross_entropy(module(x), y).backward()
            opt.step()
        save(module, out)
    elif cmd == "wrong-shape":
        module = FakeMnist()
        t = [(k, v.detach().numpy()) for k, v in module.state_dict().items()]
        t[4] = ("out.weight", np.zeros((16, 10), np.float32))
        rtref.st_write(args[0], t)
    elif cmd == "check-eval":
        model, ckpt, data, dir, classes, limit, split, output = args
        module = load(model, ckpt)
        x, y = prepared(data, dir, classes, int(limit), split)
        with torch.no_grad():
            logits = module(x)
        correct = int((logits.argmax(dim=1) == y).sum())
        loss = float(F.cross_entropy(logits.double(), y))
        text = open(output).read()
        m = re.search(r"^accuracy: ([0-9.]+) \((\d+)/(\d+)\)$", text, re.M)
        assert m, text
        assert (int(m[2]), int(m[3])) == (correct, len(y)), (m[0], correct, len(y))
        assert abs(float(m[1]) - correct / len(y)) < 1e-6, m[0]
        got = float(re.search(r"^loss: ([0-9.]+)$", text, re.M)[1])
        assert abs(got - loss) <= 1e-5 * max(1, loss), (got, loss)
        print(f"eval matches PyTorch: {correct}/{len(y)} correct, loss {loss:.4f}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":  # train_ref.py imports the modules and readers
    main()
