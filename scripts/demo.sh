#!/usr/bin/env bash
# The main job on bundled sample data: compress a photo with the learned codec (nicodec) at a target bpp and
# measure what came back with FFmpeg; compress speech with audiocodec at 1.4 kbit/s and a short clip with
# vidcodec (I + P frames) at 100 kbit/s; code the photo losslessly through the entropy layer and check the
# pixels; measure the entropy coders.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/demo
mkdir -p "$out"
img=data/samples/citrus-256.png
if [ -x build/apps/nicodec ]; then
  echo "== nicodec: $img at 0.25 bpp (the rate knob is searched so the file is at most 0.25 bpp)"
  build/apps/nicodec encode "$img" --bpp 0.25 -o "$out/citrus.nic"
  build/apps/nicodec info "$out/citrus.nic"
  build/apps/nicodec decode "$out/citrus.nic" -o "$out/citrus-nic.png"
  ffmpeg -hide_banner -loglevel info -i "$out/citrus-nic.png" -i "$img" -lavfi psnr -f null - 2>&1 |
    sed -n 's/.*PSNR r:.* average:\([0-9.]*\).*/PSNR of the decoded picture (FFmpeg): \1 dB/p'
fi
wav=data/samples/speech-16k-3s.wav
if [ -x build/apps/audiocodec ]; then
  echo "== audiocodec: $wav at 1.4 kbit/s (the whole file, headers included, at most 1.4 kbit/s)"
  build/apps/audiocodec encode "$wav" --kbps 1.4 -o "$out/speech.nac"
  build/apps/audiocodec info "$out/speech.nac"
  build/apps/audiocodec decode "$out/speech.nac" -o "$out/speech-nac.wav"
  printf 'sizes: WAV %d bytes, audiocodec %d bytes\n' "$(stat -c %s "$wav")" "$(stat -c %s "$out/speech.nac")"
fi
clip=data/samples/cockatoo-160x96.y4m
if [ -x build/apps/vidcodec ]; then
  echo "== vidcodec: $clip at 100 kbit/s (an I frame, then motion-compensated P frames)"
  build/apps/vidcodec encode "$clip" --kbps 100 -o "$out/cockatoo.nvc"
  build/apps/vidcodec info "$out/cockatoo.nvc" | head -1
  build/apps/vidcodec decode "$out/cockatoo.nvc" -o "$out/cockatoo-nvc.y4m"
  ffmpeg -hide_banner -loglevel info -i "$out/cockatoo-nvc.y4m" -i "$clip" -lavfi psnr -f null - 2>&1 |
    sed -n 's/.*PSNR y:.* average:\([0-9.]*\).*/PSNR of the decoded clip (FFmpeg): \1 dB/p'
fi
echo "== lossless round trip of $img"
build/apps/nctool encode-lossless "$img" -o "$out/citrus.ncl"
build/apps/nctool info "$out/citrus.ncl"
build/apps/nctool decode-lossless "$out/citrus.ncl" -o "$out/citrus.png"
pixels() { ffmpeg -loglevel error -i "$1" -f rawvideo -pix_fmt rgb24 - | sha256sum | cut -d' ' -f1; }
if [ "$(pixels "$img")" = "$(pixels "$out/citrus.png")" ]; then
  echo "decoded pixels identical to the original (checked with FFmpeg)"
else
  echo "decoded pixels differ from the original" >&2
  exit 1
fi
printf 'sizes: PNG %d bytes, nctool %d bytes\n' "$(stat -c %s "$img")" "$(stat -c %s "$out/citrus.ncl")"
echo "== entropy coders (one core; full table: build/bench/bench_entropy)"
build/bench/bench_entropy --benchmark_filter='RansStatic|CabacDecode|Zstd.*level:19/decode:0' \
  --benchmark_min_time=0.2 --benchmark_counters_tabular=true 2>/dev/null
