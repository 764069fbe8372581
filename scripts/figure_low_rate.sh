#!/usr/bin/env bash
# Side-by-side pictures at a low rate for docs/: original | nicodec | HEVC 4:4:4 (x265) | AV1 4:4:4 (avifenc),
# each codec at the largest file of at most BPP bits per pixel (nicodec: its own --bpp search; x265 and AV1:
# the lowest quantizer that fits). Writes docs/figures/lowrate-<image>.png (a centre crop of each, half size
# of the full picture on each side) and prints each codec's bpp and PSNR.
# Usage: scripts/figure_low_rate.sh [BPP] IMAGE...   (default BPP 0.05)
set -euo pipefail
cd "$(dirname "$0")/.."
bpp=0.05
if [[ "${1:-}" =~ ^[0-9.]+$ ]]; then bpp=$1; shift; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
psnr() { ffmpeg -hide_banner -i "$1" -i "$2" -lavfi psnr -f null - 2>&1 | sed -n 's/.*average:\([0-9.inf]*\).*/\1/p'; }
for img in "$@"; do
  name=$(basename "$img" .png)
  IFS=x read -r w h <<<"$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$img")"
  budget=$(awk -v b="$bpp" -v w="$w" -v h="$h" 'BEGIN { printf "%d", b * w * h / 8 }')  # bytes
  build/apps/nicodec --quiet encode "$img" --bpp "$bpp" -o "$work/n.nic"
  build/apps/nicodec --quiet decode "$work/n.nic" -o "$work/nicodec.png"
  for qp in $(seq 30 51); do
    ff -i "$img" -vf format=yuv444p -c:v libx265 -preset medium -x265-params "qp=$qp:info=0:log-level=error" -f hevc "$work/h.hevc"
    [ "$(stat -c %s "$work/h.hevc")" -le "$budget" ] && break
  done
  ff -i "$work/h.hevc" -frames:v 1 -pix_fmt rgb24 "$work/hevc.png"
  for q in $(seq 30 63); do
    avifenc -y 444 -s 4 --min "$q" --max "$q" "$img" "$work/a.avif" >/dev/null
    [ "$(stat -c %s "$work/a.avif")" -le "$budget" ] && break
  done
  avifdec "$work/a.avif" "$work/avif.png" >/dev/null
  for c in nicodec hevc avif; do
    f=$work/n.nic; [ $c = hevc ] && f=$work/h.hevc; [ $c = avif ] && f=$work/a.avif
    printf '%s %-8s %.4f bpp  PSNR %s dB\n' "$name" "$c" "$(awk -v s="$(stat -c %s "$f")" -v w="$w" -v h="$h" 'BEGIN { print 8 * s / (w * h) }')" "$(psnr "$work/$c.png" "$img")"
  done
  cw=$((w / 2)); ch=$((h / 2))
  crop="crop=$cw:$ch:$(( (w - cw) / 2 )):$(( (h - ch) / 2 ))"
  ff -i "$img" -i "$work/nicodec.png" -i "$work/hevc.png" -i "$work/avif.png" \
    -filter_complex "[0]$crop[a];[1]$crop[b];[2]$crop[c];[3]$crop[d];[a][b][c][d]hstack=inputs=4" \
    -frames:v 1 "docs/figures/lowrate-$name.png"
  echo "wrote docs/figures/lowrate-$name.png (original | nicodec | HEVC 4:4:4 | AV1 4:4:4, centre crops)"
done
