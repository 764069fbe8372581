#!/usr/bin/env bash
# Builds the image datasets from photographs that Debian 12 packages ship (no internet beyond Debian's archive):
#   data/sets/images-eval/   24 held-out photos, 768x512 or 512x768 RGB PNG, Kodak-shaped: a centred 3:2 (2:3)
#                            crop of each photo, area-downscaled so the source JPEG artifacts wash out
#   data/sets/images-train/  43 other photos at up to three scales (short side 1024, 640, 384 where the photo is
#                            larger), high-quality JPEG (4:4:4, qscale 2); trainers take random crops
# No photo is in both sets (different packages). Reserved for independent evaluation and never used here:
# plasma-workspace-wallpapers, pocketsphinx-testdata, singularity-music.
# Each set is checked against data/manifests/<set>.tsv (name, size, SHA-256, package, source file);
# --update-manifest rewrites the manifests instead (after a deliberate change of sources or tools).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
update=0
[ "${1:-}" = "--update-manifest" ] && update=1
cache="$here/cache"
sets="$here/sets"
source "$here/lib_sets.sh"

EVAL_PACKAGES=(lxqt-themes lomiri-wallpapers-16.04 lomiri-wallpapers-20.04)
TRAIN_PACKAGES=(mate-backgrounds palapeli-data python3-skimage libjxl-testdata opencv-doc)
B=usr/share/backgrounds
L=usr/share/lxqt/wallpapers
EVAL_FILES=(
  "lxqt-themes $L/Valendas.png" "lxqt-themes $L/after-the-rain.jpg" "lxqt-themes $L/appleflower.png"
  "lxqt-themes $L/beam.png" "lxqt-themes $L/butterfly.png" "lxqt-themes $L/cloud.png" "lxqt-themes $L/drop.png"
  "lxqt-themes $L/flowers.png" "lxqt-themes $L/fog.jpg" "lxqt-themes $L/this-is-not-windows.jpg"
  "lomiri-wallpapers-16.04 $B/Bridge_by_Sander_Klootwijk.jpg" "lomiri-wallpapers-16.04 $B/Dragonfly_by_Bolly.jpg"
  "lomiri-wallpapers-16.04 $B/Picture_0B_by_freespace.jpg" "lomiri-wallpapers-16.04 $B/Picture_1A_by_freespace.jpg"
  "lomiri-wallpapers-16.04 $B/Wine_by_Jakkub_Mede.jpg" "lomiri-wallpapers-16.04 $B/aitzgorri_by_Aitzol_Berasategi.jpg"
  "lomiri-wallpapers-16.04 $B/free_by_Peter_Nerlich.jpg" "lomiri-wallpapers-16.04 $B/friends_by_Aitzol_Berasategi.jpg"
  "lomiri-wallpapers-16.04 $B/greentock_by_Peter_Nerlich.jpg" "lomiri-wallpapers-16.04 $B/life_by_Aitzol_Berasategi.jpg"
  "lomiri-wallpapers-16.04 $B/picosdeeuropa_by_Aitzol_Berasategi.jpg"
  "lomiri-wallpapers-16.04 $B/seeding_by_Clements_Engelhardt.jpg"
  "lomiri-wallpapers-16.04 $B/sunset_by_Aitzol_Berasategi.jpg"
  "lomiri-wallpapers-20.04 $B/Kleiber_by_Lukas_Baubkus.jpg"
)
S=usr/lib/python3/dist-packages/skimage/data
TRAIN_FILES=()
for f in Aqua Blinds Dune FreshFlower Garden GreenMeadow LadyBird RainDrops Storm TwoWings Wood YellowFlower; do
  TRAIN_FILES+=("mate-backgrounds $B/mate/nature/$f.jpg")
done
for f in castle-maintenon cincinnati-bridge citrus-fruits european-honey-bee panther-chameleon-female; do
  TRAIN_FILES+=("palapeli-data usr/share/palapeli/collection/$f.jpg")
done
for f in coffee.png astronaut.png motorcycle_left.png rocket.jpg chelsea.png hubble_deep_field.jpg; do
  TRAIN_FILES+=("python3-skimage $S/$f")
done
J=usr/share/libjxl-testdata
TRAIN_FILES+=("libjxl-testdata $J/jxl/flower/flower.png" "libjxl-testdata $J/jxl/hdr_room.png")
for f in cvo9xd_keong_macan tmshre_riaphotographs u76c0g_bliznaca; do
  TRAIN_FILES+=("libjxl-testdata $J/external/wesaturate/500px/${f}_srgb8.png")
