#!/usr/bin/env bash
# Command-line behaviour of nctool: exit codes, messages, and no partial output on failure.
# Usage: test_nctool.sh NCTOOL SAMPLES_DIR. Prints "N passed, M failed".
set -u
tool=$1
samples=$2
source "$(dirname "$0")/cli_check.sh"
check "help" 0 "$tool" --help
check "no subcommand" 106 "$tool"
check "encode" 0 "$tool" -q encode-lossless "$samples/citrus-256.png" -o "$dir/a.ncl"
check "info" 0 "$tool" info "$dir/a.ncl"
check "decode" 0 "$tool" -q decode-lossless "$dir/a.ncl" -o "$dir/a.png"
check "missing input" 1 "$tool" encode-lossless "$dir/nope.png" -o "$dir/b.ncl"
check "wrong file type" 1 "$tool" encode-lossless "$samples/speech-16k-3s.wav" -o "$dir/c.ncl"
: > "$dir/empty.ncl"
check "empty bitstream" 1 "$tool" decode-lossless "$dir/empty.ncl" -o "$dir/d.png"
head -c 100 "$dir/a.ncl" > "$dir/trunc.ncl"
check "truncated bitstream" 1 "$tool" decode-lossless "$dir/trunc.ncl" -o "$dir/e.png"
check "image as bitstream" 1 "$tool" info "$samples/citrus-256.png"
check "unwritable output" 1 "$tool" encode-lossless "$samples/citrus-256.png" -o /nonexistent/dir/x.ncl
for f in b.ncl c.ncl d.png e.png; do
  if [ -e "$dir/$f" ]; then fail=$((fail + 1)); echo "FAIL: partial output $f left behind"; else pass=$((pass + 1)); fi
done
if ls "$dir" | grep -q 'tmp-'; then fail=$((fail + 1)); echo "FAIL: temporary files left"; else pass=$((pass + 1)); fi
grep -q "not a NiCodec bitstream" <("$tool" info "$samples/citrus-256.png" 2>&1) && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: message for a non-NiCodec file"; }
finish
