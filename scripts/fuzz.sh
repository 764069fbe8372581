#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60) on its
# seed corpus plus whatever it found before. Usage: scripts/fuzz.sh [SECONDS] [target ...]
# NICODEC_FUZZ_NO_BUILD=1 skips the (re)build, so several runs can share one build-fuzz in parallel.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_container fuzz_rans_static fuzz_rans_adaptive fuzz_cabac fuzz_roundtrip fuzz_model_file fuzz_motion)
work=build-fuzz/corpus
if [ "${NICODEC_FUZZ_NO_BUILD:-0}" != 1 ]; then
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DNICODEC_FUZZ=ON -DNICODEC_MEDIA=OFF -DNICODEC_TESTS=OFF -DNICODEC_BENCH=OFF >/dev/null
  cmake --build build-fuzz -j2 >/dev/null
  build-fuzz/fuzz/make_seeds "$work" >/dev/null
fi
status=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" build-fuzz/crashes
  echo "fuzz: $t for ${secs}s"
  if ! build-fuzz/fuzz/$t "$work/$t" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix=build-fuzz/crashes/$t- -print_final_stats=1 2> "build-fuzz/$t.log"; then
    echo "fuzz: $t FAILED, see build-fuzz/$t.log and build-fuzz/crashes/"; tail -40 "build-fuzz/$t.log"; status=1
  else
    grep -E 'stat::number_of_executed_units|cov:' "build-fuzz/$t.log" | tail -2
  fi
done
exit $status
