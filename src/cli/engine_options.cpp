#include "cli/engine_options.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/file_util.h"
#include "cli/option_values.h"

namespace aperture::cli {
namespace {

std::string engine_list() {
  std::string out;
  for (const std::string& name : available_engines()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

const char* engine_env() {
  const char* env = std::getenv("APERTURE_ENGINE");
  return env != nullptr && *env != '\0' ? env : nullptr;
}

}  // namespace

void add_opt_level_option(CLI::App& command, int& opt_level) {
  command.add_option("--opt-level", opt_level, "compiled engine: optimisation level 0-3 (default 2)")
      ->check(CLI::Range(0, 3));
}

void add_engine_options(CLI::App& run, EngineOptions& o) {
  run.add_option("--engine", o.engine,
                 "execution engine: " + engine_list() +
                     " (default: $APERTURE_ENGINE, else the first one)");
  add_opt_level_option(run, o.opt_level);
  run.add_flag("--no-cache", o.no_cache, "compiled engine: neither use nor fill the code cache");
  run.add_option("--cache-dir", o.cache_dir,
                 "compiled engine: code cache directory (default: $XDG_CACHE_HOME/aperture)");
  run.add_option("--cache-max-size", o.cache_max_size,
                 "compiled engine: the most the code cache may hold, e.g. 512M; the entries used "
                 "least recently go first (default 1G)");
  run.add_flag("--allow-precompiled", o.allow_precompiled,
               "run a precompiled artifact (.cwasm from `aperture compile`): it is native code, "
               "trusted like a program");
  run.add_flag("--perf-map", o.perf_map,
               "write /tmp/perf-PID.map naming the compiled wasm functions, for Linux perf "
               "(docs/performance.md, \"Profiling\")");
}

void apply_perf_map_option(const EngineOptions& o) {
  if (o.perf_map) enable_perf_map();
}

bool engine_chosen(const EngineOptions& o) { return !o.engine.empty() || engine_env() != nullptr; }

EngineConfig make_engine_config(const EngineOptions& o) {
  EngineConfig config;
  config.opt_level = o.opt_level;
  config.on_warning = [](const std::string& message) { std::cerr << "warning: " << message << "\n"; };
  if (!o.no_cache) config.cache_dir = o.cache_dir.empty() ? default_cache_dir() : o.cache_dir;
  if (!o.cache_max_size.empty()) config.cache_max_size = parse_byte_size("--cache-max-size", o.cache_max_size);
  std::string name = o.engine;
  const char* source = "--engine";
  if (name.empty() && engine_env() != nullptr) {
    name = engine_env();
    source = "APERTURE_ENGINE";
  }
  if (name.empty()) return config;
  std::optional<EngineKind> kind = engine_from_name(name);
  if (!kind)
    throw UsageError(std::string(source) + ": unknown engine '" + name + "'; available: " +
                     engine_list());
  config.kind = *kind;
  return config;
}

}  // namespace aperture::cli
