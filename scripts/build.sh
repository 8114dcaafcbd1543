#!/usr/bin/env bash
# Configures (once) and builds cnnc with ninja. `--sanitize` builds the
# AddressSanitizer + UndefinedBehaviorSanitizer configuration in build-asan/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/build"
flags=(-DCMAKE_BUILD_TYPE=Release)
if [[ "${1:-}" == "--sanitize" ]]; then
  dir="$root/build-asan"
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCNNC_SANITIZE=ON)
fi
# ccache, when the machine has it, makes a rebuild of unchanged sources quick.
if command -v ccache > /dev/null; then
  flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
if [[ ! -f "$dir/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$dir" "${flags[@]}" >/dev/null
fi
ninja -C "$dir"
