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
