// Ahead-of-time artifacts of the compiled engine (include/aperture/engine.h).
#include "aperture/engine.h"
#include "aperture/runtime.h"
#include "binary/decoder.h"
#include "validate/validator.h"
#if APERTURE_COMPILED_ENGINE
#include "compile/artifact.h"
#include "compile/code_cache.h"
#include "compile/compile_target.h"
#include "compile/engine.h"
#include "compile/native_code.h"
#endif

namespace aperture {

#if APERTURE_COMPILED_ENGINE

std::string default_cache_dir() { return native::default_cache_dir(); }

std::vector<uint8_t> compile_to_artifact(std::span<const uint8_t> wasm, const EngineConfig& config) {
  Module m = decode_module(wasm, config.features);
  validate_module(m, config.features);
  if (config.target.empty()) {
    native::CompiledCode code = native::generate(m, config.opt_level);
    return native::write_artifact(code, native::sha256(wasm), config.opt_level, wasm);
  }
  native::CompileTarget target = native::parse_compile_target(config.target);
  native::CompiledCode code = native::generate(m, config.opt_level, &target);
  return native::write_artifact(code, native::sha256(wasm), config.opt_level, wasm, &target);
}

bool is_artifact(std::span<const uint8_t> bytes) { return native::looks_like_artifact(bytes); }

std::shared_ptr<const CompiledModule> load_artifact(std::span<const uint8_t> artifact) {
  native::ArtifactContents contents = native::read_artifact(artifact);
  if (contents.wasm.empty()) throw Error("the artifact holds no module (a cache entry?)");
  // Every feature: the module was checked against the compiler's features already.
  return prepare_module(contents.wasm, compiling_engine(), Features{}, [&](const CompiledModule& m) {
    return native::load_native_code(m, contents.code);
  });
}

#else

std::string default_cache_dir() { return ""; }

std::vector<uint8_t> compile_to_artifact(std::span<const uint8_t>, const EngineConfig&) {
  throw Error("this build of Aperture has no compiled engine");
}

bool is_artifact(std::span<const uint8_t>) { return false; }

std::shared_ptr<const CompiledModule> load_artifact(std::span<const uint8_t>) {
  throw Error("this build of Aperture has no compiled engine");
}

#endif

}  // namespace aperture
