#!/usr/bin/env bash
# Sets up, builds and runs every test: the whole lit suite on the release
# build, then the front-end and dialect tests again under ASan + UBSan, then
# each fuzz target for 30 s (scripts/fuzz.sh).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lit=/usr/lib/llvm-22/bin/lit

"$root/scripts/setup.sh" test || exit 1
"$root/scripts/build.sh" || exit 1
"$root/scripts/build.sh" --sanitize || exit 1

passed=0 failed=0
# The end of each failed test's output, repeated after everything else: a
# CI log keeps its start and its end, and a failure's cause is at its end.
failures=$(mktemp)
run_lit() { # dir, paths...
  local out log
  # lit's output to stderr as it comes (through the inherited descriptor:
  # reopening /dev/stderr would truncate a log file), its counts from a copy.
  log=$(mktemp)
  "$lit" -v "$@" 2>&1 | tee "$log" >&2
  awk '/^\*+ TEST .* FAILED \*+$/ {on = 1; n = 0; head = $0; next}
       on && /^\*+$/ {on = 0; print head; s = n > 25 ? n - 25 : 0
                        for (i = s; i < n; ++i) print tail[i % 25]; next}
       on {tail[n++ % 25] = $0}' "$log" >> "$failures"
  out=$(grep -E '^ *(Passed|Failed|Unresolved|Timed Out|Unsupported|Expectedly Failed|Unexpectedly Passed) *:' "$log")
  rm -f "$log"
  local p f
  p=$(echo "$out" | awk -F: '/Passed|Expectedly Failed/ && !/Unexpectedly/ {s+=$2} END {print s+0}')
  f=$(echo "$out" | awk -F: '/^ *(Failed|Unresolved|Timed Out|Unexpectedly Passed)/ {s+=$2} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
}

echo "== lit: release build"
run_lit "$root/build/test"
echo "== lit: sanitizer build (front end, MLIRGen, tools, dialect, model front-end checks, runtime)"
run_lit --filter "compiler/frontend|compiler/mlirgen|compiler/tools|dialect|models/[a-z_-]+\.test|runtime" "$root/build-asan/test"

echo "== fuzz: each target 30 s on its corpus (fuzz/corpus/)"
fuzz_ok=1
"$root/scripts/fuzz.sh" 30 || fuzz_ok=0

if [[ -s $failures ]]; then
  echo "== the failed tests, each its output's last 25 lines"
  cat "$failures"
fi
rm -f "$failures"
echo "$passed passed, $failed failed"
((fuzz_ok)) || echo "fuzzing found a crash (see above)"
[[ $failed -eq 0 && $passed -gt 0 && $fuzz_ok -eq 1 ]]
