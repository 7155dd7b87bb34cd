// Entry into the interpreter.
#pragma once

#include <cstdint>

#include "aperture/runtime.h"

namespace aperture {

// Calls `f` (wasm or host). `slots` holds the arguments on entry and receives the
// results (it must have room for max(params, results) slots). Throws Trap.
void invoke_raw(Function& f, uint64_t* slots);

}  // namespace aperture
