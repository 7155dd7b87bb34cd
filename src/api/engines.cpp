// The engines built into Aperture: names for the CLI and tests, and compile(), the one
// place that maps an EngineConfig to an Engine (so `runtime` depends on no engine).
#include <stdexcept>

#include "aperture/engine.h"
#include "aperture/runtime.h"
#include "interp/engine.h"
#if APERTURE_COMPILED_ENGINE
#include "compile/engine.h"
#include "compile/perf_map.h"
#include "compile/tiered_engine.h"
#endif
#include "runtime/engine.h"

namespace aperture {
namespace {

struct EngineEntry {
  EngineKind kind;
  const char* name;
};

// Default engine first: the compiled engine where it can compile modules; a build
// without a code generator runs .wasm modules in the interpreter and artifacts compiled.
constexpr EngineEntry kEngines[] = {
#if APERTURE_COMPILED_ENGINE && !APERTURE_NO_COMPILER
    {EngineKind::Tiered, "tiered"},
    {EngineKind::Compiled, "compiled"},
#endif
    {EngineKind::Interpreter, "interp"},
#if APERTURE_COMPILED_ENGINE && APERTURE_NO_COMPILER
    {EngineKind::Compiled, "compiled"},
#endif
};

const Engine& engine_for(EngineKind kind) {
  switch (kind) {
    case EngineKind::Interpreter: return interpreter_engine();
    case EngineKind::Compiled:
#if APERTURE_COMPILED_ENGINE
      return compiling_engine();
#else
      break;
#endif
    case EngineKind::Tiered:
#if APERTURE_COMPILED_ENGINE
      return tiered_engine();
#else
      break;
#endif
  }
  throw Error("unknown engine kind " + std::to_string(static_cast<int>(kind)));
}

}  // namespace

EngineKind default_engine() { return kEngines[0].kind; }

const char* engine_name(EngineKind kind) {
  for (const EngineEntry& e : kEngines)
    if (e.kind == kind) return e.name;
  return "unknown";
}

std::optional<EngineKind> engine_from_name(std::string_view name) {
  for (const EngineEntry& e : kEngines)
    if (name == e.name) return e.kind;
  return std::nullopt;
}

std::vector<std::string> available_engines() {
  std::vector<std::string> names;
  for (const EngineEntry& e : kEngines) names.emplace_back(e.name);
  return names;
}

bool engine_supports_simd(EngineKind kind) { return engine_for(kind).supports_simd(); }

void enable_perf_map() {
#if APERTURE_COMPILED_ENGINE
  native::enable_perf_map();
#else
  throw Error("--perf-map: this build has no compiled engine, whose code the perf map would name");
#endif
}

bool compiling_in_background(const CompiledModule& module) {
#if APERTURE_COMPILED_ENGINE
  return tiered_compiling(module);
#else
  (void)module;
  return false;
#endif
}

std::shared_ptr<const CompiledModule> compile(std::span<const uint8_t> bytes,
                                              const EngineConfig& config) {
  return prepare_module(bytes, engine_for(config.kind), config);
}

}  // namespace aperture
