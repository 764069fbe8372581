#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run):
#   1. Release build + ctest (unit tests, round trips, efficiency against computed entropies, CLI behaviour)
#   2. ASan + UBSan build of everything but the libtorch parts + ctest
#   3. a Debug (-O0) build of the determinism tests: the integer-exact layers, the image codec's entropy
#      parameters and the entropy tables must give the same golden CRCs as the optimized build
#   4. each libFuzzer target for FUZZ_SECONDS (default 60) on its seed corpus
# Set NICODEC_QUICK=1 to run step 1 only.
set -euo pipefail  # pipefail: a failing ctest fails its "| tee" too
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
jobs=$(nproc)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# Sums the ctest summaries so the script can close with one "N passed, M failed" line.
summary() {
  local passed=0 failed=0 f total bad
  for f in "$logs"/*.log; do
    [ -e "$f" ] || continue
    total=$(sed -n 's/.* tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$f" | tail -1)
    bad=$(sed -n 's/.* tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$f" | tail -1)
    passed=$((passed + ${total:-0} - ${bad:-0}))
    failed=$((failed + ${bad:-0}))
  done
  echo "tests: $passed passed, $failed failed"
}
echo "== release build and tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs") | tee "$logs/release.log"
if [ "${NICODEC_QUICK:-0}" = 1 ]; then summary; exit 0; fi
echo "== ASan + UBSan build and tests"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNICODEC_SANITIZE=ON -DNICODEC_TORCH=OFF \
  -DNICODEC_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs") | tee "$logs/asan.log"
echo "== determinism across builds: Debug build of the golden-CRC tests"
cmake -S . -B build-debug -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNICODEC_BENCH=OFF >/dev/null
cmake --build build-debug -j"$jobs" --target test_integer_conv test_entropy test_image_codec
(cd build-debug && ctest --output-on-failure -R 'IntegerConv|Distributions|IntegerHyperSynthesis') | tee "$logs/debug.log"
echo "== fuzzing, ${FUZZ_SECONDS:-60} s per target"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
echo "== all checks passed"
summary
