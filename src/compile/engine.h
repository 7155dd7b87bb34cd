// The compiling engine as an Engine (runtime/engine.h): validated functions -> LLVM ->
// machine code (compile/codegen/), loaded by compile/object_loader and run natively.
#pragma once

#include <atomic>
#include <memory>
#include <span>

#include "compile/abi.h"
#include "support/sha256.h"
#include "runtime/engine.h"

namespace aperture {

// Not "compiled_engine": exports.map exports aperture::compile*, and this stays internal.
const Engine& compiling_engine();

namespace native {
struct CompiledCode;
struct CompileTarget;

// Offsets of runtime objects that compiled code reads, measured in this binary.
const RuntimeLayout& runtime_layout();

class NativeModuleCode;

// Generates machine code for a validated module (loads the code generator library): for
// this machine's CPU, or with `target` for any CPU of that target (cross compilation).
// Setting *cancel makes it give up soon (Error) rather than finish. `threads`: how many
// threads compile (0: one per core).
CompiledCode generate(const Module& module, int opt_level, const CompileTarget* target = nullptr,
                      const std::atomic<bool>* cancel = nullptr, unsigned threads = 0);
// Loads generated or stored code for `module`. Throws Error if it does not fit.
std::unique_ptr<NativeModuleCode> load_native_code(const CompiledModule& module,
                                                   const CompiledCode& code);

// The code cache's part of preparing a module (config.cache_dir; empty: no cache).
struct CacheKey {
  bool enabled = false;
  Digest module_hash{};
};
CacheKey cache_key(std::span<const uint8_t> bytes, const EngineConfig& config);
// The module's cached code, loaded; nullptr on a miss or without a cache (an entry that
// does not load is reported to config.on_warning and ignored).
std::unique_ptr<NativeModuleCode> load_cached_code(const CompiledModule& module, const CacheKey& key,
                                                   const EngineConfig& config);
// Stores generated code (failures only warn).
void store_cached_code(const CacheKey& key, const EngineConfig& config, const CompiledCode& code);
}  // namespace native

}  // namespace aperture
