#!/usr/bin/env bash
# Configures (once) and builds cnnc with ninja. `--sanitize` builds the
# AddressSanitizer + UndefinedBehaviorSanitizer configuration in build-asan/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/build"
flags=(-DCMAKE_BUILD_TYPE=Release)
if [[ "${1:-}" == "--sanitize" ]]; then
  dir="$root/build-asan"
  # -O1 and line tables only: reports keep their file:line stacks, and the
  # build takes half the time of -O2 -g (GCC: 52 s for one codegen file,
  # clang 24 s). clang-22 comes with the test packages (scripts/setup.sh).
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCNNC_SANITIZE=ON)
  opt="-O1 -g1 -DNDEBUG" # GCC's name for line tables only
  if command -v clang++-22 > /dev/null; then
    flags+=(-DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22)
    opt="-O1 -gline-tables-only -DNDEBUG"
  fi
  flags+=("-DCMAKE_C_FLAGS_RELWITHDEBINFO=$opt" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$opt")
fi
# ccache, when the machine has it, makes a rebuild of unchanged sources quick.
if command -v ccache > /dev/null; then
  flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
if [[ ! -f "$dir/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$dir" "${flags[@]}" >/dev/null
fi
ninja -C "$dir"
