#!/usr/bin/env bash
# Installs every Debian 12 package NiCodec needs to build, test, fuzz and benchmark.
# Idempotent: packages already present are skipped by apt. Needs root (or sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS=(
  build-essential cmake ninja-build pkg-config git
  python3                             # small checks in the CLI test scripts (wave module)
  clang libclang-rt-14-dev            # libFuzzer + sanitizers
  libzstd-dev zstd
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev
  libtorch-dev libopenblas0-pthread
  libopencv-dev
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev ffmpeg
  libsndfile1-dev
  # classical anchors for the evaluation (rdeval)
  libjpeg-turbo-progs webp libopenjp2-tools libjxl-tools libavif-bin
  fluidsynth                          # renders the MIDI training music (data/build_audio_sets.sh)
  time                                # /usr/bin/time in scripts/eval_audio_codec.sh (peak memory)
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#PKGS[@]} packages already installed"
  exit 0
fi
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
