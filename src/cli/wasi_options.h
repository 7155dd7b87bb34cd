// WASI options of `aperture run` (--dir, --env, --argv0) and the wasi::Config built from them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aperture/wasi.h"

namespace CLI {
class App;
}

namespace aperture::cli {

struct WasiOptions {
  std::vector<std::string> dirs;  // --dir HOST[::GUEST]
  std::vector<std::string> envs;  // --env KEY=VALUE, or --env KEY: the host's value
  std::optional<std::string> argv0;  // --argv0: the program's argv[0] (default: MODULE)
  std::vector<std::string> listens;  // --listen ADDR:PORT or fd=N
};

void add_wasi_options(CLI::App& run, WasiOptions& options);

// argv is {module path, program arguments...}. Throws UsageError on a malformed option,
// Error when a --dir or --listen cannot be opened.
wasi::Config make_wasi_config(const WasiOptions& options, std::vector<std::string> argv);

}  // namespace aperture::cli
