#!/usr/bin/env bash
# Installs the Debian packages a need takes, only those missing; quick when
# all are there.
#   setup.sh build   the compiler's and runtime's build and run dependencies
#                    and the default data set: what scripts/main.sh needs
#   setup.sh test    build, and the test references and tools (PyTorch,
#                    numpy, Chromium): what scripts/test.sh needs
# Without an argument: build.
set -euo pipefail

# The compiler and runtime: build, link the executables cnnc makes, run them.
build_packages=(
  cmake ninja-build g++ pkg-config python3
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools   # LLVM/MLIR (LLVM's CMake package lists FileCheck and lit)
  libomp-22-dev                                            # OpenMP runtime the generated code uses
  libfmt-dev zlib1g-dev nlohmann-json3-dev                 # formatting, gzip, safetensors headers
  libpng-dev                                               # predict: PNG images
  libopenmpi-dev openmpi-bin                               # data-parallel training under mpirun (FindMPI)
  dataset-fashion-mnist                                    # the default data set
)
# Only the tests (and bench/) use these.
test_packages=(
  python3-torch python3-numpy                              # the numerics reference in tests and bench/
  chromium                                                 # renders the knobs report in a test
  iproute2                                                 # ip netns: test hosts for MPI over TCP
  clang-22 libclang-rt-22-dev                              # libFuzzer (scripts/fuzz.sh, 30 s each in test.sh)
)

need=${1:-build}
case "$need" in
  build) packages=("${build_packages[@]}") ;;
  test) packages=("${build_packages[@]}" "${test_packages[@]}") ;;
  *) echo "setup: unknown need '$need' (build or test)" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup ($need): all ${#packages[@]} packages present"
  exit 0
fi

echo "setup ($need): installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
