#!/usr/bin/env bash
# Everything docs/results.md reports for nicodec, in one command (after scripts/setup.sh and
# data/build_image_sets.sh): the RD sweep of nicodec, its float-synthesis variant and the classical anchors over
# the 24 held-out photos (cached in build/rd-images-eval), BD-rates of nicodec against each anchor, the 0.05 bpp
# point beside HEVC and AV1, --bpp accuracy over the photos, the low-rate figures, and the speed benchmark.
# Takes about an hour on 2 cores from scratch (the anchors dominate; reruns reuse the cache).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/rd-images-eval
imgs=data/sets/images-eval
[ -d "$imgs" ] || { echo "run data/build_image_sets.sh first" >&2; exit 1; }
all=jpeg420,jpeg444,webp,jpeg2000,jpegxl,avif444,hevc444,nicodec,nicodec-fast,nicodec-bpp,nicodec-float
echo "== RD sweep ($all)"
build/apps/rdeval --images "$imgs" --codecs "$all" --out "$out" -j 2 -q >"$out.log"
sed -n '/BD-rate/,/^$/p' "$out.log"
for ref in jpeg420 webp jpeg2000 jpegxl avif444 hevc444 nicodec-float; do
  echo "== BD-rate of nicodec (fixed rate levels, refined), nicodec-fast and nicodec-bpp (--bpp targets) against $ref"
  build/apps/rdeval --images "$imgs" --codecs "$ref,nicodec,nicodec-fast,nicodec-bpp" --reference "$ref" --out "$out" -q |
    grep '^| nicodec[-a-z]* |'
done
echo "== 0.05 bpp: largest file at or below the target per photo"
build/apps/rdeval --images "$imgs" --codecs nicodec,nicodec-fast,hevc444,avif444 --bpp 0.05 --out "$out" -q | grep '^|'
echo "== nicodec --bpp accuracy (file at most the target and within 5% of it)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for target in 0.03 0.05 0.1 0.25 0.5 1.0; do
  ok=0 n=0 worst=1 fail=""
  for f in "$imgs"/*.png; do
    n=$((n + 1))
    if build/apps/nicodec --quiet encode "$f" --bpp "$target" --refine 0 -o "$tmp/a.nic" 2>"$tmp/err"; then
      r=$(awk -v s="$(stat -c %s "$tmp/a.nic")" -v t="$target" 'BEGIN { printf "%.4f", 8 * s / (768 * 512) / t }')
      awk -v r="$r" 'BEGIN { exit !(r <= 1 && r >= 0.95) }' && ok=$((ok + 1))
      worst=$(awk -v r="$r" -v w="$worst" 'BEGIN { print (r < w ? r : w) }')
    else
      fail="$fail $(basename "$f" .png)"
    fi
  done
  echo "target $target bpp: $ok/$n photos within [0.95, 1.00] x target, lowest ratio $worst${fail:+; unreachable:$fail}"
done
echo "== figures"
scripts/figure_low_rate.sh 0.05 "$imgs/nc01-valendas.png" "$imgs/nc12-dragonfly-by-bolly.png"
echo "== speed (768x512, 2 threads)"
NICODEC_THREADS=2 build/bench/bench_image_codec --benchmark_min_time=1
