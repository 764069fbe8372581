#!/usr/bin/env bash
# Command-line behaviour of vidcodec: spellings, the kbit/s cap, exit codes, no partial output on failure.
# Usage: test_vidcodec.sh VIDCODEC SAMPLES_DIR. Prints "N passed, M failed".
set -u
tool=$1
samples=$2
source "$(dirname "$0")/cli_check.sh"
vc() { "$tool" --threads 1 "$@"; }
clip=$samples/cockatoo-160x96.y4m   # 6 frames at 20 fps = 0.3 s
check "help" 0 "$tool" --help
check "no arguments" 2 "$tool"
check "encode --kbps" 0 vc encode "$clip" --kbps 150 -o "$dir/a.nvc"
ok test "$(stat -c %s "$dir/a.nvc")" -le $((150 * 1000 / 8 * 3 / 10))
check "encode -kbps (one dash)" 0 vc encode "$clip" -kbps 150 -o "$dir/b.nvc"
ok cmp -s "$dir/a.nvc" "$dir/b.nvc"
check "info" 0 vc info "$dir/a.nvc"
grep -q "6 frames" "$dir/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: info lacks the frame count"; }
check "decode" 0 vc decode "$dir/a.nvc" -o "$dir/a.y4m"
ok test "$(grep -c FRAME "$dir/a.y4m")" -eq 6
check "decode to raw yuv" 0 vc --quiet decode "$dir/a.nvc" -o "$dir/a.yuv"
ok test "$(stat -c %s "$dir/a.yuv")" -eq $((160 * 96 * 3 / 2 * 6))
check "kbps below reach" 1 vc encode "$clip" --kbps 1 -o "$dir/c.nvc"
ok test ! -e "$dir/c.nvc"
head -c 100 "$dir/a.nvc" >"$dir/t.nvc"
check "truncated" 1 vc decode "$dir/t.nvc" -o "$dir/t.y4m"
ok test ! -e "$dir/t.y4m"
: >"$dir/empty.nvc"
check "empty file" 1 vc decode "$dir/empty.nvc" -o "$dir/t.y4m"
expect_in_err "empty file says so" "empty"
ok test ! -e "$dir/t.y4m"
check "not a video" 1 vc encode "$samples/speech-16k-3s.wav" -o "$dir/c.nvc"
check "an image file given to decode" 1 vc decode "$samples/citrus-256.png" -o "$dir/t.y4m"
check "both --kbps and --q" 2 vc encode "$clip" --kbps 100 --q 3 -o "$dir/c.nvc"
check "--intra-period 0" 2 vc encode "$clip" --intra-period 0 -o "$dir/c.nvc"
ok test ! -e "$dir/c.nvc"
check "intra-only" 0 vc encode "$clip" --q 3 --intra-period 1 -o "$dir/i.nvc"
check "info of intra-only" 0 vc info "$dir/i.nvc"
grep -q "6 frames (6 intra)" "$dir/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: info lacks the intra count"; }
check "I + P" 0 vc encode "$clip" --q 3 --intra-period 4 -o "$dir/p.nvc"
check "info of I + P" 0 vc info "$dir/p.nvc"
grep -q "6 frames (2 intra)" "$dir/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: info: 2 intra frames expected"; }
ok test "$(stat -c %s "$dir/p.nvc")" -lt "$(stat -c %s "$dir/i.nvc")"
# Streams: encode to stdout, decode from stdin, info from stdin; the same bytes and frames as through files.
vc --quiet encode "$clip" --q 3 --intra-period 4 -o - >"$dir/p-stdout.nvc" 2>/dev/null
ok cmp -s "$dir/p.nvc" "$dir/p-stdout.nvc"
check "decode a file" 0 vc decode "$dir/p.nvc" -o "$dir/p.y4m"
vc --quiet decode - -o "$dir/p-stdin.y4m" <"$dir/p.nvc" 2>/dev/null
ok cmp -s "$dir/p.y4m" "$dir/p-stdin.y4m"
vc --quiet decode "$dir/p.nvc" -o - >"$dir/p-stdout.y4m" 2>/dev/null
ok cmp -s "$dir/p.y4m" "$dir/p-stdout.y4m"
check "info from stdin" 0 sh -c "\"$tool\" info - <\"$dir/p.nvc\""
grep -q "6 frames (2 intra)" "$dir/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: info from stdin"; }
head -c 300 "$dir/p.nvc" >"$dir/cut.nvc"
check "truncated through stdin" 1 sh -c "\"$tool\" --threads 1 decode - -o \"$dir/cut.y4m\" <\"$dir/cut.nvc\""
ok test ! -e "$dir/cut.y4m"
# For viewing: H.264 in MP4, every frame.
check "decode to .mp4" 0 vc decode "$dir/p.nvc" -o "$dir/p.mp4"
ok test "$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$dir/p.mp4")" = 6
# Raw 4:2:0 input with its size and rate given codes to the same file as the y4m.
ffmpeg -nostdin -loglevel error -y -i "$clip" -f rawvideo -pix_fmt yuv420p "$dir/raw.yuv"
check "raw .yuv with --size and --fps" 0 vc encode "$dir/raw.yuv" --size 160x96 --fps 20 --q 3 --intra-period 4 -o "$dir/raw.nvc"
ok cmp -s "$dir/raw.nvc" "$dir/p.nvc"
check "raw .yuv without --size" 1 vc encode "$dir/raw.yuv" -o "$dir/raw2.nvc"
check "a bad --size" 2 vc encode "$dir/raw.yuv" --size 160by96 -o "$dir/raw2.nvc"
ok test ! -e "$dir/raw2.nvc"
check "residual-set" 0 vc --quiet residual-set --clips "$samples" -o "$dir/rset"
ok test "$(ls "$dir/rset" | grep -c '\.png$')" -eq 5
check "residual-set without clips" 1 vc residual-set --clips "$dir/rset" -o "$dir/rset2"
check "a missing residual model" 1 vc --residual-model "$dir/none.nicm" encode "$clip" -o "$dir/c.nvc"
ok test ! -e "$dir/c.nvc"
# The prediction refiner: a few training steps on the sample clip, export, code with it, validate.
check "train-refiner" 0 vc train-refiner --clips "$samples" --checkpoint "$dir/rt" --steps 3 --crop 32 --batch 2
check "train-refiner resumes" 0 vc train-refiner --clips "$samples" --checkpoint "$dir/rt" --steps 4 --crop 32 --batch 2
grep -q "resuming" "$dir/err" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: train-refiner did not resume"; }
check "train-refiner --export" 0 vc train-refiner --checkpoint "$dir/rt" --export "$dir/r.nicm"
check "encode with a refiner" 0 vc --refiner "$dir/r.nicm" encode "$clip" --q 3 -o "$dir/r.nvc"
check "decode with it" 0 vc --refiner "$dir/r.nicm" decode "$dir/r.nvc" -o "$dir/r.y4m"
check "validate" 0 vc --refiner "$dir/r.nicm" train-refiner --validate "$clip"
ok grep -q "cockatoo-160x96.y4m: 5 predictions" "$dir/out"
check "validate without a refiner" 1 vc train-refiner --validate "$clip"
check "a missing refiner" 1 vc --refiner "$dir/none.nicm" encode "$clip" -o "$dir/c.nvc"
check "a picture as refiner" 1 vc --refiner "$samples/citrus-256.png" encode "$clip" -o "$dir/c.nvc"
expect_in_err "says what is wrong" "model file"
ok test ! -e "$dir/c.nvc"
check "train-refiner without clips" 1 vc train-refiner --clips "$dir/rset" --checkpoint "$dir/rt2"
ok test -z "$(ls "$dir" | grep tmp-)"
finish