done
# opencv-doc's sample photos (not its drawings, paintings, charts or grey-level frames; vtest.avi is held-out video).
for f in aero1.jpg aloeL.jpg apple.jpg baboon.jpg building.jpg butterfly.jpg fruits.jpg graf1.png home.jpg \
         leuvenA.jpg messi5.jpg orange.jpg rubberwhale1.png smarties.png squirrel_cls.jpg; do
  TRAIN_FILES+=("opencv-doc usr/share/doc/opencv-doc/examples/data/$f")
done

echo "datasets: fetching packages into $cache"
fetch_packages "${EVAL_PACKAGES[@]}" "${TRAIN_PACKAGES[@]}"

ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
size_of() { ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$1"; }
stem() { basename "$1" | sed 's/\.[^.]*$//' | tr 'A-Z_' 'a-z-'; }

build_eval() {
  local out="$sets/images-eval" manifest="$1"
  rm -rf "$out" && mkdir -p "$out"
  local n=0
  for entry in "${EVAL_FILES[@]}"; do
    read -r pkg rel <<<"$entry"
    local src="$cache/root/$pkg/$rel" w h cw ch tw th
    IFS=x read -r w h <<<"$(size_of "$src")"
    if [ "$w" -ge "$h" ]; then tw=768; th=512; else tw=512; th=768; fi
    # Largest centred crop with the target's aspect ratio (even sizes).
    if [ $((w * th)) -ge $((h * tw)) ]; then ch=$h; cw=$((h * tw / th)); else cw=$w; ch=$((w * th / tw)); fi
    cw=$((cw / 2 * 2)); ch=$((ch / 2 * 2))
    n=$((n + 1))
    local name
    name=$(printf 'nc%02d-%s.png' "$n" "$(stem "$rel")")
    ff -i "$src" -frames:v 1 -vf "crop=$cw:$ch,scale=$tw:$th:flags=area,format=rgb24" "$out/$name"
    printf '%s\t%d\t%d\t%s\t%s\t%s\n' "$name" "$tw" "$th" "$(sha256sum "$out/$name" | cut -d' ' -f1)" "$pkg" "$rel" >>"$manifest"
  done
}

build_train() {
  local out="$sets/images-train" manifest="$1"
  rm -rf "$out" && mkdir -p "$out"
  for entry in "${TRAIN_FILES[@]}"; do
    read -r pkg rel <<<"$entry"
    local src="$cache/root/$pkg/$rel" w h short
    IFS=x read -r w h <<<"$(size_of "$src")"
    short=$((w < h ? w : h))
    local made=0
    for s in 1024 640 384; do
      [ "$short" -gt "$s" ] || continue
      local name tw th
      name="$(stem "$rel")-s$s.jpg"
      if [ "$w" -le "$h" ]; then tw=$s; th=$((h * s / w / 2 * 2)); else th=$s; tw=$((w * s / h / 2 * 2)); fi
      ff -i "$src" -frames:v 1 -vf "scale=$tw:$th:flags=area,format=yuvj444p" -q:v 2 "$out/$name"
      printf '%s\t%d\t%d\t%s\t%s\t%s\n' "$name" "$tw" "$th" "$(sha256sum "$out/$name" | cut -d' ' -f1)" "$pkg" "$rel" >>"$manifest"
      made=1
    done
    if [ "$made" = 0 ]; then  # small photos: native size
      local name
      name="$(stem "$rel")-native.jpg"
      ff -i "$src" -frames:v 1 -vf "format=yuvj444p" -q:v 2 "$out/$name"
      printf '%s\t%d\t%d\t%s\t%s\t%s\n' "$name" "$w" "$h" "$(sha256sum "$out/$name" | cut -d' ' -f1)" "$pkg" "$rel" >>"$manifest"
    fi
  done
}

status=0
for set in images-eval images-train; do
  tmp=$(mktemp)
  printf 'file\twidth\theight\tsha256\tpackage\tsource\n' >"$tmp"
  echo "datasets: building $set"
  if [ "$set" = images-eval ]; then build_eval "$tmp"; else build_train "$tmp"; fi
  pkgs=("${EVAL_PACKAGES[@]}")
  [ "$set" = images-train ] && pkgs=("${TRAIN_PACKAGES[@]}")
  finish_set "$set" "$tmp" "${pkgs[@]}" || status=1
  rm -f "$tmp"
done
exit $status
