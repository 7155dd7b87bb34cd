// `aperture compile MODULE.wasm -o OUT.cwasm`: ahead-of-time compilation to an artifact
// that `aperture run --allow-precompiled` runs without compiling.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace aperture::cli {

struct CompileOptions {
  std::string module_path;
  std::string output_path;
  int opt_level = 2;
  std::string target;  // --target MACHINE[+FEATURE...]; empty: this CPU
};

CLI::App* add_compile_command(CLI::App& app, CompileOptions& options);
// Returns the process exit status (file_util.h).
int compile_command(const CompileOptions& options);

}  // namespace aperture::cli
