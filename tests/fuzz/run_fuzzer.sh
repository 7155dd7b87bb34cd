#!/usr/bin/env bash
# Runs the libFuzzer target for a fixed time, as CTest does (tests/fuzz/CMakeLists.txt):
#   run_fuzzer.sh FUZZER SECONDS SEED_CORPUS WORK_DIR
# New inputs go to WORK_DIR/corpus, never into the repository's SEED_CORPUS; a finding is
# written to WORK_DIR/ as crash-*, timeout-*, oom-* or leak-* and fails the run.
set -euo pipefail
fuzzer=$1 seconds=$2 seeds=$3 work=$4
mkdir -p "$work/corpus"
# The runtime handles SIGSEGV/SIGBUS itself (guard pages, truncated windows): neither
# libFuzzer nor ASan may take those signals.
export ASAN_OPTIONS=detect_leaks=1:allow_user_segv_handler=1:handle_segv=0:handle_sigbus=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
exec "$fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=65536 \
  -handle_segv=0 -handle_bus=0 -print_final_stats=1 -artifact_prefix="$work/" \
  "$work/corpus" "$seeds"
