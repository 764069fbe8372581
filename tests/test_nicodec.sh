#!/usr/bin/env bash
# Command-line behaviour of nicodec: the documented spellings, rate control, exit codes, messages, and no partial
# output on failure. Usage: test_nicodec.sh NICODEC SAMPLES_DIR. Prints "N passed, M failed".
set -u
tool=$1
samples=$2
source "$(dirname "$0")/cli_check.sh"
img=$samples/citrus-256.png
pixels=$((256 * 256))
check "help" 0 "$tool" --help
check "no subcommand" 2 "$tool"
check "encode --bpp" 0 "$tool" encode "$img" --bpp 0.3 -o "$dir/a.nic"
check "encode -bpp (one dash)" 0 "$tool" encode "$img" -bpp 0.3 -o "$dir/b.nic"
cmp -s "$dir/a.nic" "$dir/b.nic" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: -bpp and --bpp differ"; }
size=$(stat -c %s "$dir/a.nic")
# At most 0.3 bpp and within 5% of it, headers included.
if [ $((size * 8 * 1000)) -le $((pixels * 300)) ] && [ $((size * 8 * 1000)) -ge $((pixels * 285)) ]; then
  pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: --bpp 0.3 gave $size bytes"; fi
# A low target on a smooth picture codes it at reduced size: still at most the target, the factor in `info`,
# and the decoder gives back the full size. --max-downscale 1 keeps full size.
ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "gradients=s=320x200:c0=0x507090:c1=0xd0c0a0:seed=3" \
  -frames:v 1 "$dir/ramp.png"
check "encode --bpp 0.03 (smooth picture)" 0 "$tool" encode "$dir/ramp.png" --bpp 0.03 --refine 0 -o "$dir/r.nic"
expect_in_err "reduced size reported" "at 1/[24] size"
size=$(stat -c %s "$dir/r.nic")
[ $((size * 8 * 1000)) -le $((320 * 200 * 30)) ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: --bpp 0.03 gave $size bytes"; }
check "info of a reduced-size file" 0 "$tool" info "$dir/r.nic"
grep -Eq "param +s +[24]" "$dir/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: info lacks the factor s"; }
check "decode a reduced-size file" 0 "$tool" decode "$dir/r.nic" -o "$dir/r.png"
[ "$(ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$dir/r.png")" = "320,200" ] &&
  pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: reduced-size file did not decode to 320x200"; }
check "--max-downscale 1" 0 "$tool" encode "$dir/ramp.png" --bpp 0.1 --refine 0 --max-downscale 1 -o "$dir/r1.nic"
"$tool" info "$dir/r1.nic" | grep -Eq "param +s " && { fail=$((fail + 1)); echo "FAIL: --max-downscale 1 downscaled"; } || pass=$((pass + 1))
check "--max-downscale 3 refused" 2 "$tool" encode "$dir/ramp.png" --bpp 0.1 --max-downscale 3 -o "$dir/c.nic"
check "encode --quality" 0 "$tool" encode "$img" --quality 80 -o "$dir/q.nic"
check "info" 0 "$tool" info "$dir/a.nic"
grep -q "nicodec-image" "$dir/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: info lacks the model"; }
check "decode" 0 "$tool" decode "$dir/a.nic" -o "$dir/a.png"
check "default output name" 0 "$tool" --quiet decode "$dir/q.nic"
[ -s "$dir/q.png" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: no q.png"; }
check "bpp below reach" 1 "$tool" encode "$img" --bpp 0.0005 -o "$dir/c.nic"
expect_in_err "bpp below reach says the lowest rate" "lowest rate"
check "both --bpp and --quality" 2 "$tool" encode "$img" --bpp 0.3 --quality 50 -o "$dir/c.nic"
check "missing input" 1 "$tool" encode "$dir/nope.png" -o "$dir/c.nic"
check "wrong file type" 1 "$tool" encode "$samples/speech-16k-3s.wav" -o "$dir/c.nic"
: > "$dir/empty.nic"
check "empty bitstream" 1 "$tool" decode "$dir/empty.nic" -o "$dir/d.png"
head -c 200 "$dir/a.nic" > "$dir/trunc.nic"
check "truncated bitstream" 1 "$tool" decode "$dir/trunc.nic" -o "$dir/e.png"
check "image as bitstream" 1 "$tool" decode "$img" -o "$dir/f.png"
expect_in_err "message for a non-NiCodec file" "not a NiCodec bitstream"
check "missing model" 1 "$tool" encode "$img" --model "$dir/none.nicm" -o "$dir/g.nic"
check "unwritable output" 1 "$tool" encode "$img" -o /nonexistent/dir/x.nic
for f in c.nic d.png e.png f.png g.nic; do
  if [ -e "$dir/$f" ]; then fail=$((fail + 1)); echo "FAIL: partial output $f left behind"; else pass=$((pass + 1)); fi
done
if ls "$dir" | grep -q 'tmp-'; then fail=$((fail + 1)); echo "FAIL: temporary files left"; else pass=$((pass + 1)); fi
finish
