// Implementation limits of the decoder: what a module may declare before Aperture refuses
// it with a clear error instead of spending host memory or time on it (docs/limits.md).
// The spec allows more; these follow common practice (V8 and wasmparser also allow 50,000
// locals per function).
#pragma once

#include <cstdint>

namespace aperture {

// Locals declared by one function (params not counted).
inline constexpr uint64_t kMaxFunctionLocals = 50'000;
// Locals declared by all functions of a module together. Locals are kept as (count, type)
// runs, but engines expand them per function (stack slots, compiled code), so a tiny
// module of many functions with 50,000 locals each must not pass.
inline constexpr uint64_t kMaxModuleLocals = 4'194'304;

}  // namespace aperture
