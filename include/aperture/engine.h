// Choosing an execution engine: the embedder passes an EngineConfig to compile().
//
//   aperture::EngineConfig config;                        // the default engine
//   config.kind = aperture::EngineKind::Interpreter;      // or pick one
//   auto module = aperture::compile(bytes, config);
//
// Every engine runs the same modules with the same semantics, trap messages and
// backtraces; they differ in start-up cost and speed (docs/architecture.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aperture/features.h"

namespace aperture {

enum class EngineKind : uint8_t {
  Interpreter,  // "interp": translates at load time, starts fast
};

struct EngineConfig {
  EngineKind kind = EngineKind::Interpreter;
  // Optimisation level of compiling engines, 0 (fastest compile) .. 3.
  int opt_level = 2;
  // Which features beyond WebAssembly 2.0 modules may use (aperture/features.h).
  Features features;
};

// "interp", ...: the names the CLI's --engine and the test suite use.
const char* engine_name(EngineKind kind);
// The engine called `name`, or nullopt when there is none (see available_engines()).
std::optional<EngineKind> engine_from_name(std::string_view name);
// Names of the engines built into this copy of Aperture, default first.
std::vector<std::string> available_engines();

}  // namespace aperture
