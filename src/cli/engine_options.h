// Engine options of `aperture run`: --engine, --opt-level, the code cache (--no-cache,
// --cache-dir, --cache-max-size) and --allow-precompiled (docs/cli.md).
#pragma once

#include <optional>
#include <string>

#include "aperture/engine.h"

namespace CLI {
class App;
}

namespace aperture::cli {

struct EngineOptions {
  std::string engine;            // --engine NAME; empty: $APERTURE_ENGINE or the default
  int opt_level = 2;             // --opt-level N
  bool no_cache = false;         // --no-cache
  std::string cache_dir;         // --cache-dir DIR; empty: default_cache_dir()
  std::string cache_max_size;    // --cache-max-size SIZE; empty: kDefaultCacheMaxSize
  bool allow_precompiled = false;  // --allow-precompiled
  bool perf_map = false;         // --perf-map
};

void add_engine_options(CLI::App& run, EngineOptions& options);
// --opt-level alone (for `aperture compile`).
void add_opt_level_option(CLI::App& command, int& opt_level);

// The configuration the options select; warnings go to stderr. Throws UsageError for an
// unknown engine name (from --engine or $APERTURE_ENGINE), listing the available ones.
EngineConfig make_engine_config(const EngineOptions& options);
// --perf-map: starts the perf map (aperture::enable_perf_map) when asked for.
void apply_perf_map_option(const EngineOptions& options);
// Whether the engine was chosen explicitly (option or environment).
bool engine_chosen(const EngineOptions& options);

}  // namespace aperture::cli
