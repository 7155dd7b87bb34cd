#!/usr/bin/env bash
# Builds a sandbox layout and runs sandbox.wasm with "." preopened; compares the
# guest's report of each escape attempt with sandbox.expected.
#   sandbox.sh APERTURE WASM EXPECTED
set -u
aperture=$1 wasm=$2 expected=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/outside" "$work/sandbox/sub"
echo secret >"$work/outside/secret.txt"
echo inside >"$work/sandbox/inside.txt"
ln -s ../outside "$work/sandbox/link"
ln -s "$work/outside/secret.txt" "$work/sandbox/abs_link"
"$aperture" run --dir "$work/sandbox::." "$wasm" >"$work/out.txt" 2>&1
status=$?
diff -u "$expected" "$work/out.txt" || exit 1
[ "$status" = 0 ] || { echo "exit status $status"; exit 1; }
[ -e "$work/outside/secret.txt" ] || { echo "secret was deleted"; exit 1; }
[ ! -e "$work/evil" ] && [ ! -e "$work/stolen.txt" ] || { echo "escape left a trace"; exit 1; }
echo "all escape attempts refused"
