// Entry into the interpreter.
#pragma once

#include <cstdint>

#include "aperture/runtime.h"

namespace aperture {

// Runs interpreter function `f` (f.code_ is its InterpCode). `slots` holds the arguments
// on entry and receives the results (it must have room for max(params, results) slots).
// Throws Trap.
void interp_invoke(Function& f, uint64_t* slots);

}  // namespace aperture
