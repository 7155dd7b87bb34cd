// Small helpers shared by the CLI commands: file reading, exit codes, usage errors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aperture/error.h"

namespace aperture::cli {

// Reads a whole file; throws aperture::Error with the path and errno text on failure.
std::vector<uint8_t> read_file(const std::string& path);

// Exit codes of the `aperture` command (documented in docs/cli.md). A WASI program's
// proc_exit status is passed through unchanged, so these only describe the runtime's
// own outcomes. A trap is 134 (128 + SIGABRT) as in wasmtime, clear of the small codes
// programs use; tests that expect a trap also check the "trap:" message on stderr, so a
// runtime that really aborted would not pass for one.
constexpr int kExitOk = 0;
constexpr int kExitError = 1;  // the module could not be read, decoded, validated, linked or instantiated
constexpr int kExitUsage = 2;  // bad command line: options, argument values, unknown export
constexpr int kExitTrap = 134;  // the wasm code trapped (message and backtrace on stderr), as wasmtime does

// A problem with what the user typed (as opposed to the module): exits with kExitUsage.
class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace aperture::cli
