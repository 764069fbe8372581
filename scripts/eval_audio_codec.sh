#!/usr/bin/env bash
# Everything docs/results.md reports for audiocodec, in one command (after scripts/setup.sh and
# data/build_audio_sets.sh): the rate sweep of audiocodec beside Opus and Codec2 on the held-out speech and music
# clips (mel distance, SI-SDR, STOI, ESTOI), then speed and peak memory on one hour of audio with one thread.
set -euo pipefail
cd "$(dirname "$0")/.."
clips=data/sets/audio-eval
[ -d "$clips" ] || { echo "run data/build_audio_sets.sh first" >&2; exit 1; }
out=build/rd-audio
echo "== rate sweep (audiocodec at --kbps caps and at fixed stage counts, opus, codec2)"
build/apps/rdeval --audio "$clips" --codecs audiocodec,audiocodec-stages,opus,codec2 --out "$out" -j 2 -q >"$out.log"
cat "$out.log"

echo "== one hour of audio (the held-out clips looped), one thread"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ffmpeg -nostdin -loglevel error -y -f concat -safe 0 \
  -i <(for f in "$clips"/*.wav; do echo "file '$PWD/$f'"; done) -c:a pcm_s16le "$tmp/all.wav"
ffmpeg -nostdin -loglevel error -y -stream_loop -1 -i "$tmp/all.wav" -t 3600 -c:a pcm_s16le "$tmp/hour.wav"
for kbps in 1.4 5.6; do
  /usr/bin/time -f "encode --kbps $kbps: %e s wall, %M KiB peak RSS" build/apps/audiocodec --threads 1 --quiet \
    encode "$tmp/hour.wav" --kbps "$kbps" -o "$tmp/hour.nac"
  /usr/bin/time -f "decode --kbps $kbps: %e s wall, %M KiB peak RSS" build/apps/audiocodec --threads 1 --quiet \
    decode "$tmp/hour.nac" -o "$tmp/hour-dec.wav"
  echo "file: $(stat -c %s "$tmp/hour.nac") bytes = $(python3 -c "print(round($(stat -c %s "$tmp/hour.nac") * 8 / 3600 / 1000, 3))") kbit/s"
done
