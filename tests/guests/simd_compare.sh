#!/usr/bin/env bash
# compare.sh for a SIMD guest in one engine: first checks that the module really uses
# SIMD (`aperture inspect` prints "features: simd ... (engines: ...)"; a build without
# -msimd128 would compare scalar code and prove nothing), skips (exit 77) when ENGINE is
# not among the engines that run it, then runs compare.sh.
#   simd_compare.sh APERTURE ENGINE NATIVE WASM STDIN_FILE [KEY=VALUE...] -- [ARGS...]
set -u
aperture=$1 engine=$2 wasm=$4
features=$("$aperture" inspect "$wasm" | grep '^features:')
case "$features" in
  "features: simd"*) ;;
  *) echo "$wasm uses no SIMD instructions (inspect: '${features}'): build it with -msimd128"; exit 1 ;;
esac
engines=" ${features#*(engines: }"
engines=" ${engines%)} "
case "$engines" in
  *" $engine "*) ;;
  *) echo "skipped: the $engine engine does not run SIMD in this build ($features)"; exit 77 ;;
esac
echo "$features"
shift 2
exec "$(dirname "$0")/compare.sh" "$aperture" "$@"
