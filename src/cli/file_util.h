// Small helpers shared by the CLI commands.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aperture::cli {

// Reads a whole file; throws aperture::Error with the path and errno text on failure.
std::vector<uint8_t> read_file(const std::string& path);

// Exit codes of the `aperture` command (documented in docs/cli.md).
constexpr int kExitOk = 0;
constexpr int kExitError = 1;   // the module could not be loaded, linked or started
constexpr int kExitUsage = 2;   // bad command line
constexpr int kExitTrap = 134;  // the wasm code trapped (like wasmtime: 128 + SIGABRT)

}  // namespace aperture::cli
