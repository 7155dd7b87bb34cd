#!/usr/bin/env bash
# Runs Aperture's aarch64 build (scripts/build-aarch64) under qemu-aarch64-static on this
# x86-64 machine, with artifacts cross-compiled here by the x86-64 build's
# `aperture compile --target aarch64-linux-gnu`:
#   1. the 2.0 core spec suite in the interpreter, and with cross-compiled artifacts
#      (spec_runner --write-artifacts here, --precompiled there); with --all also the
#      threads proposal's suite, its artifacts compiled for aarch64-linux-gnu+lse; the
#      SIMD scripts (2.0, and 3.0 with relaxed SIMD) likewise, and the 3.0 core's typed
#      function references scripts;
#   2. the trap tests: every trap of tests/compile/wat/traps.wasm gives the same message,
#      wasm backtrace and exit status in both aarch64 engines as in the x86-64 interpreter
#      (hardware faults through the aarch64 ucontext, stack exhaustion, explicit traps);
#   3. two processes sharing a POSIX shm region (x86-64 and aarch64, interpreter and
#      compiled): values written by one read by the other, a wait in one woken by the other;
#   4. a wasm32-wasip1-threads pthreads program, compared with its native build;
#   5. the sensor-pipeline demo (scripts/demo's pipeline, three processes).
# The default (scripts/test) runs SPEC_SUBSET of the spec suite (SIMD_SUBSET and
# RELAXED_SUBSET of the SIMD scripts); --all runs all of them.
# Nothing is registered with binfmt_misc: every aarch64 program is started through qemu
# here (QEMU_LD_PREFIX names the cross sysroot), including those compare.sh starts (a
# wrapper script). Prints "N passed, N failed" and exits non-zero on any failure.
# Usage: tests/aarch64/run.sh HOST_BUILD AARCH64_BUILD [--all]
set -uo pipefail
if [ $# -lt 2 ]; then
  echo "usage: tests/aarch64/run.sh HOST_BUILD AARCH64_BUILD [--all]" >&2
  exit 2
fi
src=$(cd "$(dirname "$0")/../.." && pwd)
host=$(cd "$1" && pwd)
a64=$(cd "$2" && pwd)
all=0
[ "${3:-}" = --all ] && all=1
SPEC_SUBSET=address,br_table,call_indirect,conversions,f32,float_exprs,i32,i64,memory_grow,traps
SIMD_SUBSET=simd_lane,simd_load,simd_store,simd_store32_lane,simd_f32x4,simd_f64x2_rounding,simd_conversions,simd_i16x8_q15mulr_sat_s,simd_i8x16_arith2,simd_bitwise,simd_i32x4_trunc_sat_f64x2
RELAXED_SUBSET=i8x16_relaxed_swizzle,relaxed_min_max,relaxed_madd_nmadd,relaxed_dot_product,i32x4_relaxed_trunc,relaxed_laneselect,i16x8_relaxed_q15mulr_s
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
qemu=$(command -v qemu-aarch64-static || true)
if [ -z "$qemu" ]; then
  echo "aarch64 tests: qemu-aarch64-static not found: run ./setup" >&2
  exit 1
fi
work=$(mktemp -d)
shm_name=/aperture-a64-$$
cleanup() {
  rm -rf "$work"
  rm -f "/dev/shm${shm_name}"
}
trap cleanup EXIT
passed=0 failed=0
check() {  # check NAME COMMAND...: runs it, its output indented, and counts it
  local name=$1 start=$SECONDS
  shift
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1))
    echo "PASS $name ($((SECONDS - start)) s)"
    sed 's/^/    /' "$work/out" | tail -n 3
  else
    failed=$((failed + 1))
    echo "FAIL $name ($((SECONDS - start)) s)"
    sed 's/^/    /' "$work/out" | tail -n 40
  fi
}
a64_aperture() { "$qemu" "$a64/aperture" "$@"; }

