#!/usr/bin/env bash
# Installs every Debian package cnnc needs, only those missing; quick when all
# are there. `--test` adds what only the tests need.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools   # LLVM/MLIR, lit, FileCheck
  libomp-22-dev                                            # OpenMP runtime the generated code uses
  libfmt-dev zlib1g-dev nlohmann-json3-dev                 # formatting, gzip, safetensors headers
  python3-torch python3-numpy                              # the numerics reference in tests and bench/
  dataset-fashion-mnist                                    # the default data set
)
# The test path only (scripts/test.sh passes --test): libFuzzer's clang for
# scripts/fuzz.sh.
test_packages=(clang-22 libclang-rt-22-dev)
if [[ "${1:-}" == "--test" ]]; then
  packages+=("${test_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
