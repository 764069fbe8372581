#!/usr/bin/env bash
# Builds the audio datasets, 16 kHz mono 16-bit WAV, from recordings that Debian 12 packages ship:
#   data/sets/audio-eval/   held out: speech = Italian Asterisk prompts (one speaker, a language the training
#                           set lacks), cut into 10 s clips, plus codec2's 16 kHz reference sentence;
#                           music = sonic-pi's recorded loops and instruments, first 10 s each
#   data/sets/audio-train/  speech = Asterisk prompts in English, Spanish, French and Russian (one file per
#                           language); music = the Wesnoth soundtrack (Vorbis, one file per track) and
#                           MIDI music (openttd-openmsx, planetblupi-music-midi) rendered losslessly by fluidsynth
#                           with the FluidR3 General MIDI soundfont, first 4 minutes of each piece
# No recording is in both sets (different packages and speakers). Asterisk's prompts come as G.722 (16 kHz,
# 64 kbit/s): wideband speech, not studio masters; say so when quoting results.
# Each set is checked against data/manifests/<set>.tsv (name, samples, SHA-256, package, source);
# --update-manifest rewrites the manifests instead.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
update=0
[ "${1:-}" = "--update-manifest" ] && update=1
cache="$here/cache"
sets="$here/sets"
source "$here/lib_sets.sh"

EVAL_PACKAGES=(asterisk-core-sounds-it-g722 codec2-examples sonic-pi-samples)
TRAIN_PACKAGES=(asterisk-core-sounds-en-g722 asterisk-core-sounds-es-g722 asterisk-core-sounds-fr-g722
                asterisk-core-sounds-ru-g722 wesnoth-1.16-music fluid-soundfont-gm openttd-openmsx
                planetblupi-music-midi)
SP=usr/share/sonic-pi/samples
MUSIC_EVAL=(loop_amen_full loop_breakbeat loop_compus loop_garzul loop_mika loop_safari loop_tabla ambi_piano
            guit_em9 guit_harmonics)

command -v fluidsynth >/dev/null || { echo "datasets: fluidsynth not found: run scripts/install_deps.sh" >&2; exit 1; }
echo "datasets: fetching packages into $cache"
fetch_packages "${EVAL_PACKAGES[@]}" "${TRAIN_PACKAGES[@]}"

ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
to16k=(-ac 1 -ar 16000 -c:a pcm_s16le -fflags +bitexact -flags:a +bitexact)
row() {  # row FILE PACKAGE SOURCE
  local samples
  samples=$(( ($(stat -c %s "$1") - 44) / 2 ))
  printf '%s\t%d\t%s\t%s\t%s\n' "$(basename "$1")" "$samples" "$(sha256sum "$1" | cut -d' ' -f1)" "$2" "$3" >>"$manifest"
}
# All prompts of an Asterisk package, sorted by name, as one 16 kHz stream.
concat_prompts() {  # concat_prompts PACKAGE OUT.wav
  local list
  list=$(mktemp)
  find "$cache/root/$1/usr/share/asterisk/sounds" -name '*.g722' | LC_ALL=C sort | sed "s/'/'\\\\''/g; s/^/file '/; s/$/'/" >"$list"
  ff -f concat -safe 0 -i "$list" "${to16k[@]}" "$2"
  rm -f "$list"
}

build_eval() {
  local out="$sets/audio-eval"
  rm -rf "$out" && mkdir -p "$out"
  local all="$cache/it-all.wav"
  concat_prompts asterisk-core-sounds-it-g722 "$all"
  for i in 1 2 3 4 5 6 7 8; do  # 10 s clips, 60 s apart, so they hold different prompts
    local name
    name=$(printf 'speech-%02d-it-asterisk.wav' "$i")
    ff -ss $(( (i - 1) * 60 )) -t 10 -i "$all" "${to16k[@]}" "$out/$name"
    row "$out/$name" asterisk-core-sounds-it-g722 "usr/share/asterisk/sounds (all prompts, sorted, from $(( (i - 1) * 60 )) s)"
  done
  rm -f "$all"
  ff -i "$cache/root/codec2-examples/usr/share/codec2/raw/speech_orig_16k.wav" -t 10 "${to16k[@]}" "$out/speech-09-codec2-orig.wav"
  row "$out/speech-09-codec2-orig.wav" codec2-examples usr/share/codec2/raw/speech_orig_16k.wav
  local n=0
  for s in "${MUSIC_EVAL[@]}"; do
    n=$((n + 1))
    local name
    name=$(printf 'music-%02d-%s.wav' "$n" "$(echo "$s" | tr '_' '-')")
    ff -i "$cache/root/sonic-pi-samples/$SP/$s.flac" -t 10 "${to16k[@]}" "$out/$name"
    row "$out/$name" sonic-pi-samples "$SP/$s.flac"
  done
}

build_train() {
  local out="$sets/audio-train"
  rm -rf "$out" && mkdir -p "$out/speech" "$out/music"
  for lang in en es fr ru; do
    concat_prompts "asterisk-core-sounds-$lang-g722" "$out/speech/asterisk-$lang.wav"
    row "$out/speech/asterisk-$lang.wav" "asterisk-core-sounds-$lang-g722" "usr/share/asterisk/sounds (all prompts, sorted)"
  done
  while IFS= read -r f; do
    local name
    name="wesnoth-$(basename "$f" .ogg | tr 'A-Z_' 'a-z-').wav"
    ff -i "$f" "${to16k[@]}" "$out/music/$name"
    row "$out/music/$name" wesnoth-1.16-music "${f#"$cache/root/wesnoth-1.16-music/"}"
  done < <(find "$cache/root/wesnoth-1.16-music" -name '*.ogg' | LC_ALL=C sort)
  # Gain 0.2: at 0.5 many pieces clipped; now the loudest peak about -3 dBFS (one piece has a 3-sample click).
  # fluidsynth renders 32-bit float at 44.1 kHz (no dither, so the render repeats exactly; its WAV header holds a
  # timestamp, the converted file does not), libswresample takes it to 16 kHz.
  local sf2="$cache/root/fluid-soundfont-gm/usr/share/sounds/sf2/FluidR3_GM.sf2" float="$cache/midi-render.wav"
  while IFS= read -r f; do
    local pkg name
    pkg=${f#"$cache/root/"}; pkg=${pkg%%/*}
    name="midi-${pkg%%-*}-$(basename "$f" .mid | tr 'A-Z_' 'a-z-').wav"
    fluidsynth -q -n -i -F "$float" -T wav -O float -r 44100 -g 0.2 "$sf2" "$f" >/dev/null
    ff -i "$float" -t 240 "${to16k[@]}" "$out/music/$name"
    row "$out/music/$name" "$pkg" "${f#"$cache/root/$pkg/"} (fluidsynth, FluidR3_GM.sf2, gain 0.2)"
  done < <(find "$cache/root/openttd-openmsx" "$cache/root/planetblupi-music-midi" -name '*.mid' | LC_ALL=C sort)
  rm -f "$float"
}

build_sets audio "$(printf 'file\tsamples\tsha256\tpackage\tsource')"
