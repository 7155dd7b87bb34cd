// Choosing an execution engine: the embedder passes an EngineConfig to compile().
//
//   aperture::EngineConfig config;                        // the default engine (tiered)
//   config.kind = aperture::EngineKind::Interpreter;      // or pick one
//   auto module = aperture::compile(bytes, config);
//
// Every engine runs the same modules with the same semantics, trap messages and
// backtraces; they differ in start-up cost and speed (docs/architecture.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aperture/features.h"

namespace aperture {

enum class EngineKind : uint8_t {
  Interpreter,  // "interp": translates at load time, starts fast
  Compiled,     // "compiled": LLVM machine code, runs fast (when built with LLVM)
  Tiered,       // "tiered": starts in the interpreter, moves to compiled code once it is
                // compiled in the background (when built with LLVM)
};

// The engine used when none is chosen: tiered when this build has the compiled engine
// (starts at once in the interpreter, runs compiled code once it is ready), else interp.
EngineKind default_engine();

// The code cache's default size limit (EngineConfig::cache_max_size): 1 GiB.
inline constexpr uint64_t kDefaultCacheMaxSize = uint64_t{1} << 30;

struct EngineConfig {
  EngineKind kind = default_engine();
  // Optimisation level of compiling engines, 0 (fastest compile) .. 3.
  int opt_level = 2;
  // Which features beyond WebAssembly 2.0 modules may use (aperture/features.h).
  Features features;
  // Compiled engine: directory of the on-disk code cache (machine code is native code:
  // use a directory only you can write; see docs/cli.md). Empty: no cache. The CLI uses
  // default_cache_dir().
  std::string cache_dir;
  // Compiled engine: the most the cache directory's entries may take together; storing
  // an entry removes those used least recently beyond it (docs/cli.md, "The code cache").
  uint64_t cache_max_size = kDefaultCacheMaxSize;
  // compile_to_artifact(): the machine to compile for, "MACHINE[+FEATURE...]" such as
  // "aarch64-linux-gnu+lse" (code for any CPU of that machine with those features, see
  // docs/cli.md). Empty: this CPU, with every feature it has.
  std::string target;
  // Receives warnings, e.g. a corrupt cache entry that was compiled again. Default: none.
  std::function<void(const std::string&)> on_warning;
};

struct CompiledModule;

// "interp", ...: the names the CLI's --engine and the test suite use.
const char* engine_name(EngineKind kind);
// The engine called `name`, or nullopt when there is none (see available_engines()).
std::optional<EngineKind> engine_from_name(std::string_view name);
// Names of the engines built into this copy of Aperture, default first.
std::vector<std::string> available_engines();
// Whether engine `kind` runs SIMD (128-bit vector) instructions; compile() refuses a
// module that uses SIMD with an engine that does not (UnsupportedFeatureError).
bool engine_supports_simd(EngineKind kind);

// $XDG_CACHE_HOME/aperture, else $HOME/.cache/aperture (empty when neither is set).
std::string default_cache_dir();

// Lists every function of compiled code loaded from now on in /tmp/perf-PID.map, the
// file Linux `perf` reads to name code without an ELF file (docs/performance.md,
// "Profiling"). Process-wide. Throws Error when the file cannot be written or this build
// has no compiled engine.
void enable_perf_map();

// Whether the tiered engine is still compiling `module` in the background. A program that
// ends meanwhile may leave with _exit once its own state is released (destroying the
// module instead waits until the compiler reaches its next function).
bool compiling_in_background(const CompiledModule& module);

// Ahead-of-time compilation with the compiled engine: the bytes of an artifact (.cwasm)
// holding the module and its machine code for this CPU, or for `config.target` (cross
// compilation). Throws DecodeError, ValidationError or Error.
std::vector<uint8_t> compile_to_artifact(std::span<const uint8_t> wasm, const EngineConfig& config);
// Whether `bytes` start like an artifact (rather than a .wasm module).
bool is_artifact(std::span<const uint8_t> bytes);
// Loads an artifact. An artifact is native code: load only artifacts you would run as
// programs. Refuses (Error saying why) one that is corrupt, truncated, made by another
// build of Aperture, for another machine (naming both) or for another CPU.
std::shared_ptr<const CompiledModule> load_artifact(std::span<const uint8_t> artifact);

}  // namespace aperture
