#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run):
#   1. Release build + ctest (unit tests, round trips, efficiency against computed entropies, CLI behaviour)
#   2. ASan + UBSan build of everything but the libtorch parts + ctest
#   3. a Debug (-O0) build of the determinism tests: the integer-exact layers and the entropy tables must give
#      the same golden CRCs as the optimized build (two separately built runs)
#   4. each libFuzzer target for FUZZ_SECONDS (default 60) on its seed corpus
# Set NICODEC_QUICK=1 to run step 1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
jobs=$(nproc)
echo "== release build and tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")
if [ "${NICODEC_QUICK:-0}" = 1 ]; then exit 0; fi
echo "== ASan + UBSan build and tests"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNICODEC_SANITIZE=ON -DNICODEC_TORCH=OFF \
  -DNICODEC_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs")
echo "== determinism across builds: Debug build of the golden-CRC tests"
cmake -S . -B build-debug -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNICODEC_MEDIA=OFF -DNICODEC_BENCH=OFF >/dev/null
cmake --build build-debug -j"$jobs" --target test_integer_conv test_entropy
(cd build-debug && ctest --output-on-failure -R 'IntegerConv|Distributions')
echo "== fuzzing, ${FUZZ_SECONDS:-60} s per target"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
echo "== all checks passed"
