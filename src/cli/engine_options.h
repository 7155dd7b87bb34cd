// Engine choice of `aperture run`: --engine NAME (default: $APERTURE_ENGINE, else the
// first of available_engines()).
#pragma once

#include <string>

#include "aperture/engine.h"

namespace CLI {
class App;
}

namespace aperture::cli {

struct EngineOptions {
  std::string engine;  // --engine NAME; empty: $APERTURE_ENGINE or the default
};

void add_engine_options(CLI::App& run, EngineOptions& options);

// The configuration the options select. Throws UsageError for an unknown engine name
// (from --engine or from $APERTURE_ENGINE), listing the available ones.
EngineConfig make_engine_config(const EngineOptions& options);

}  // namespace aperture::cli
