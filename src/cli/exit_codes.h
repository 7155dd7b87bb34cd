// Exit codes of the `aperture` command: the one table that every command follows.
// docs/cli.md shows the same table; `aperture help exit-codes` prints kExitCodeTable and
// tests/cli/exit_code_table_test.cpp checks the two agree, so neither can drift.
#pragma once

namespace aperture::cli {

constexpr int kExitOk = 0;
// The module could not be read, decoded, validated, linked or instantiated, a resource
// named on the command line (a --dir, a region, a --listen address) could not be opened,
// the program's exit status cannot be passed on (proc_exit above 125), or host memory ran
// out (std::bad_alloc: "out of memory: ...", never an abort).
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;  // bad command line: see the table
// The wasm code trapped (message and backtrace on stderr), including "interrupted" by
// --timeout and "all fuel consumed". 128 + SIGABRT, as wasmtime reports a trap: clear of
// the small codes programs use; stderr's "trap:" line tells it from a real abort.
constexpr int kExitTrap = 134;
// A WASI program's proc_exit(N) status is passed through for N in [0, kMaxProgramStatus].
// 126 and up mean "cannot execute", "not found" and "killed by signal N-128" to shells.
constexpr int kMaxProgramStatus = 125;

struct ExitCodeRow {
  const char* status;
  const char* meaning;
};

// Rows of docs/cli.md's exit-status table, in order.
inline constexpr ExitCodeRow kExitCodeTable[] = {
    {"0", "success: `_start` returned or called `proc_exit(0)`, `--invoke` returned, "
          "`validate` found the module valid, `inspect` and `region` succeeded"},
    {"1..125", "the WASI program called `proc_exit(N)`: N is passed through"},
    {"1", "error: the module could not be read, decoded, validated, linked or instantiated "
          "(`validate` and `inspect`: malformed or invalid); a `--dir`, region or `--listen` "
          "address could not be opened; the program called `proc_exit(N)` with N above 125; "
          "host memory ran out (every command then says `out of memory: ...`)"},
    {"2", "bad command line: unknown command or option, missing or extra value, malformed "
          "option value, wrong number or type of `--invoke` arguments, no such export, "
          "no `_start` without `--invoke`"},
    {"134", "the wasm code trapped, was interrupted (`--timeout`) or ran out of fuel "
            "(`--fuel`): `trap: MESSAGE` and a wasm backtrace on stderr"},
};

}  // namespace aperture::cli
