// WASI options of `aperture run` (--dir, --env) and the wasi::Config built from them.
#pragma once

#include <string>
#include <vector>

#include "aperture/wasi.h"

namespace CLI {
class App;
}

namespace aperture::cli {

struct WasiOptions {
  std::vector<std::string> dirs;  // --dir HOST[::GUEST]
  std::vector<std::string> envs;  // --env KEY=VALUE
};

void add_wasi_options(CLI::App& run, WasiOptions& options);

// argv is {module path, program arguments...}. Throws UsageError on a malformed option.
wasi::Config make_wasi_config(const WasiOptions& options, std::vector<std::string> argv);

}  // namespace aperture::cli
