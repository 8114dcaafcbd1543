#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang-22, ASan + UBSan, in
# build-fuzz/) and runs each for SECONDS (default 60) on its committed corpus
# fuzz/corpus/<target>/, new inputs going to build-fuzz/corpus/<target>/.
# Fails if a target crashes, leaks, hangs or runs out of memory; the input
# that did is saved as build-fuzz/crash/<target>/crash-* (add it to the corpus
# with a regression test once fixed). FUZZ_TARGETS="a b" picks targets.
# FUZZ_CLOCK=cpu counts SECONDS in the target's own CPU time instead of the
# wall clock, so that a long run niced beside other work still fuzzes that
# long. (Not one stopped with SIGSTOP: libFuzzer's -timeout is wall time,
# so the input it was running when stopped would be reported as a hang.)
#   scripts/fuzz.sh [SECONDS]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build="$root/build-fuzz"
targets=${FUZZ_TARGETS:-"frontend safetensors idx cifar checkpoint"}
clock=${FUZZ_CLOCK:-wall}
[[ $clock == wall || $clock == cpu ]] || { echo "fuzz: FUZZ_CLOCK must be wall or cpu, not '$clock'" >&2; exit 2; }

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

# Interrupts process $1 once its user + system time reaches $2 seconds;
# writes the CPU seconds seen so far to file $3 (the run's report).
stop_after_cpu_seconds() {
  local pid=$1 report=$3 tick=$(getconf CLK_TCK) fields
  local budget=$(($2 * tick))
  while kill -0 "$pid" 2>/dev/null; do
    # /proc/PID/stat: fields 14 and 15 (after the parenthesised name) are
    # utime and stime in clock ticks.
    fields=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || return 0
    set -- $fields
    echo $(((${12} + ${13}) / tick)) >"$report"
    if (( ${12} + ${13} >= budget )); then
      kill -INT "$pid" 2>/dev/null
      return 0
    fi
    sleep 5
  done
}

failed=()
for t in $targets; do
  work="$build/corpus/$t" crashes="$build/crash/$t"
  mkdir -p "$work" "$crashes"
  rm -f "$build/$t.cpu-seconds"
  dict=()
  [[ -f "$root/fuzz/$t.dict" ]] && dict=(-dict="$root/fuzz/$t.dict")
  echo "== fuzz: $t for ${seconds}s ($clock clock)"
  # -timeout: an input that takes this long is a hang; -rss_limit_mb: the
  # memory a reader may take on a small input.
  limit=(-max_total_time="$seconds")
  [[ $clock == cpu ]] && limit=()
  "$build/bin/${t}_fuzzer" "${limit[@]}" -timeout=20 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "${dict[@]}" "$work" "$root/fuzz/corpus/$t" \
    >"$build/$t.log" 2>&1 &
  pid=$!
  if [[ $clock == cpu ]]; then
    stop_after_cpu_seconds "$pid" "$seconds" "$build/$t.cpu-seconds"
  fi
  wait "$pid"
  status=$?
  # libFuzzer leaves with 72 when interrupted; here that is the CPU budget.
  [[ $clock == cpu && $status -eq 72 ]] && status=0
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$build/$t.log" | sed 's/^/  /'
  grep -E '^#[0-9]+[[:space:]]' "$build/$t.log" | tail -1 | sed 's/^/  last: /'
  grep -E '^stat::number_of_executed_units' "$build/$t.log" | sed 's/^/  /'
  [[ $clock == cpu ]] && echo "  cpu seconds: $(cat "$build/$t.cpu-seconds" 2>/dev/null)"
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
