"""PyTorch side of numeric.test: the reference for the lowered forward.

  torch_harness.py harness MODEL LOWERED STRIPPED OUT
      MODEL     the cnn-dialect model (Inputs/numeric_model.mlir)
      LOWERED   MODEL after cnn-lower-entry-abi and convert-cnn-to-linalg (cnn.param with offsets)
      STRIPPED  LOWERED after cnn-strip-params
    Checks the recorded arena layout against the runtime's rule, computed
    here independently; fills the arena from a seeded torch.nn.Module with
    non-trivial running statistics; writes OUT.mlir (STRIPPED plus a main
    that calls forward on constant globals and prints the output) and
    OUT.ref (PyTorch's eval-mode output).
  torch_harness.py compare REF RUNNER_OUTPUT
    Parses printMemrefF32's output and compares it with REF: the largest
    absolute error must be at most 1e-4 of the output's scale (max |ref|).
"""
import re
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 5
ALIGN = 64  # cnnrt::kAlignment
TOLERANCE = 1e-4


class Net(nn.Module):
    """Inputs/numeric_model.mlir, written as a PyTorch user would."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 4, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(4, eps=1e-3, affine=False)
        self.bn3 = nn.BatchNorm2d(4)
        self.conv3 = nn.Conv2d(4, 5, kernel_size=(2, 3), stride=(2, 1),
                               padding=(1, 1))
        self.fc1 = nn.Linear(30, 8)
        self.fc2 = nn.Linear(8, 3, bias=False)
        self.drop2d = nn.Dropout2d(0.4)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        out = F.max_pool2d(torch.tanh(self.bn1(self.conv1(x))), 2)
        out = self.drop2d(out)
        out = torch.relu(self.bn2(self.conv2(out))) + out
        out = F.avg_pool2d(self.bn3(out), kernel_size=2, stride=1)
        out = torch.relu(self.conv3(out))
        out = torch.sigmoid(self.fc1(torch.flatten(out, 1)))
        return self.fc2(self.drop(out))


def make_model():
    torch.manual_seed(0)
    net = Net()
    with torch.no_grad():
        for name, bn in (("bn1", net.bn1), ("bn2", net.bn2), ("bn3", net.bn3)):
            # Running statistics far from (0, 1), so that using them (and
            # folding them) is visible in the output.
            bn.running_mean.uniform_(-1.0, 1.0)
            bn.running_var.uniform_(0.25, 4.0)
            bn.num_batches_tracked.fill_(7)
            if bn.affine:
                bn.weight.uniform_(0.5, 1.5)
                bn.bias.uniform_(-0.5, 0.5)
        # Larger weights late in the network, so that the output still
        # depends clearly on each sample after the pooling.
        net.bn3.running_var.uniform_(0.05, 0.2)
        net.conv3.weight.mul_(3.0)
        net.fc1.weight.mul_(2.0)
    net.eval()
    return net


def check_sensitivity(net, x, ref):
    """The check means something: the output varies across the batch, and
    the running statistics change it (trivial ones would hide a lowering
    that ignores them)."""
    scale = ref.abs().max().item()
    spread = (ref - ref.mean(0)).abs().max().item()
    if spread < 0.05 * scale:
        sys.exit(f"output hardly depends on the input ({spread} vs {scale})")
    plain = Net()
    plain.load_state_dict(net.state_dict())
    for bn in (plain.bn1, plain.bn2, plain.bn3):
        bn.reset_running_stats()
    plain.eval()
    with torch.no_grad():
        delta = (plain(x) - ref).abs().max().item()
    if delta < 0.05 * scale:
        sys.exit(f"running statistics hardly matter ({delta} vs {scale})")


PARAM_RE = re.compile(
    r'cnn\.param @"?([\w.]+)"? : tensor<([0-9x]*)(f32|i64)>(?:.*offset (\d+))?')


def read_params(path):
    """[(name, shape, dtype, offset or None)] in declaration order."""
    params = []
    with open(path) as f:
        for line in f:
            m = PARAM_RE.search(line)
            if m:
                dims = [int(d) for d in m.group(2).split("x") if d]
                offset = int(m.group(4)) if m.group(4) else None
                params.append((m.group(1), dims, m.group(3), offset))
    return params


def expected_layout(params):
    """The runtime's rule (cnnrt::Layout): declaration order, 64-aligned."""
    offsets, offset = [], 0
    for _, dims, dtype, _ in params:
        numel = 1
        for d in dims:
            numel *= d
        offsets.append(offset)
        nbytes = numel * (8 if dtype == "i64" else 4)
        offset += (nbytes + ALIGN - 1) // ALIGN * ALIGN
    return offsets, offset


