#!/usr/bin/env bash
# HERE, before a session with the GPU machine: compiles every models/*.cnn in
# both shapes with --target=cuda --gpu-arch=sm_90 into build-gpu-check/
# (git-ignored; the device tool's `carry` takes it), with the shared
# libraries, weights, input batches, CPU references and manifest.json that
# scripts/gpu-check.sh needs there. docs/gpu-check.md has the whole recipe.
#
#   scripts/gpu-build.sh [--models net,net_res_deep] [--shapes fmnist,cifar2]
#                        [--cnnc build/bin/cnnc] [--out build-gpu-check]
#                        [--cpu] [--require-cuda]
#
# Without a CUDA-capable cnnc it says so and builds CPU-only executables
# (--require-cuda makes that an error); --cpu builds them on purpose (the
# dry run). The weights come from PyTorch: Debian's python3-torch.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-/usr/bin/python3}
if ! "$python" -c 'import torch, numpy' 2>/dev/null; then
  echo "gpu-build: $python has no torch/numpy (Debian: apt-get install python3-torch;" \
       "or PYTHON=... for another interpreter)" >&2
  exit 2
fi
exec "$python" "$root/bench/gpu_check.py" build "$@"
