#!/usr/bin/env bash
# The main job: set up, build, then compile every model in models/ and print
# a summary of its IR (shapes, parameter counts, ops, training settings).
# Training runs arrive with the trainer; until then this is what cnnc does.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"

cnnc="$root/build/bin/cnnc"
for model in "$root"/models/*.cnn; do
  echo "== $(basename "$model")   (CIFAR-2 shape, the defaults)"
  "$cnnc" "$model" --emit=summary
  echo "   Fashion-MNIST shape (-D in_chans=1 -D side=28 -D n_classes=10):"
  "$cnnc" "$model" --emit=summary -D in_chans=1 -D side=28 -D n_classes=10 | sed -n '2,3p'
done