# Wrappers that start the aarch64 aperture through qemu, for scripts that take the
# aperture program as an argument (tests/guests/compare.sh); the second runs artifacts.
cat >"$work/aperture-a64" <<WRAP
#!/bin/sh
exec "$qemu" "$a64/aperture" "\$@"
WRAP
cat >"$work/aperture-a64-precompiled" <<WRAP
#!/bin/sh
[ "\$1" = run ] && shift && set -- run --allow-precompiled "\$@"
exec "$qemu" "$a64/aperture" "\$@"
WRAP
chmod +x "$work/aperture-a64" "$work/aperture-a64-precompiled"
cross_compile() {  # cross_compile IN.wasm OUT.cwasm
  "$host/aperture" compile --target aarch64-linux-gnu "$1" -o "$2"
}

echo "== aarch64 under $(basename "$qemu") ($("$qemu" --version | head -n1)) =="
command -v file >/dev/null && file "$a64/aperture" | sed 's/^[^:]*: /aperture: /; s/, BuildID.*//'

# 1. The spec suite.
spec_json=$host/spec-json
if [ ! -d "$spec_json/core" ]; then
  ctest --test-dir "$host" -R '^spec_convert$' >/dev/null || { echo "cannot convert the spec suite"; exit 1; }
fi
only=()
[ "$all" = 1 ] || only=(--only "$SPEC_SUBSET")
spec_args=("$spec_json" core --no-multi-memory --expected-failures "$src/tests/spec/expected-failures.txt" "${only[@]}")
check "spec core, interpreter" "$qemu" "$a64/spec_runner" "${spec_args[@]}" --engine interp
check "spec core, cross-compiling the artifacts on x86-64" \
  "$host/tests/spec/spec_runner" "${spec_args[@]}" --engine interp \
  --write-artifacts "$work/spec-artifacts" --target aarch64-linux-gnu
check "spec core, cross-compiled artifacts" "$qemu" "$a64/spec_runner" "${spec_args[@]}" \
  --engine compiled --precompiled "$work/spec-artifacts"
if [ "$all" = 1 ]; then  # the threads proposal: atomics, wait/notify (threads spawned by the scripts)
  threads_args=("$spec_json" threads --no-multi-memory
                --expected-failures "$src/tests/spec/expected-failures-threads.txt")
  check "spec threads, interpreter" "$qemu" "$a64/spec_runner" "${threads_args[@]}" --engine interp
  check "spec threads, cross-compiling the artifacts on x86-64" \
    "$host/tests/spec/spec_runner" "${threads_args[@]}" --engine interp \
    --write-artifacts "$work/threads-artifacts" --target aarch64-linux-gnu+lse
  check "spec threads, cross-compiled artifacts (+lse; qemu emulates LSE)" "$qemu" "$a64/spec_runner" \
    "${threads_args[@]}" --engine compiled --precompiled "$work/threads-artifacts"
fi

# SIMD: the 2.0 core's simd_* scripts and the 3.0 core's simd_* and relaxed SIMD ones, in
# the interpreter and with artifacts cross-compiled for aarch64 (v128 in NEON registers,
# swizzle as tbl); a subset by default, every such script with --all.
data=$(sed -n 's/^APERTURE_TEST_DATA_DIR:PATH=//p' "$host/CMakeCache.txt")
spec3=${data:-$src/../shared}/spec-tests-3.0
simd_only=(--only-containing simd_)
relaxed_only=(--only-containing simd_,relaxed)
if [ "$all" = 0 ]; then
  simd_only=(--only "$SIMD_SUBSET")
  relaxed_only=(--only "$RELAXED_SUBSET")
fi
for suite in "2.0:$spec_json:--no-multi-memory" "3.0:$spec3:"; do
  IFS=: read -r version dir flags <<<"$suite"
  if [ "$version" = 2.0 ]; then selection=("${simd_only[@]}"); else selection=("${relaxed_only[@]}"); fi
  # shellcheck disable=SC2206
  simd_args=("$dir" core $flags "${selection[@]}")
  check "spec SIMD ($version), interpreter" "$qemu" "$a64/spec_runner" "${simd_args[@]}" --engine interp
  check "spec SIMD ($version), cross-compiling the artifacts on x86-64" \
    "$host/tests/spec/spec_runner" "${simd_args[@]}" --engine interp \
    --write-artifacts "$work/simd-artifacts-$version" --target aarch64-linux-gnu
  check "spec SIMD ($version), cross-compiled artifacts" "$qemu" "$a64/spec_runner" "${simd_args[@]}" \
    --engine compiled --precompiled "$work/simd-artifacts-$version"
