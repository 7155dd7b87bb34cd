#include "cli/engine_options.h"

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "cli/file_util.h"

namespace aperture::cli {
namespace {

std::string engine_list() {
  std::string out;
  for (const std::string& name : available_engines()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

void add_engine_options(CLI::App& run, EngineOptions& o) {
  run.add_option("--engine", o.engine,
                 "execution engine: " + engine_list() +
                     " (default: $APERTURE_ENGINE, else the first one)");
}

EngineConfig make_engine_config(const EngineOptions& o) {
  EngineConfig config;
  std::string name = o.engine;
  const char* source = "--engine";
  if (name.empty()) {
    const char* env = std::getenv("APERTURE_ENGINE");
    if (env == nullptr || *env == '\0') return config;
    name = env;
    source = "APERTURE_ENGINE";
  }
  std::optional<EngineKind> kind = engine_from_name(name);
  if (!kind)
    throw UsageError(std::string(source) + ": unknown engine '" + name + "'; available: " +
                     engine_list());
  config.kind = *kind;
  return config;
}

}  // namespace aperture::cli
