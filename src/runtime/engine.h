// The one interface between `runtime` and the execution engines (docs/architecture.md, "Engines"):
// an engine prepares a module's code once, binds it to each new instance, and enters
// its functions. `runtime` never names a particular engine; the embedder picks one
// (api/engines.cpp maps EngineConfig to an Engine).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "aperture/engine.h"
#include "aperture/runtime.h"
#include "binary/module.h"

namespace aperture {

// An engine's code for one module, shared by all instances of the module.
class ModuleCode {
 public:
  virtual ~ModuleCode() = default;
  // Binds a new instance to this code: sets engine_, code_ and context_ of each of its
  // defined functions and may set Instance::engine_state_. Store::instantiate calls it
  // once, after the instance's tables, memories and globals exist and before any of its
  // code runs.
  virtual void bind(Instance& instance) const = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual EngineKind kind() const = 0;
  // Whether this engine runs SIMD (v128) code; prepare_module() refuses modules that use
  // SIMD for an engine that does not.
  virtual bool supports_simd() const { return false; }
  // Prepares the code of every defined function of a decoded, validated module.
  // `bytes` is the module's binary (e.g. a cache key). Throws Error.
  virtual std::unique_ptr<ModuleCode> prepare(const CompiledModule& module,
                                              std::span<const uint8_t> bytes,
                                              const EngineConfig& config) const = 0;
  // Runs wasm function `f` of this engine. `slots` holds the arguments on entry and
  // receives the results (room for max(params, results) slots). Throws Trap, whose
  // backtrace lists this invocation's wasm frames innermost first (frame_name()).
  virtual void invoke(Function& f, uint64_t* slots) const = 0;
};

// Decodes, validates and prepares a module with `engine`. Throws DecodeError,
// ValidationError or Error.
std::shared_ptr<const CompiledModule> prepare_module(std::span<const uint8_t> bytes,
                                                     const Engine& engine,
                                                     const EngineConfig& config);
// The same with code made by `prepare_code` (e.g. loaded from an artifact) instead of
// Engine::prepare; `engine` must be the engine that runs that code.
using CodePreparer = std::function<std::unique_ptr<ModuleCode>(const CompiledModule&)>;
std::shared_ptr<const CompiledModule> prepare_module(std::span<const uint8_t> bytes,
                                                     const Engine& engine,
                                                     const Features& features,
                                                     const CodePreparer& prepare_code);

// Calls any function: a host function (HostContext names `caller`; a fault in host code
// is never turned into a trap) or wasm code of any engine. Same slot convention as
// Engine::invoke. Throws Trap.
void invoke_function(Function& f, uint64_t* slots, Instance* caller);

// How a backtrace names a function: its name (name section, else export name) or
// "func[N]". Every engine formats frames with these, so backtraces look the same.
std::string frame_name(const Function& f);
std::string frame_name(const std::string& name, uint32_t index);
// The name Store gives wasm function `index` of `m`: its name-section name, else its
// first export name, else empty.
std::string function_display_name(const Module& m, uint32_t index);
// The backtrace line for the n-th frame (innermost is 0): "#0 name".
std::string backtrace_line(int n, const std::string& frame_name);
// Backtraces stop after this many frames with a "..." line.
constexpr int kMaxBacktraceFrames = 64;

}  // namespace aperture
