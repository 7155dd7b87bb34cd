// `aperture run`: instantiate a module and either call one export (--invoke) or run a
// WASI program's _start. Option groups beyond the basics (WASI, regions) live in their
// own files and plug in through RunHooks.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aperture/runtime.h"

namespace CLI {
class App;
}

namespace aperture::cli {

struct RunOptions {
  std::string module_path;
  std::optional<std::string> invoke;   // export to call; otherwise run _start (WASI)
  std::vector<std::string> args;       // --invoke: typed arguments; WASI: argv[1..]
  std::vector<std::string> dirs;       // --dir HOST[::GUEST]
  std::vector<std::string> envs;       // --env KEY=VALUE
};

// Extension points for option groups (e.g. regions): each runs in order.
struct RunHooks {
  // After imports of the core runtime and WASI are defined, before instantiation.
  std::vector<std::function<void(Store&, Linker&)>> before_instantiate;
  // After segment initialisation, before the module's start function and _start: the
  // place to map windows (bindings).
  std::vector<std::function<void(Store&, Instance&)>> after_instantiate;
};

// Adds the `run` subcommand; `hooks` is filled by option groups' own add_* functions.
CLI::App* add_run_command(CLI::App& app, RunOptions& options);
// After parsing: moves the arguments after MODULE into options (handles `--invoke NAME`).
void finish_run_options(CLI::App& run, RunOptions& options);
int run_command(const RunOptions& options, RunHooks& hooks);

}  // namespace aperture::cli
