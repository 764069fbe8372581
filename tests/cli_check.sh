# Sourced by the CLI tests: a scratch folder and pass/fail counting.
#   check NAME EXPECTED_STATUS COMMAND...   runs COMMAND, compares its exit status; stdout/stderr in $dir/out, $dir/err
#   ok COMMAND...                           counts COMMAND's success as a pass
#   expect_in_err NAME TEXT                 the last check's stderr holds TEXT
#   finish                                  prints "N passed, M failed" and returns nonzero on failures
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0
fail=0
check() {
  local name=$1 want=$2
  shift 2
  "$@" >"$dir/out" 2>"$dir/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $name: exit $got, wanted $want"; cat "$dir/err"; fi
}
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*"; fi; }
expect_in_err() {
  if grep -q -- "$2" "$dir/err"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: no '$2' in:"; cat "$dir/err"; fi
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
