#!/usr/bin/env bash
# Command-line behaviour of audiocodec: the documented spellings (encode as the default action, -kbps), the
# kbit/s cap, pipes, exit codes, messages, and no partial output on failure.
# Usage: test_audiocodec.sh AUDIOCODEC MODEL SAMPLES_DIR. Prints "N passed, M failed".
set -u
tool=$1
model=$2
samples=$3
source "$(dirname "$0")/cli_check.sh"
ac() { "$tool" --model "$model" --threads 1 "$@"; }
wav=$samples/speech-16k-3s.wav
secs=$(python3 -c "import wave; w=wave.open('$wav'); print(w.getnframes()/w.getframerate())")

check "help" 0 "$tool" --help
check "no arguments" 2 "$tool"
check "encode --kbps" 0 ac encode "$wav" --kbps 1.4 -o "$dir/a.nac"
check "default action, -kbps (one dash)" 0 ac -kbps 1.4 "$wav" -o "$dir/b.nac"
ok cmp -s "$dir/a.nac" "$dir/b.nac"
for k in 0.7 1.4 2.8 5.6; do
  check "encode --kbps $k" 0 ac --kbps "$k" "$wav" -o "$dir/k.nac"
  size=$(stat -c %s "$dir/k.nac")
  ok python3 -c "import sys; sys.exit(0 if $size * 8 <= $k * 1000 * $secs else 1)"
done
check "info" 0 ac info "$dir/a.nac"
grep -q "kbit/s" "$dir/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: info lacks the rate"; }
check "decode" 0 ac decode "$dir/a.nac" -o "$dir/a.wav"
ok python3 -c "import wave; w=wave.open('$dir/a.wav'); import sys; sys.exit(0 if w.getframerate()==16000 and abs(w.getnframes()/16000-$secs)<1e-3 else 1)"
check "default output name" 0 ac --quiet decode "$dir/b.nac"
ok test -s "$dir/b.wav"
# Pipes: WAV in on stdin, .nac out on stdout, and back.
ac --quiet encode - -o - --stages 4 <"$wav" >"$dir/p.nac" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: encode pipe"; }
ac --quiet encode "$wav" -o "$dir/f.nac" --stages 4
ok cmp -s "$dir/p.nac" "$dir/f.nac"
ac --quiet decode - -o - <"$dir/p.nac" >"$dir/p.wav" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: decode pipe"; }
ac --quiet decode "$dir/f.nac" -o "$dir/f.wav"
ok cmp -s "$dir/p.wav" "$dir/f.wav"
# Piped FLAC (libsndfile cannot seek a pipe: standard input is spooled first) codes like the file.
ffmpeg -nostdin -loglevel error -y -i "$wav" "$dir/t.flac"
ac --quiet encode - -o - --stages 4 <"$dir/t.flac" >"$dir/pf.nac" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: FLAC pipe"; }
ok cmp -s "$dir/pf.nac" "$dir/f.nac"
# AAC in M4A (FFmpeg's path, streamed), from a file and piped: the same bitstream.
ffmpeg -nostdin -loglevel error -y -i "$wav" -c:a aac -b:a 96k "$dir/t.m4a"
check "M4A input" 0 ac --quiet encode "$dir/t.m4a" -o "$dir/m.nac" --stages 4
ac --quiet encode - -o - --stages 4 <"$dir/t.m4a" >"$dir/pm.nac" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: M4A pipe"; }
ok cmp -s "$dir/m.nac" "$dir/pm.nac"
# 48 kHz stereo in: 48 kHz stereo out, same length.
ffmpeg -nostdin -loglevel error -y -i "$wav" -ar 48000 -ac 2 "$dir/s48.wav"
check "48 kHz stereo" 0 ac "$dir/s48.wav" -o "$dir/s48.nac"
check "decode to FLAC" 0 ac decode "$dir/s48.nac" -o "$dir/s48.flac"
ok python3 -c "
import subprocess,sys
o=subprocess.run(['ffprobe','-v','error','-show_entries','stream=sample_rate,channels','-of','csv=p=0','$dir/s48.flac'],capture_output=True,text=True).stdout.strip()
sys.exit(0 if o in ('48000,2','2,48000') else 1)"
# Failures: exit 1, a message, no output file left.
check "kbps below reach" 1 ac --kbps 0.05 "$wav" -o "$dir/c.nac"
expect_in_err "kbps below reach names the lowest rate" "smallest file"
ok test ! -e "$dir/c.nac"
check "missing input" 1 ac encode "$dir/none.wav" -o "$dir/c.nac"
printf 'not audio at all' >"$dir/junk.wav"
check "not audio" 1 ac encode "$dir/junk.wav" -o "$dir/c.nac"
: >"$dir/empty.wav"
check "empty file" 1 ac encode "$dir/empty.wav" -o "$dir/c.nac"
head -c 20 "$dir/a.nac" >"$dir/t.nac"
check "truncated" 1 ac decode "$dir/t.nac" -o "$dir/t.wav"
ok test ! -e "$dir/t.wav"
check "image given to decode" 1 ac decode "$samples/citrus-256.png" -o "$dir/t.wav"
check "both --kbps and --stages" 2 ac encode "$wav" --kbps 1 --stages 3 -o "$dir/c.nac"
check "stdin without -o" 1 ac encode - <"$wav"
ok test -z "$(ls "$dir" | grep tmp-)"
finish
