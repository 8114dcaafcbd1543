#!/usr/bin/env bash
# The main job: set up, build, then the lecture's experiment "comparing
# design knobs": compile every model in models/, train each with the same
# seed, epochs and batch size, and print train/validation accuracy, their gap
# and the training speed (scripts/knobs.py; knobs.csv and knobs.svg in
# build/knobs/). Extra arguments go to knobs.py: e.g. `--full` for the whole
# experiment, `--knobs baseline,dropout`, `--cifar10 DIR`, `--device cuda`
# (the models compiled with --target=cuda, trained on the GPU); see --help.
# The defaults train on a subset, a few minutes; rerunning reuses finished
# models and continues an interrupted one.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" build
"$root/scripts/build.sh"
exec python3 "$root/scripts/knobs.py" "$@"
