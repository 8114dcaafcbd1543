#!/usr/bin/env python3
"""Writes a model of N written-out (distinct) layers, for compile-time
measurements: `linear` layers 32 wide with a relu between them, or
`conv` layers (16 channels, 3x3) with a relu each and a linear classifier.

  bench/chain_model.py linear 50 > chain50.cnn
  time cnnc chain50.cnn -o chain50            # forward and training step

docs/language.md's compiled-size limit (128 operations) takes 64 linear or
13 conv layers.
"""
import sys


def linear(n):
    yield "model Chain(in_chans = 1, side = 28, n_classes = 10) {"
    yield "  input [in_chans, side, side]"
    yield "  fc0 = linear(side * side * in_chans, 32)"
    for i in range(1, n - 1):
        yield f"  fc{i} = linear(32, 32)"
    yield f"  fc{n - 1} = linear(32, n_classes)"
    yield "  forward(x) {"
    yield "    out = x.view(-1, side * side * in_chans)"
    for i in range(n - 1):
        yield f"    out = relu(fc{i}(out))"
    yield f"    return fc{n - 1}(out)"
    yield "  }"
    yield "}"


def conv(n):
    yield "model ConvChain(in_chans = 1, side = 28, n_classes = 10) {"
    yield "  input [in_chans, side, side]"
    yield "  conv0 = conv2d(in_chans, 16, kernel_size=3, padding=1)"
    for i in range(1, n):
        yield f"  conv{i} = conv2d(16, 16, kernel_size=3, padding=1)"
    yield "  fc = linear(16 * (side // 2) * (side // 2), n_classes)"
    yield "  forward(x) {"
    yield "    out = relu(conv0(x))"
    for i in range(1, n):
        yield f"    out = relu(conv{i}(out))"
    yield "    out = max_pool2d(out, 2)"
    yield "    return fc(out.view(-1, 16 * (side // 2) * (side // 2)))"
    yield "  }"
    yield "}"


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("linear", "conv") or int(sys.argv[2]) < 2:
        sys.exit("usage: chain_model.py linear|conv N (N >= 2)")
    kind, n = sys.argv[1], int(sys.argv[2])
    print("\n".join(linear(n) if kind == "linear" else conv(n)))
    print("train {\n  loss = cross_entropy\n  optimizer = sgd(lr = 1e-2)\n}")
