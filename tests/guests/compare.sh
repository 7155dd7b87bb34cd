#!/usr/bin/env bash
# Runs a C guest natively and under `aperture run`, each in a fresh directory (for wasm
# preopened as "."), and compares stdout and exit status.
#   compare.sh APERTURE NATIVE WASM STDIN_FILE [KEY=VALUE...] -- [ARGS...]
set -u
aperture=$1 native=$2 wasm=$3 stdin=$4
shift 4
envs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
[ $# -gt 0 ] && shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/native" "$work/wasm"
env_flags=()
for e in "${envs[@]}"; do env_flags+=(--env "$e"); done

(cd "$work/native" && env "${envs[@]}" "$native" "$@" <"$stdin" >"$work/native.out" 2>"$work/native.err")
native_status=$?
(cd "$work/wasm" && "$aperture" run --dir "$work/wasm::." "${env_flags[@]}" "$wasm" "$@" <"$stdin" >"$work/wasm.out" 2>"$work/wasm.err")
wasm_status=$?

ok=1
if ! diff -u "$work/native.out" "$work/wasm.out"; then ok=0; fi
if [ "$native_status" != "$wasm_status" ]; then
  echo "exit status differs: native $native_status, aperture $wasm_status"
  cat "$work/wasm.err"
  ok=0
fi
[ "$ok" = 1 ] && echo "same stdout ($(wc -l <"$work/native.out") lines) and exit status $native_status"
[ "$ok" = 1 ]
