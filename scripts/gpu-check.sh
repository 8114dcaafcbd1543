#!/usr/bin/env bash
# THERE, on the GPU machine, as one command (docs/gpu-check.md): checks the
# executables scripts/gpu-build.sh made against PyTorch on CUDA (TF32 off,
# 1e-4), times them against PyTorch eager and torch.compile (default and
# reduce-overhead; PyTorch's defaults and TF32 off; batch 64 and 1024), and
# writes results.md, results.csv, results.json and log.txt to $OUT (or
# --out DIR). Stops measuring before its budget (default 440 s) and is
# killed 30 s after it at the latest; results are rewritten after every step.
#
#   scripts/gpu-check.sh [--budget 440] [--models net,...] [--shapes ...]
#                        [--batches 64,1024] [--no-compile] [--out DIR]
#   scripts/gpu-check.sh --cpu ...   # dry run without a GPU (PyTorch on CPU)
#
# Python: $PYTHON, else (dry run) bench/.venv's if there, else python3 on
# the PATH (on the GPU machine: the one holding PyTorch).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

out=${OUT:-$root/build-gpu-check-results} budget=440 cpu=0
args=("$@")
for ((i = 0; i < $#; i++)); do
  case "${args[i]}" in
    --out) out=${args[i+1]} ;;
    --out=*) out=${args[i]#--out=} ;;
    --budget) budget=${args[i+1]} ;;
    --budget=*) budget=${args[i]#--budget=} ;;
    --cpu) cpu=1 ;;
  esac
done
if [[ -z "${PYTHON:-}" ]]; then
  PYTHON=python3
  if ((cpu)) && [[ -x "$root/bench/.venv/bin/python" ]]; then PYTHON=$root/bench/.venv/bin/python; fi
fi
mkdir -p "$out"

# torch.compile's caches outside $OUT (the device tool returns 8 files at
# most) and kept while the machine stays warm, so that a rerun compiles less.
export TORCHINDUCTOR_CACHE_DIR=${TORCHINDUCTOR_CACHE_DIR:-/tmp/cnnc-gpu-check/inductor}
export TRITON_CACHE_DIR=${TRITON_CACHE_DIR:-/tmp/cnnc-gpu-check/triton}
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1

hard=$(python3 -c "print(int(float('$budget')) + 30)" 2>/dev/null || echo 470)
# The Python side stops itself; the timeout is the backstop (TERM: it still
# writes its results; KILL 10 s later).
GPU_CHECK_ARGS="$*" timeout --signal=TERM --kill-after=10 "$hard" \
  "$PYTHON" "$root/bench/gpu_check.py" check --out "$out" "$@" 2>&1 | tee "$out/log.txt"
rc=${PIPESTATUS[0]}
echo
[[ -f "$out/results.md" ]] && cat "$out/results.md"
echo "gpu-check: exit status $rc; results in $out"
exit "$rc"
