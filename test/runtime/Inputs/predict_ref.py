"""Image files for `predict` and PyTorch's answer for them.

  predict_ref.py images DATA DIR OUT     writes OUT/*.png, *.pgm, *.ppm and
                                         OUT/bad/* from DATA's test split
  predict_ref.py check MODEL CKPT DATA DIR CLASSES OUT JSON
                                         compares predict --json's output

DATA: fashion-mnist (for MODEL mnist) or cifar10 (cifar2). Every image is
written with the recipe that made it, in OUT/recipes.json; the reference
rebuilds the model input from the data set's pixels and the recipe alone
(numpy, torch's interpolate), not from the files, then applies the
training split's normalisation (cli_ref.prepared's statistics), the module
and softmax. PNG and Netpbm files are written here from their
specifications (zlib and struct)."""

import functools
import json
import os
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
import cli_ref  # noqa: E402

CLASS_NAMES = {
    "fashion-mnist": ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal",
                      "shirt", "sneaker", "bag", "ankle-boot"],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                "horse", "ship", "truck"],
}


def png(path, pixels, bits=8):
    """pixels: [H, W] (gray), [H, W, 3] (RGB) or [H, W, 4] (RGBA) integers."""
    h, w = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    colour = {1: 0, 3: 2, 4: 6}[channels]
    dtype = ">u2" if bits == 16 else "u1"
    rows = pixels.reshape(h, w * channels).astype(dtype)
    raw = b"".join(b"\0" + row.tobytes() for row in rows)  # filter 0 per row

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bits, colour, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def netpbm(path, pixels, maxval=255, ascii=False):
    h, w = pixels.shape[:2]
    rgb = pixels.ndim == 3
    magic = ("P3" if rgb else "P2") if ascii else ("P6" if rgb else "P5")
    head = f"{magic}\n# written by predict_ref.py\n{w} {h}\n{maxval}\n".encode()
    if ascii:
        body = " ".join(str(int(v)) for v in pixels.reshape(-1)).encode() + b"\n"
    else:
        body = pixels.astype(">u2" if maxval > 255 else "u1").tobytes()
    open(path, "wb").write(head + body)


def recipes(data):
    """name -> how the file's pixels come from test image `index`."""
    if data == "fashion-mnist":
        return {
            "gray.png": {"index": 0, "kind": "png"},
            "gray.pgm": {"index": 1, "kind": "pgm"},
            "ascii.pgm": {"index": 2, "kind": "pgm-ascii"},
            "deep.pgm": {"index": 3, "kind": "pgm-16"},
            "deep.png": {"index": 4, "kind": "png-16"},
            "tinted.ppm": {"index": 5, "kind": "ppm-tinted"},
            "tinted.png": {"index": 6, "kind": "png-tinted"},
            "alpha.png": {"index": 7, "kind": "png-alpha"},
            "large.png": {"index": 8, "kind": "png-large"},
        }
    return {"colour.ppm": {"index": 0, "kind": "ppm"},
            "colour.png": {"index": 1, "kind": "png-rgb"},
            "gray.pgm": {"index": 2, "kind": "pgm-from-red"},
            "small.ppm": {"index": 3, "kind": "ppm-small"}}


