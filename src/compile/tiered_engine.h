// The tiered engine: a module starts in the interpreter at once while the compiled engine
// compiles it on a background thread; when the machine code is ready, every function of
// every instance moves to it at its next entry (docs/architecture.md, "Tiering").
#pragma once

#include "runtime/engine.h"

namespace aperture {

const Engine& tiered_engine();

// Whether `module` (prepared by any engine) is still being compiled in the background.
bool tiered_compiling(const CompiledModule& module);

}  // namespace aperture