done

# Tail calls (a million deep tail recursions: constant stack, tailcc + musttail on
# aarch64 too) and extended constant expressions (data offsets) of the 3.0 core.
tail_args=("$spec3" core --only return_call,return_call_indirect,return_call_ref,data)
check "spec tail calls and extended constants (3.0), interpreter" "$qemu" "$a64/spec_runner" \
  "${tail_args[@]}" --engine interp
check "spec tail calls and extended constants (3.0), cross-compiling the artifacts on x86-64" \
  "$host/tests/spec/spec_runner" "${tail_args[@]}" --engine interp \
  --write-artifacts "$work/tail-artifacts" --target aarch64-linux-gnu
check "spec tail calls and extended constants (3.0), cross-compiled artifacts" "$qemu" \
  "$a64/spec_runner" "${tail_args[@]}" --engine compiled --precompiled "$work/tail-artifacts"
# Typed function references (3.0 core's feature group: call_ref, br_on_null, ...; null
# traps), every script, in the interpreter and with cross-compiled artifacts.
FUNC_REFS=br_on_non_null,br_on_null,call_ref,local_init,ref,ref_as_non_null
func_refs_args=("$spec3" core --only "$FUNC_REFS")
check "spec function references (3.0), interpreter" "$qemu" "$a64/spec_runner" \
  "${func_refs_args[@]}" --engine interp
check "spec function references (3.0), cross-compiling the artifacts on x86-64" \
  "$host/tests/spec/spec_runner" "${func_refs_args[@]}" --engine interp \
  --write-artifacts "$work/func-refs-artifacts" --target aarch64-linux-gnu
check "spec function references (3.0), cross-compiled artifacts" "$qemu" "$a64/spec_runner" \
  "${func_refs_args[@]}" --engine compiled --precompiled "$work/func-refs-artifacts"

# 2. Traps: the same output everywhere.
traps=$host/wat/compile/traps.wasm
cross_compile "$traps" "$work/traps.cwasm"
trap_outputs() {  # trap_outputs RUN-PREFIX... : one block per invocation
  grep -v '^#' "$src/tests/aarch64/traps.txt" | while read -r name args; do
    echo "-- $name $args"
    # shellcheck disable=SC2086
    "$@" --invoke "$name" $args 2>&1
    echo "exit $?"
  done
}
trap_outputs "$host/aperture" run --engine interp "$traps" >"$work/traps.x86"
same_traps() {
  trap_outputs "$@" >"$work/traps.a64"
  diff -u "$work/traps.x86" "$work/traps.a64" && echo "$(grep -c '^exit 134' "$work/traps.a64") traps, same messages and backtraces as x86-64"
}
check "traps, interpreter" same_traps a64_aperture run --engine interp "$traps"
check "traps, cross-compiled" same_traps a64_aperture run --allow-precompiled "$work/traps.cwasm"
no_codegen() {  # exit 1, and the message points at cross compilation
  local status=0
  a64_aperture run --engine compiled "$traps" --invoke div_zero 5 >"$work/no_codegen" 2>&1 || status=$?
  cat "$work/no_codegen"
  [ "$status" = 1 ] && grep -q 'aperture compile --target aarch64-linux-gnu' "$work/no_codegen"
}
check "a compiled engine without a code generator says what to do" no_codegen
refused() {  # refused PATTERN QEMU-ARGS... -- ARTIFACT: exit 1 with a message matching PATTERN
  local pattern=$1 status=0 qemu_args=()
  shift
  while [ "$1" != -- ]; do qemu_args+=("$1"); shift; done
  "$qemu" "${qemu_args[@]}" "$a64/aperture" run --allow-precompiled "$2" --invoke div_zero 5 \
    >"$work/refused" 2>&1 || status=$?
  cat "$work/refused"
  [ "$status" = 1 ] && grep -q "$pattern" "$work/refused"
}
"$host/aperture" compile "$traps" -o "$work/traps-x86.cwasm"
check "an x86-64 artifact is refused, naming both machines" \
  refused "compiled for x86_64-linux-gnu, but this runtime runs aarch64-linux-gnu code" -- "$work/traps-x86.cwasm"
