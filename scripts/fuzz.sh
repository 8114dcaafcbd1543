#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang-22, ASan + UBSan, in
# build-fuzz/) and runs each for SECONDS (default 60) on its committed corpus
# fuzz/corpus/<target>/, new inputs going to build-fuzz/corpus/<target>/.
# Fails if a target crashes, leaks, hangs or runs out of memory; the input
# that did is saved as build-fuzz/crash/<target>/crash-* (add it to the corpus
# with a regression test once fixed). FUZZ_TARGETS="a b" picks targets.
#   scripts/fuzz.sh [SECONDS]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build="$root/build-fuzz"
targets=${FUZZ_TARGETS:-"frontend safetensors idx cifar checkpoint"}

if [[ ! -f "$build/build.ninja" ]]; then
  launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  CC=clang-22 CXX=clang++-22 cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCNNC_FUZZ=ON "${launcher[@]}" \
    >/dev/null || exit 1
fi
ninja -C "$build" $(for t in $targets; do echo "${t}_fuzzer"; done) || exit 1

failed=()
for t in $targets; do
  work="$build/corpus/$t" crashes="$build/crash/$t"
  mkdir -p "$work" "$crashes"
  dict=()
  [[ -f "$root/fuzz/$t.dict" ]] && dict=(-dict="$root/fuzz/$t.dict")
  echo "== fuzz: $t for ${seconds}s"
  # -timeout: an input that takes this long is a hang; -rss_limit_mb: the
  # memory a reader may take on a small input.
  "$build/bin/${t}_fuzzer" -max_total_time="$seconds" -timeout=20 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "${dict[@]}" "$work" "$root/fuzz/corpus/$t" \
    >"$build/$t.log" 2>&1
  status=$?
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$build/$t.log" | sed 's/^/  /'
  grep -E '^stat::number_of_executed_units' "$build/$t.log" | sed 's/^/  /'
  if [[ $status -ne 0 ]]; then
    failed+=("$t")
    grep -E 'ERROR|SUMMARY|Test unit written' "$build/$t.log" | sed 's/^/  /'
    echo "  (log: $build/$t.log)"
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz: no crash in $(echo $targets | wc -w) targets"
