#!/usr/bin/env bash
# Runs a guest that must trap: exit status 134 and EXPECTED on standard error.
#   expect_trap.sh APERTURE WASM EXPECTED [ARGS...]
set -u
aperture=$1 wasm=$2 expected=$3
shift 3
err=$(mktemp)
trap 'rm -f "$err"' EXIT
"$aperture" run "$wasm" "$@" 2>"$err" >/dev/null
status=$?
if [ "$status" != 134 ]; then
  echo "exit status $status, expected 134 (a trap)"; cat "$err"; exit 1
fi
if ! grep -qF -- "$expected" "$err"; then
  echo "standard error lacks '$expected':"; cat "$err"; exit 1
fi
echo "trapped with status 134: $(head -n1 "$err")"