"$host/aperture" compile --target aarch64-linux-gnu+lse "$traps" -o "$work/traps-lse.cwasm"
check "+lse code is refused on a CPU without LSE (qemu -cpu cortex-a53)" \
  refused "needs the CPU feature lse that this CPU" -cpu cortex-a53 -- "$work/traps-lse.cwasm"
check "+lse code runs on a CPU with LSE (qemu -cpu cortex-a76)" \
  sh -c "\"$qemu\" -cpu cortex-a76 \"$a64/aperture\" run --allow-precompiled \"$work/traps-lse.cwasm\" --invoke div_zero 5 | grep -qx 1"

# 3. Two processes, one shm region.
wat2wasm --enable-threads "$src/tests/aarch64/shared_window.wat" -o "$work/shared.wasm"
cross_compile "$work/shared.wasm" "$work/shared.cwasm"
region=(--region "s=shm:$shm_name" --map s@0x10000000)
cross_process() {
  "$host/aperture" region create "$shm_name" --size 64K || return 1
  # An aarch64 process (compiled code) waits on word 0; an aarch64 process (interpreter)
  # wakes it; the waiter says 0 (woken) only if the notify reached it across processes.
  a64_aperture run --allow-precompiled "${region[@]}" "$work/shared.cwasm" --invoke wait 0 0 >"$work/waiter" &
  local waiter=$! woken=0
  for _ in $(seq 100); do
    woken=$(a64_aperture run --engine interp "${region[@]}" "$work/shared.wasm" --invoke notify 0)
    [ "$woken" = 1 ] && break
    sleep 0.2
  done
  wait "$waiter" || return 1
  echo "waiter: $(cat "$work/waiter") (0: woken), notify woke $woken"
  [ "$(cat "$work/waiter")" = 0 ] && [ "$woken" = 1 ] || return 1
  # Values written on one machine's code are read by the other's.
  a64_aperture run --allow-precompiled "${region[@]}" "$work/shared.cwasm" --invoke put 8 123456789 || return 1
  local on_x86 on_arm
  on_x86=$("$host/aperture" run --engine interp "${region[@]}" "$work/shared.wasm" --invoke get 8)
  "$host/aperture" run --engine interp "${region[@]}" "$work/shared.wasm" --invoke put 12 42 || return 1
  on_arm=$(a64_aperture run --engine interp "${region[@]}" "$work/shared.wasm" --invoke get 12)
  echo "x86-64 read $on_x86, aarch64 read $on_arm"
  [ "$on_x86" = 123456789 ] && [ "$on_arm" = 42 ]
}
check "two processes share a shm region (wait/notify, values)" cross_process

# 4. POSIX threads.
guests=$host/guests
if [ -f "$guests/threads_pthreads.wasm" ] && [ -x "$guests/threads_pthreads.native" ]; then
  cross_compile "$guests/threads_pthreads.wasm" "$work/threads_pthreads.cwasm"
  compare=("$src/tests/guests/compare.sh")
  check "pthreads guest, interpreter" env APERTURE_ENGINE=interp "${compare[@]}" "$work/aperture-a64" \
    "$guests/threads_pthreads.native" "$guests/threads_pthreads.wasm" "$src/tests/guests/input.txt" --
  check "pthreads guest, cross-compiled" "${compare[@]}" "$work/aperture-a64-precompiled" \
    "$guests/threads_pthreads.native" "$work/threads_pthreads.cwasm" "$src/tests/guests/input.txt" --
else
  echo "SKIP pthreads guest: $guests/threads_pthreads.wasm not built (needs the wasip1-threads sysroot)"
fi

# 5. The demo.
demo=$a64/examples/sensor_pipeline
check "sensor-pipeline demo" "$qemu" "$demo/sensor_pipeline" "$demo/filter.wasm" "$([ "$all" = 1 ] && echo 40 || echo 3)"

echo "aarch64: $passed passed, $failed failed"
[ "$failed" = 0 ]
