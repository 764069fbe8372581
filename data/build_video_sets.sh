#!/usr/bin/env bash
# Builds the video datasets, YUV 4:2:0 8-bit y4m, shaped like UVG (short clips, up to 96 frames):
#   data/sets/video-eval/   held out: real footage: cockatoo (python3-imageio, 1280x720 handheld, 4:4:4 source
#                           subsampled to 4:2:0) and vtest (opencv-doc, 768x576 static camera); synthetic 1080p:
#                           camera pans/zooms over two held-out photos (no Debian package ships real 1080p footage)
#   data/sets/video-train/  synthetic: 448x256 pans/zooms of 24 frames over the image training photos; real footage
#                           that is not held out: opencv-doc's Megamind (animated trailer, 720x528) and tree
#                           (320x240), python3-imageio's realshort (320x240)
# Synthetic clips are named pan-* / zoom-* and are made by `nctool make-pan` (sub-pixel motion, BT.709):
# real camera-like motion over a static scene, so they say nothing about occlusions or moving objects.
# Needs a build (build/apps/nctool; override with NCTOOL=...) and data/build_image_sets.sh run first.
# Each set is checked against data/manifests/<set>.tsv; --update-manifest rewrites the manifests instead.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
update=0
[ "${1:-}" = "--update-manifest" ] && update=1
cache="$here/cache"
sets="$here/sets"
nctool=${NCTOOL:-$here/../build/apps/nctool}
[ -x "$nctool" ] || { echo "datasets: $nctool not found: build first (scripts/setup.sh)" >&2; exit 1; }
[ -d "$sets/images-train" ] || { echo "datasets: run data/build_image_sets.sh first" >&2; exit 1; }
source "$here/lib_sets.sh"

EVAL_PACKAGES=(python3-imageio opencv-doc lomiri-wallpapers-16.04)
TRAIN_PACKAGES=(mate-backgrounds palapeli-data python3-skimage opencv-doc python3-imageio)
echo "datasets: fetching packages into $cache"
fetch_packages "${EVAL_PACKAGES[@]}" "${TRAIN_PACKAGES[@]}"

ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
row() {  # row FILE PACKAGE SOURCE
  local w h n
  read -r w h <<<"$(head -c 200 "$1" | head -1 | sed -n 's/^YUV4MPEG2 W\([0-9]*\) H\([0-9]*\).*/\1 \2/p')"
  n=$(( ($(stat -c %s "$1") - $(head -1 "$1" | wc -c)) / (w * h * 3 / 2 + 6) ))
  printf '%s\t%d\t%d\t%d\t%s\t%s\t%s\n' "$(basename "$1")" "$w" "$h" "$n" "$(sha256sum "$1" | cut -d' ' -f1)" "$2" "$3" >>"$manifest"
}

build_eval() {
  local out="$sets/video-eval" I=usr/lib/python3/dist-packages/imageio/resources/images
  local O=usr/share/doc/opencv-doc/examples/data B=usr/share/backgrounds
  rm -rf "$out" && mkdir -p "$out"
  ff -i "$cache/root/python3-imageio/$I/cockatoo.mp4" -frames:v 96 -vf format=yuv420p -f yuv4mpegpipe -strict -1 "$out/cockatoo-1280x720.y4m"
  row "$out/cockatoo-1280x720.y4m" python3-imageio "$I/cockatoo.mp4 (first 96 frames, 20 fps)"
  ff -i "$cache/root/opencv-doc/$O/vtest.avi" -frames:v 96 -vf format=yuv420p -f yuv4mpegpipe "$out/vtest-768x576.y4m"
  row "$out/vtest-768x576.y4m" opencv-doc "$O/vtest.avi (first 96 frames, 10 fps)"
  "$nctool" -q make-pan "$cache/root/lomiri-wallpapers-16.04/$B/seeding_by_Clements_Engelhardt.jpg" \
    -o "$out/pan-seeding-1920x1080.y4m" --size 1920x1080 --frames 96 --path 2000,1500,1.8,3300,1450,1.8
  row "$out/pan-seeding-1920x1080.y4m" lomiri-wallpapers-16.04 "$B/seeding_by_Clements_Engelhardt.jpg (synthetic pan)"
  "$nctool" -q make-pan "$cache/root/lomiri-wallpapers-16.04/$B/picosdeeuropa_by_Aitzol_Berasategi.jpg" \
    -o "$out/zoom-picosdeeuropa-1920x1080.y4m" --size 1920x1080 --frames 96 --path 1632,1224,1.6,1700,1250,1.1
  row "$out/zoom-picosdeeuropa-1920x1080.y4m" lomiri-wallpapers-16.04 "$B/picosdeeuropa_by_Aitzol_Berasategi.jpg (synthetic zoom)"
}

build_train() {
  local out="$sets/video-train" k=0
  rm -rf "$out" && mkdir -p "$out"
  while IFS= read -r f; do
    local w h
    IFS=x read -r w h <<<"$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$f")"
    k=$((k + 1))
    # Alternate pans and zooms; the window (448x256 at scale up to 1.3) stays inside the photo.
    local s0=1.0 s1=1.3 dx=$(( (w - 600) / 2 )) dy=$(( (h - 340) / 3 ))
    [ $((k % 2)) = 0 ] && s0=1.25 s1=1.25
    local cx0=$((300 + k % 7 * 5)) cy0=$((h / 2)) cx1=$((300 + dx)) cy1=$((h / 2 + (k % 3 - 1) * dy / 2))
    local name
    name="$([ $((k % 2)) = 0 ] && echo pan || echo zoom)-$(basename "$f" .jpg).y4m"
    "$nctool" -q make-pan "$f" -o "$out/$name" --size 448x256 --frames 24 --path "$cx0,$cy0,$s0,$cx1,$cy1,$s1"
    row "$out/$name" "images-train" "$(basename "$f") (synthetic)"
  done < <(find "$sets/images-train" -name '*-s1024.jpg' | LC_ALL=C sort)
  # Real footage (none of it in video-eval): the only moving pictures besides the held-out ones that Debian's
  # packages ship. Megamind: frames 1-144 (frame 0 is black), one continuous dark scene; tree and realshort whole.
  local O=usr/share/doc/opencv-doc/examples/data I=usr/lib/python3/dist-packages/imageio/resources/images
  ff -i "$cache/root/opencv-doc/$O/Megamind.avi" -vf "select=between(n\,1\,144),format=yuv420p" -fps_mode passthrough \
    -f yuv4mpegpipe "$out/real-megamind-720x528.y4m"
  row "$out/real-megamind-720x528.y4m" opencv-doc "$O/Megamind.avi (frames 1-144)"
  ff -i "$cache/root/opencv-doc/$O/tree.avi" -vf format=yuv420p -fps_mode passthrough -f yuv4mpegpipe "$out/real-tree-320x240.y4m"
  row "$out/real-tree-320x240.y4m" opencv-doc "$O/tree.avi"
  ff -i "$cache/root/python3-imageio/$I/realshort.mp4" -vf format=yuv420p -fps_mode passthrough -f yuv4mpegpipe "$out/real-realshort-320x240.y4m"
  row "$out/real-realshort-320x240.y4m" python3-imageio "$I/realshort.mp4"
}

build_sets video "$(printf 'file\twidth\theight\tframes\tsha256\tpackage\tsource')"