def tint(gray):
    """An RGB image whose channels differ: R = x, G = x // 2, B = 255 - x."""
    g = gray.astype(np.int64)
    return np.stack([g, g // 2, 255 - g], axis=-1)


def large(gray):
    """Up to 1.5x on rows and 2x on columns, with a gradient: bilinear
    resizing back has work to do (no pixel is copied through)."""
    h, w = gray.shape
    rows = np.arange(h * 3 // 2) * h // (h * 3 // 2)
    out = gray[rows][:, np.arange(2 * w) // 2].astype(np.int64)
    return np.clip(out + np.arange(2 * w)[None, :] % 7, 0, 255)


def alpha_of(shape):
    return (np.arange(shape[0] * shape[1]).reshape(shape) * 37) % 256


def write_images(data, dir, out):
    os.makedirs(out, exist_ok=True)
    x, _ = cli_ref.read_split(data, dir, "test")
    images = np.rint(x * 255).astype(np.int64)  # the data set's bytes
    made = recipes(data)
    for name, r in made.items():
        img, path = images[r["index"]], os.path.join(out, name)
        kind = r["kind"]
        if data == "fashion-mnist":
            g = img[0]
            if kind == "png":
                png(path, g)
            elif kind == "pgm":
                netpbm(path, g)
            elif kind == "pgm-ascii":
                netpbm(path, g, ascii=True)
            elif kind == "pgm-16":
                netpbm(path, g * 1000 // 255, maxval=1000)
            elif kind == "png-16":
                png(path, g * 257, bits=16)  # exactly the 8-bit values
            elif kind == "ppm-tinted":
                netpbm(path, tint(g))
            elif kind == "png-tinted":
                png(path, tint(g))
            elif kind == "png-alpha":
                png(path, np.stack([g, alpha_of(g.shape)], axis=-1)[..., [0, 0, 0, 1]])
            elif kind == "png-large":
                png(path, large(g))
        else:
            hwc = img.transpose(1, 2, 0)
            if kind == "ppm":
                netpbm(path, hwc)
            elif kind == "png-rgb":
                png(path, hwc)
            elif kind == "pgm-from-red":
                netpbm(path, hwc[..., 0])
            elif kind == "ppm-small":
                netpbm(path, hwc[::2, ::2])
    json.dump(made, open(os.path.join(out, "recipes.json"), "w"))
    write_bad(out, data)


def write_bad(out, data):
    bad = os.path.join(out, "bad")
    os.makedirs(os.path.join(bad, "folder.png"), exist_ok=True)
    first = sorted(n for n in os.listdir(out) if n.endswith(".png"))[0]
    good = open(os.path.join(out, first), "rb").read()
    open(os.path.join(bad, "truncated.png"), "wb").write(good[:len(good) * 2 // 3])
    # The signature and IHDR intact, the compressed data garbled.
    garbled = bytearray(good)
    for i in range(41, len(good) - 12):
        garbled[i] ^= 0x5a
    open(os.path.join(bad, "corrupt.png"), "wb").write(bytes(garbled))
    open(os.path.join(bad, "truncated.pgm"), "wb").write(b"P5\n28 28\n255\n" + bytes(300))
    open(os.path.join(bad, "header.pgm"), "wb").write(b"P5\n28 x8\n255\n" + bytes(784))
    open(os.path.join(bad, "above.pgm"), "wb").write(b"P2\n2 1\n10\n3 11\n")
    open(os.path.join(bad, "notes.txt"), "w").write("not an image\n")
    open(os.path.join(bad, "empty.png"), "wb").close()


@functools.lru_cache(maxsize=None)
def read_split(data, dir, split):
    return cli_ref.read_split(data, dir, split)


def model_input(data, dir, recipe, shape):
    """The model's input for one image, from the data set's pixels."""
    x, _ = read_split(data, dir, "test")
    img = np.rint(x[recipe["index"]] * 255).astype(np.int64)
    kind, c, side = recipe["kind"], shape[0], shape[1]
    f32 = lambda a, m=255: a.astype(np.float32) / np.float32(m)
    if data == "fashion-mnist":
        g = img[0]
        if kind in ("png", "pgm", "pgm-ascii", "png-16"):
            t = f32(g)[None]
        elif kind == "pgm-16":
            t = f32(g * 1000 // 255, 1000)[None]
        elif kind in ("ppm-tinted", "png-tinted"):
            rgb = f32(tint(g))
            t = (np.float32(0.299) * rgb[..., 0] + np.float32(0.587) * rgb[..., 1]
                 + np.float32(0.114) * rgb[..., 2])[None]
        elif kind == "png-alpha":  # RGBA, composited over black, then luma
            v = f32(g) * f32(alpha_of(g.shape))
            t = (np.float32(0.299) * v + np.float32(0.587) * v + np.float32(0.114) * v)[None]
        elif kind == "png-large":
            t = f32(large(g))[None]
    else:
        hwc = img.transpose(1, 2, 0)
        if kind in ("ppm", "png-rgb"):
            t = f32(img)
        elif kind == "pgm-from-red":
            t = np.repeat(f32(hwc[..., 0])[None], c, axis=0)
        elif kind == "ppm-small":
            t = f32(hwc[::2, ::2].transpose(2, 0, 1))
    t = torch.from_numpy(np.ascontiguousarray(t, dtype=np.float32))[None]
    if t.shape[2:] != (side, side):
        t = F.interpolate(t, size=(side, side), mode="bilinear", align_corners=False)
    return t


def check(model, ckpt, data, dir, classes, out, result):
    module = cli_ref.load(model, ckpt)
    train, _ = read_split(data, dir, "train")
    channels = train.transpose(1, 0, 2, 3).reshape(train.shape[1], -1).astype(np.float64)
    mean, std = channels.mean(axis=1), channels.std(axis=1, ddof=1)
    names = CLASS_NAMES[data] if classes == "all" else \
        [CLASS_NAMES[data][int(k)] for k in classes.split(",")]
    made = json.load(open(os.path.join(out, "recipes.json")))
    got = json.load(open(result))
    assert [os.path.basename(i["file"]) for i in got["images"]] == list(made), \
        [i["file"] for i in got["images"]]
    worst = 0.0
    for entry in got["images"]:
        recipe = made[os.path.basename(entry["file"])]
        x = model_input(data, dir, recipe, module.shape)
        x = (x - torch.from_numpy(mean.astype(np.float32))[None, :, None, None]) * \
            torch.from_numpy((1 / std).astype(np.float32))[None, :, None, None]
        with torch.no_grad():
            p = torch.softmax(module(x).double(), dim=1)[0].numpy()
        order = sorted(range(len(p)), key=lambda k: -p[k])[:len(entry["top"])]
        top = entry["top"]
        # Order by probability; a near-tie may swap within the tolerance.
        for t in top:
            worst = max(worst, abs(t["probability"] - p[t["class"]]))
            assert t["name"] == names[t["class"]], (t, names)
        assert [t["class"] for t in top] == order or \
            all(abs(p[a] - p[b]) < 1e-5 for a, b in zip([t["class"] for t in top], order)), \
            (entry["file"], top, order)
    assert worst <= 2e-5, f"probabilities differ from PyTorch's by {worst}"
    print(f"{len(got['images'])} images: top classes, names and probabilities match "
          f"PyTorch (max abs diff <= 2e-5)")


def main():
    if sys.argv[1] == "images":
        write_images(*sys.argv[2:5])
    else:
        check(*sys.argv[2:9])


if __name__ == "__main__":
    main()
