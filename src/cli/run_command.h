// `aperture run`: instantiate a module and either call one export (--invoke) or run a
// WASI program's _start.
//
// Option groups live in their own files and plug in without editing this one:
//   1. `add_<group>_options(CLI::App& run, <Group>Options&)` defines the flags (main.cpp
//      calls it next to add_run_command);
//   2. after parsing, `install_<group>_hooks(const <Group>Options&, RunHooks&)` turns
//      them into callbacks (throw UsageError/Error for bad values: exit 2);
//   3. run_command() calls the hooks at the two points below, in registration order.
// WASI (wasi_options.h) and regions (region_options.h) are built this way.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aperture/runtime.h"
#include "cli/engine_options.h"
#include "cli/limit_options.h"
#include "cli/wasi_options.h"

namespace CLI {
class App;
}

namespace aperture::cli {

struct RunOptions {
  std::string module_path;
  std::optional<std::string> invoke;  // export to call; otherwise run _start (WASI)
  std::vector<std::string> args;      // --invoke: typed arguments; WASI: argv[1..]
  WasiOptions wasi;                   // --dir, --env
  EngineOptions engine;               // --engine
  LimitOptions limits;                // --timeout, --fuel, --max-memory, --max-wasm-stack,
                                      // --max-table-elements
};

// Extension points for option groups (e.g. regions): each runs in order.
struct RunHooks {
  // Configure before instantiation: after the WASI imports are defined, so a hook may
  // add imports of its own (or override one) in `linker`.
  std::vector<std::function<void(Store&, Linker&)>> before_instantiate;
  // After before_instantiate, with the module: bindings that need to know its memories
  // (region-backed memories: imported ones defined in the linker, the module's own added
  // to the MemoryBackings that Store::instantiate gets).
  std::vector<std::function<void(const Module&, Store&, Linker&, MemoryBackings&)>> link_module;
  // After segment initialisation, before the module's start function and _start/--invoke:
  // the place to map windows (bindings) the start function may already use.
  std::vector<std::function<void(Store&, Instance&)>> after_instantiate;
};

// Adds the `run` subcommand with its basic, engine and WASI options.
CLI::App* add_run_command(CLI::App& app, RunOptions& options);
// After parsing: moves the arguments after MODULE into options (handles `--invoke NAME`).
// Throws UsageError.
void finish_run_options(CLI::App& run, RunOptions& options);
// Returns the process exit status (file_util.h).
int run_command(const RunOptions& options, RunHooks& hooks);

}  // namespace aperture::cli
