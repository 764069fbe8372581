#!/usr/bin/env bash
# Rebuilds the tiny samples in data/samples/ (kept in git for tests and the README demo) from Debian packages.
# Licenses: data/LICENSES.md. Needs ffmpeg and apt-get download (no root needed for download + dpkg -x).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
chmod 777 "$tmp"; apt-get download palapeli-data codec2-examples python3-imageio >/dev/null
for d in *.deb; do dpkg -x "$d" x; done
out="$here/samples"
mkdir -p "$out"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
# Image: centre square of a photo (1350x890 JPEG), area-downscaled so the JPEG artifacts wash out.
ff -i x/usr/share/palapeli/collection/citrus-fruits.jpg -vf "crop=880:880,scale=256:256:flags=area" \
   "$out/citrus-256.png"
# Speech: first 3 s of a 16 kHz recording (PCM WAV).
ff -i x/usr/share/codec2/raw/speech_orig_16k.wav -t 3 -c:a pcm_s16le "$out/speech-16k-3s.wav"
# Video: 6 frames of real handheld footage, area-downscaled to 160x96, YUV 4:2:0.
ff -i x/usr/lib/python3/dist-packages/imageio/resources/images/cockatoo.mp4 -frames:v 6 \
   -vf "scale=160:96:flags=area" -pix_fmt yuv420p "$out/cockatoo-160x96.y4m"
( cd "$out" && sha256sum citrus-256.png speech-16k-3s.wav cockatoo-160x96.y4m > SHA256SUMS )
echo "samples written to $out"