def hex_bytes(data):
    return "0x" + data.hex().upper()


def harness(model_path, lowered_path, stripped_path, out):
    declared = read_params(model_path)
    lowered = read_params(lowered_path)
    offsets, total = expected_layout(declared)
    if [p[0] for p in lowered] != [p[0] for p in declared]:
        sys.exit("lowering changed the parameters or their order")
    for (name, _, _, got), want in zip(lowered, offsets):
        if got != want:
            sys.exit(f"{name}: offset {got}, the runtime expects {want}")
    with open(lowered_path) as f:
        m = re.search(r"cnn\.arena_size = (\d+)", f.read())
    if not m or int(m.group(1)) != total:
        sys.exit(f"cnn.arena_size is {m and m.group(1)}, expected {total}")

    net = make_model()
    state = net.state_dict()
    if list(state.keys()) != [p[0] for p in declared]:
        sys.exit("state_dict order differs from the cnn.param order")
    arena = bytearray(total)
    for (name, dims, dtype, _), offset in zip(declared, offsets):
        tensor = state[name]
        if list(tensor.shape) != dims:
            sys.exit(f"{name}: torch shape {list(tensor.shape)}, model {dims}")
        fmt = "<%d%s" % (tensor.numel(), "q" if dtype == "i64" else "f")
        data = struct.pack(fmt, *tensor.flatten().tolist())
        arena[offset:offset + len(data)] = data

    torch.manual_seed(1)
    x = torch.randn(BATCH, 3, 9, 9)
    with torch.no_grad():
        ref = net(x)
    check_sensitivity(net, x, ref)
    classes = ref.shape[1]
    input_bytes = struct.pack("<%df" % x.numel(), *x.flatten().tolist())

    with open(stripped_path) as f:
        module = f.read().rstrip()
    assert module.endswith("}")
    main = f"""
  memref.global "private" constant @arena : memref<{total}xi8> = dense<"{hex_bytes(bytes(arena))}"> {{alignment = 64 : i64}}
  memref.global "private" constant @input : memref<{BATCH}x3x9x9xf32> = dense<"{hex_bytes(input_bytes)}"> {{alignment = 64 : i64}}
  func.func private @printMemrefF32(memref<*xf32>) attributes {{llvm.emit_c_interface}}
  func.func @main() {{
    %a = memref.get_global @arena : memref<{total}xi8>
    %arena = memref.cast %a : memref<{total}xi8> to memref<?xi8>
    %x = memref.get_global @input : memref<{BATCH}x3x9x9xf32>
    %input = memref.cast %x : memref<{BATCH}x3x9x9xf32> to memref<?x3x9x9xf32>
    %y = memref.alloc() {{alignment = 64 : i64}} : memref<{BATCH}x{classes}xf32>
    %output = memref.cast %y : memref<{BATCH}x{classes}xf32> to memref<?x{classes}xf32>
    func.call @forward(%arena, %input, %output) : (memref<?xi8>, memref<?x3x9x9xf32>, memref<?x{classes}xf32>) -> ()
    %print = memref.cast %y : memref<{BATCH}x{classes}xf32> to memref<*xf32>
    func.call @printMemrefF32(%print) : (memref<*xf32>) -> ()
    return
  }}
}}
"""
    with open(out + ".mlir", "w") as f:
        f.write(module[:-1] + main)
    with open(out + ".ref", "w") as f:
        f.write(" ".join("%.9g" % v for v in ref.flatten().tolist()) + "\n")


def compare(ref_path, output_path):
    with open(ref_path) as f:
        ref = [float(v) for v in f.read().split()]
    with open(output_path) as f:
        text = f.read()
    m = re.search(r"data =\s*(.*)", text, re.S)
    if not m:
        sys.exit("no memref in the runner's output:\n" + text)
    got = [float(v) for v in re.findall(r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)",
                                        m.group(1))]
    if len(got) != len(ref):
        sys.exit(f"{len(got)} values, expected {len(ref)}")
    scale = max(abs(v) for v in ref)
    err = max(abs(a - b) for a, b in zip(got, ref))
    print(f"max abs error {err:.3g}, output scale {scale:.3g}, "
          f"relative {err / scale:.3g}")
    if not err <= TOLERANCE * scale:
        sys.exit(f"FAIL: error {err} exceeds {TOLERANCE} x {scale}")
    print("numeric check: OK")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "harness":
        harness(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        compare(*sys.argv[2:])
    else:
        sys.exit(__doc__)
