// prepare_module(): decode, validate and prepare a module once; instances share the result.
#include "binary/decoder.h"
#include "runtime/compiled_module.h"
#include "runtime/engine.h"
#include "validate/validator.h"

namespace aperture {
namespace {

// Which engines would run a SIMD module (for the refusal's message).
std::string simd_advice() {
  std::string names;
  for (const std::string& name : available_engines()) {
    if (!engine_supports_simd(*engine_from_name(name))) continue;
    names += (names.empty() ? "" : ", ") + name;
  }
  if (names.empty()) return "no engine of this build runs SIMD yet";
  return "choose an engine that does (--engine " + names + ")";
}

}  // namespace

std::shared_ptr<const CompiledModule> prepare_module(std::span<const uint8_t> bytes,
                                                     const Engine& engine,
                                                     const EngineConfig& config) {
  return prepare_module(bytes, engine, config.features, [&](const CompiledModule& m) {
    return engine.prepare(m, bytes, config);
  });
}

std::shared_ptr<const CompiledModule> prepare_module(std::span<const uint8_t> bytes,
                                                     const Engine& engine,
                                                     const Features& features,
                                                     const CodePreparer& prepare_code) {
  auto compiled = std::make_shared<CompiledModule>();
  compiled->module = decode_module(bytes, features);
  const Module& m = compiled->module;
  validate_module(m, features);
  if (m.simd_offset && !engine.supports_simd())
    throw UnsupportedFeatureError(*m.simd_offset, "SIMD (128-bit vectors)",
                                  std::string("the ") + engine_name(engine.kind()) + " engine",
                                  simd_advice());
  compiled->type_ids.reserve(m.types.size());
  for (const FuncType& t : m.types) compiled->type_ids.push_back(canonical_type_id(t));
  compiled->engine = &engine;
  compiled->code = prepare_code(*compiled);
  return compiled;
}

const Module& module_of(const CompiledModule& m) { return m.module; }

}  // namespace aperture
