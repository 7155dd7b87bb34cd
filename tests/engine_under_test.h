// The engine a test runs in. CTest registers every engine-dependent test once per engine
// of APERTURE_ENGINES (tests/CMakeLists.txt) and sets $APERTURE_ENGINE for it; run by
// hand without the variable, a test uses the default engine.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "aperture/engine.h"

namespace aperture::testing_support {

// The EngineConfig named by `name` (empty: the default). An unknown name aborts the test
// binary: a misspelt engine must not silently run the default engine instead.
inline EngineConfig engine_config_named(const std::string& name) {
  EngineConfig config;
  if (name.empty()) return config;
  std::optional<EngineKind> kind = engine_from_name(name);
  if (!kind) {
    std::fprintf(stderr, "unknown engine '%s'\n", name.c_str());
    std::abort();
  }
  config.kind = *kind;
  return config;
}

inline EngineConfig engine_under_test() {
  const char* env = std::getenv("APERTURE_ENGINE");
  return engine_config_named(env ? env : "");
}

// The engine's name for messages and `aperture run --engine`.
inline std::string engine_name_under_test() { return engine_name(engine_under_test().kind); }

}  // namespace aperture::testing_support
