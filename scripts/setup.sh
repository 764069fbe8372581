#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install the packages, build in Release, run the demo on the
# bundled samples. Re-running it only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
bash scripts/demo.sh
