#!/usr/bin/env bash
# Makes bench/.venv, the benchmark peers' virtual environment (current
# PyTorch, JAX, ONNX Runtime from PyPI, pinned in bench/requirements.txt),
# for bench/peers.py. Idempotent: quick when the venv already holds exactly
# these requirements. Nothing of cnnc, its tests or the main job needs it.
#
#   bench/setup.sh            # make or update bench/.venv
#   bench/setup.sh --force    # make it anew
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
venv="$bench/.venv"
requirements="$bench/requirements.txt"
stamp="$venv/.requirements.sha256"
python=/usr/bin/python3   # Debian's: the interpreter every cnnc machine has

if [[ "${1:-}" == "--force" ]]; then rm -rf "$venv"; fi
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "bench/setup.sh: $venv is up to date"
  exit 0
fi

# Debian's python3 makes venvs only with python3-venv (ensurepip); the FMA
# peak probe of bench/peers.py needs a C compiler.
missing=()
for p in python3-venv gcc; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bench/setup.sh: installing ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [[ ! -x "$venv/bin/python" ]]; then
  echo "bench/setup.sh: creating $venv"
  "$python" -m venv "$venv"
fi
echo "bench/setup.sh: installing $requirements (several GB the first time: PyPI's torch brings the CUDA libraries)"
rm -f "$stamp"
"$venv/bin/python" -m pip install --no-input --upgrade pip
"$venv/bin/python" -m pip install --no-input -r "$requirements"
echo "$want" > "$stamp"
"$venv/bin/python" - <<'PY'
import jax, numpy, onnx, onnxruntime, torch
print(f"bench/setup.sh: ready: torch {torch.__version__}, jax {jax.__version__}, "
      f"onnxruntime {onnxruntime.__version__}, onnx {onnx.__version__}, numpy {numpy.__version__}")
PY
