#!/usr/bin/env bash
# Runs a program in a directory and compares its standard output with an expected file.
#   run_example.sh PROGRAM DIR EXPECTED [--sorted]
# Instance addresses in trap frames ("> 0x55d0c... @ 0x5c = ...") become "INSTANCE";
# --sorted compares sorted lines (for output of concurrent threads). Where the output of
# the engine named by $APERTURE_ENGINE differs, it is in NAME.ENGINE.out beside NAME.out
# (e.g. trap.compiled.out: compiled frames do not know instruction offsets). Fails on a
# non-zero exit status, a crash or any difference.
set -uo pipefail
program=$1 dir=$2 expected=$3 mode=${4:-}
per_engine=${expected%.out}.${APERTURE_ENGINE:-}.out
[ -n "${APERTURE_ENGINE:-}" ] && [ -e "$per_engine" ] && expected=$per_engine
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
(cd "$dir" && "$program") > "$actual"
status=$?
sed -i -E 's/^> 0x[0-9a-f]+ @ /> INSTANCE @ /' "$actual"
if [ "$mode" = --sorted ]; then
  sort -o "$actual" "$actual"
fi
if [ "$status" -ne 0 ]; then
  echo "$program exited with status $status; output:" >&2
  cat "$actual" >&2
  exit 1
fi
if ! diff -u "$expected" "$actual"; then
  echo "output of $program differs from $expected" >&2
  exit 1
fi
echo "$(basename "$program"): output matches $(basename "$expected")"
